/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Vivarium ABI: the only definitions shared between the BPF programs and
 * user space. @vivarium/core decodes these records; its enums, layouts and
 * codecs are generated from the BTF of bpf/build/syscalls.bpf.o
 * (scripts/gen-abi.mjs writes packages/core/src/abi.generated.ts), and a test
 * fails when they drift. Bump VIV_ABI_VERSION on any change below.
 */
#ifndef __VIVARIUM_H
#define __VIVARIUM_H

/* Enums rather than macros so the values reach the object's BTF. */
enum viv_abi {
	VIV_ABI_VERSION = 6,
	VIV_FIELD_MAX = 4095, /* longest field, NUL excluded (PATH_MAX - 1) */
	VIV_FIELD_COUNT = 4,
	VIV_DNS_PORTS = 4, /* --dns-port list, at most */
};

enum viv_kind {
	VIV_KIND_FILE_OPEN = 1,
	VIV_KIND_EXEC = 2,
	VIV_KIND_CONNECT = 3,
	VIV_KIND_UNLINK = 4,
	VIV_KIND_RMDIR = 5,
	VIV_KIND_RENAME = 6,
	VIV_KIND_MKDIR = 7,
	VIV_KIND_FORK = 8,
	VIV_KIND_EXIT = 9,
	VIV_KIND_CHMOD = 10,
	VIV_KIND_CHOWN = 11,
	VIV_KIND_LINK = 12,
	VIV_KIND_SYMLINK = 13,
	VIV_KIND_DNS = 14,
	VIV_KIND_SETUID = 15,
	VIV_KIND_SETGID = 16,
	VIV_KIND_PTRACE = 17,
	VIV_KIND_KILL = 18,
	VIV_KIND_MOUNT = 19,
	VIV_KIND_TRUNCATE = 20,
	VIV_KIND_UTIME = 21,
	VIV_KIND_XATTR = 22,
	VIV_KIND_MKNOD = 23,
	VIV_KIND_SEND = 24,
	VIV_KIND_UNOBSERVABLE = 25,
	VIV_KIND_CAPSET = 26,
	VIV_KIND_SETGROUPS = 27,
	VIV_KIND_UNSHARE = 28,
	VIV_KIND_SETNS = 29,
	VIV_KIND_CHROOT = 30,
	VIV_KIND_PIVOT_ROOT = 31,
	VIV_KIND_BPF = 32,
	VIV_KIND_MODULE = 33,
	VIV_KIND_PROCESS_VM = 34,
	VIV_KIND_PERF_EVENT = 35,
	VIV_KIND_KEXEC = 36,
	VIV_KIND_REBOOT = 37,
	VIV_KIND_PIDFD_GETFD = 38,
	VIV_KIND_ENV = 39,    /* uprobe: the C library's environment calls */
	VIV_KIND_LOAD = 40,   /* uprobe: dlopen of a shared object */
	VIV_KIND_LIST = 41,   /* getdents64: a directory listed */
	VIV_KIND_SOCKET = 42, /* socket(): a raw, packet or netlink socket */
	VIV_KIND_HTTP = 43,   /* uprobe: a TLS write starting HTTP requests */
};

/* Which environment call an env event is (aux); its cookie at attach. */
enum viv_env_op {
	VIV_ENV_GETENV = 0,
	VIV_ENV_SECURE_GETENV = 1,
	VIV_ENV_SETENV = 2,
	VIV_ENV_UNSETENV = 3,
	VIV_ENV_PUTENV = 4,
	VIV_ENV_CLEARENV = 5,
};

/* How a load event loaded its object (aux); its cookie at attach. */
enum viv_load_how {
	VIV_LOAD_DLOPEN = 0,
	VIV_LOAD_DLMOPEN = 1,
};

/* What an http event holds (aux). */
enum viv_http_flags {
	VIV_HTTP_H1 = 1 << 0,	    /* an HTTP/1.x request head */
	VIV_HTTP_H2 = 1 << 1,	    /* HTTP/2 HEADERS and CONTINUATION frames */
	VIV_HTTP_H2_START = 1 << 2, /* the write began with the connection preface */
	VIV_HTTP_H2_LOST = 1 << 3,  /* the connection's frames can no longer be followed */
};

/* Which TLS library call an http event's uprobe is on (its cookie at attach). */
enum viv_tls_call {
	VIV_TLS_SSL_WRITE = 0,	  /* int SSL_write(SSL *, const void *, int) */
	VIV_TLS_SSL_WRITE_EX = 1, /* int SSL_write_ex(SSL *, const void *, size_t, size_t *) */
	VIV_TLS_SSL_FREE = 2,	  /* void SSL_free(SSL *): its connection's state goes */
};

/* Why an unobservable event could not be observed (aux of the event). */
enum viv_blind_reason {
	VIV_BLIND_IO_URING = 1,	  /* io_uring runs operations without syscalls (syscalls backend) */
	VIV_BLIND_UNRESOLVED = 2, /* a path could not be resolved in the kernel */
	VIV_BLIND_PRIVILEGED_EXEC = 3, /* a program that gained privileges by exec, for a worker without them */
	VIV_BLIND_COMPAT_EXEC = 4, /* a 32-bit program: its system calls are not decoded */
	VIV_BLIND_SENDMMSG = 5, /* a sendmmsg whose messages go to different places or ask different names */
	VIV_BLIND_COMPAT_SYSCALL = 6, /* an i386 system call (int 0x80) from a 64-bit program: not decoded */
	VIV_BLIND_DNS_UNDECODED = 7, /* bytes to a DNS port sent in a way whose messages are not decoded */
};

/* What a dns event is (mode). */
enum viv_dns_mode {
	VIV_DNS_CONNECTED = 0, /* a datagram to the socket's connected DNS server */
	VIV_DNS_ADDRESSED = 1, /* a datagram that named its server: judged like a connect too */
	VIV_DNS_SEGMENT = 2,   /* bytes written on a TCP stream to a DNS port: framed in user space */
};

/* Which call of the mount family a mount event is (aux). */
enum viv_mount_op {
	VIV_MOUNT_OP_MOUNT = 0,
	VIV_MOUNT_OP_UMOUNT = 1,
	VIV_MOUNT_OP_OPEN_TREE = 2,
	VIV_MOUNT_OP_MOVE_MOUNT = 3,
	VIV_MOUNT_OP_FSOPEN = 4,
	VIV_MOUNT_OP_FSCONFIG = 5,
	VIV_MOUNT_OP_FSMOUNT = 6,
	VIV_MOUNT_OP_FSPICK = 7,
	VIV_MOUNT_OP_MOUNT_SETATTR = 8,
};

/* Variable fields, in this order after the header. What each kind puts in
 * them (fields not listed are empty):
 *   file_open         PATH file opened (resolved), REQUESTED, BASE
 *   exec              PATH program run (resolved; success only), REQUESTED,
 *                     BASE, EXTRA argv (NUL-separated, bounded); aux = argc
 *   connect           EXTRA sockaddr as passed; aux = fd
 *   dns               BASE destination sockaddr, EXTRA DNS message (bounded);
 *                     mode = enum viv_dns_mode. A segment: EXTRA = the first
 *                     bytes written, result = how many, open_flags = the TCP
 *                     sequence number of the first, aux = the stream (its
 *                     socket's inode)
 *   unlink, rmdir,
 *   mkdir, chmod,
 *   chown             REQUESTED, BASE (or PATH, for an fd); mode = mode or gid,
 *                     aux = uid for chown
 *   rename, link      REQUESTED + BASE = old path, EXTRA + PATH = new path
 *   symlink           REQUESTED = link target (verbatim), EXTRA + PATH = link
 *   mount             REQUESTED + BASE = target, EXTRA = source, PATH = fstype;
 *                     open_flags = flags, aux = enum viv_mount_op
 *   truncate, utime   PATH = the file changed (resolved), REQUESTED + BASE
 *                     as passed (empty for an fd); aux = the syscall
 *   xattr             the same, EXTRA = the attribute's name; aux = 1 to remove
 *   mknod             PATH (resolved parent + name), REQUESTED + BASE; mode =
 *                     type and permissions, aux = device number
 *   send              EXTRA = the destination sockaddr (sendto, sendmsg,
 *                     sendmmsg with an address, TCP fast open); aux = fd
 *   env               EXTRA = the variable's name, never its value (putenv's
 *                     argument is cut at '='); aux = enum viv_env_op
 *   load              REQUESTED + BASE = the file as passed to dlopen (BASE
 *                     only for a relative path with a '/'); open_flags =
 *                     dlopen's flags; aux = enum viv_load_how
 *   list              PATH = the directory listed (the fd's); result = bytes
 *                     returned (a call returning 0, the end, is not reported)
 *   socket            aux = family, open_flags = type, mode = protocol; only
 *                     raw, packet and netlink sockets (not NETLINK_ROUTE)
 *   http              a TLS write (SSL_write, SSL_write_ex) starting a request:
 *                     REQUESTED = HTTP/1 request line with the query cut
 *                     off, BASE = its Host value; EXTRA = HTTP/2 HEADERS and
 *                     CONTINUATION frames, whole (bounded); aux = enum
 *                     viv_http_flags; open_flags, mode = the SSL object's
 *                     address, low and high half (the connection); result =
 *                     bytes the call was given (reported once it succeeded)
 *   unobservable      aux = enum viv_blind_reason, mode = the syscall number
 *   capset ... pidfd_getfd  (privileged acts) mode = the syscall, aux and
 *                     open_flags = its first two arguments; PATH = a path it
 *                     names (chroot, pivot_root's new root, finit_module's file)
 *   setuid, setgid    aux, mode, open_flags = the id arguments (-1 = unchanged);
 *                     result
 *   ptrace            aux = request, mode = target pid
 *   kill              aux = target pid, mode = signal
 *   fork              aux = child host pid, mode = child pid in its namespace
 *   exit              aux = exit status (wait(2) encoding) */
enum viv_field {
	VIV_FIELD_PATH = 0,      /* the object the kernel acted on, absolute */
	VIV_FIELD_REQUESTED = 1, /* the path string the caller passed, verbatim */
	VIV_FIELD_BASE = 2,      /* dir a relative REQUESTED is relative to */
	VIV_FIELD_EXTRA = 3,     /* kind-specific (second path, sockaddr, argv) */
};

enum viv_event_flags {
	VIV_EF_TRUNCATED_PATH = 1 << 0,
	VIV_EF_TRUNCATED_REQUESTED = 1 << 1,
	VIV_EF_TRUNCATED_BASE = 1 << 2,
	VIV_EF_TRUNCATED_EXTRA = 1 << 3,
	VIV_EF_CHILD = 1 << 4,	     /* emitted by a followed descendant */
	VIV_EF_UNRESOLVED = 1 << 5, /* PATH could not be resolved: judge it as unobservable */
	VIV_EF_OWN_MAPS = 1 << 6,   /* a call writing one of Vivarium's own maps, or taking a writable fd of one */
	/* Field i (<< i) is a path within the filesystem `dev`, not as the
	 * acting task saw it: it was reached through another mount namespace,
	 * a changed root, or a bind mount of a directory. User space places it
	 * in the worker's own view (its mountinfo), or fails closed. */
	VIV_EF_FS_RELATIVE_PATH = 1 << 7,
};

enum viv_target_flags {
	VIV_TF_FOLLOW_CHILDREN = 1 << 0,
	VIV_TF_CHILD = 1 << 1, /* added by the fork hook, not by a worker */
	/* Registered by a user other than root: a process that gains privileges
	 * by exec (setuid, setgid, file capabilities) is no longer followed. */
	VIV_TF_UNPRIVILEGED = 1 << 2,
};

enum viv_meta_flags {
	/* vivariumd runs in a child pid namespace, so it cannot name workers by
	 * their host tgid: every bit of observed_tgids stays set. */
	VIV_META_EVERY_TGID = 1 << 0,
};

enum viv_backend {
	VIV_BACKEND_NONE = 0,
	VIV_BACKEND_SYSCALLS = 1,
	VIV_BACKEND_LSM = 2,
};

/* Ring record: this header, then len[i] bytes of field i, in field order,
 * no NUL terminators, no padding between fields. */
struct viv_event {
	__u64 ts_ns;	  /* bpf_ktime_get_ns() */
	__u32 tgid;	  /* host process id */
	__u32 tid;	  /* host thread id */
	__u32 epoch;	  /* target's epoch when it acted (attribution) */
	__u16 kind;	  /* enum viv_kind */
	__u16 flags;	  /* enum viv_event_flags */
	__s32 result;	  /* >= 0 success (fd, ...), < 0 -errno */
	__u32 open_flags; /* O_* of opens; kind-specific otherwise */
	__u32 mode;	  /* creation mode; kind-specific otherwise */
	__u32 aux;	  /* syscall nr, child tgid, exit status, ... */
	__u32 dev;	  /* the filesystem of fields marked VIV_EF_FS_RELATIVE_* */
	__u32 reserved;
	__u16 len[VIV_FIELD_COUNT];
};
_Static_assert(sizeof(struct viv_event) == 56, "viv_event layout");

/* config_targets: who is observed, keyed as the process sees itself.
 * Written by vivariumd (a worker's own entry, at registration) and by the
 * fork hook (its descendants); deleted by the exit hook and vivariumd. */
struct viv_target_key {
	__u32 pidns_inum; /* inode of /proc/self/ns/pid */
	__u32 ns_tgid;	  /* process.pid inside that namespace */
};
_Static_assert(sizeof(struct viv_target_key) == 8, "viv_target_key layout");

struct viv_target {
	__u32 slot;  /* the worker's slot in rings, controls, counters */
	__u32 flags; /* enum viv_target_flags */
	__u32 epoch; /* a descendant: its worker's window when it was forked */
	__u32 mntns_inum; /* the worker's mount namespace: paths are judged as it sees them */
};
_Static_assert(sizeof(struct viv_target) == 16, "viv_target layout");

/* ring_owner: slot -> the worker vivariumd registered there. */
struct viv_owner {
	__u32 pidns_inum;
	__u32 ns_tgid;
	__u32 host_pid;	  /* the same process, as the daemon's pid namespace sees it */
	__u32 uid;	  /* its uid at registration (SO_PEERCRED) */
	__u64 start_time; /* field 22 of /proc/<pid>/stat: tells PID reuse apart */
};
_Static_assert(sizeof(struct viv_owner) == 24, "viv_owner layout");

/* controls[slot]: a one-entry array the worker maps read-write; the
 * programs read its window from it. */
struct viv_control {
	__u32 epoch; /* bumped by the worker per observation window */
	__u32 reserved;
};
_Static_assert(sizeof(struct viv_control) == 8, "viv_control layout");

/* counters[slot]: a one-entry array written by the programs only (frozen
 * for user space); the worker maps it read-only. */
struct viv_counters {
	__u64 emitted;		/* records written to the slot's ring */
	__u64 dropped;		/* records of the current window lost: ring full or missing */
	__u64 dropped_leftover; /* records lost of processes started in an earlier window */
	__u64 truncated;	/* records with a field cut to VIV_FIELD_MAX */
	__u64 unfollowed;	/* descendants not followed: config_targets full */
	/* The last integrity probe (kill(own pid, 0) by the worker): what its
	 * config_targets entry said then. */
	__u32 probe_epoch;
	__u32 probe_slot;
	__u32 probe_flags;
	__u32 probes;
};
_Static_assert(sizeof(struct viv_counters) == 56, "viv_counters layout");

/* meta[0]: written by vivariumd before attaching, then frozen. */
struct viv_meta {
	__u32 abi_version;
	__u32 backend;	    /* enum viv_backend */
	__u32 max_slots;    /* --rings: workers registered at once, at most */
	__u32 ring_size;    /* --ring-size: bytes per worker ring */
	__u32 max_targets;  /* --max-targets: processes observed at once */
	__u16 dns_ports[VIV_DNS_PORTS]; /* datagrams to these ports are DNS events (0: unused) */
	__u32 flags;	    /* enum viv_meta_flags */
};
_Static_assert(sizeof(struct viv_meta) == 32, "viv_meta layout");

#endif /* __VIVARIUM_H */
