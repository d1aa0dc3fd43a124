/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The `syscalls` backend: the raw sys_exit tracepoint, for kernels without
 * BPF LSM. Everything is handled at sys_exit alone: on x86-64 the argument
 * registers are still in pt_regs there, the kernel has already copied the
 * user strings (so their pages are resident), and the result is known.
 * Successful execs are reported by sched_process_exec (process.bpf.h), since
 * the old image's registers and memory are gone by sys_exit. */
#ifndef __VIV_SYSCALLS_BPF_H
#define __VIV_SYSCALLS_BPF_H

#include "common.bpf.h"

/* x86-64 syscall numbers. */
#define NR_OPEN 2
#define NR_CONNECT 42
#define NR_SENDTO 44
#define NR_SENDMSG 46
#define NR_EXECVE 59
#define NR_KILL 62
#define NR_RENAME 82
#define NR_MKDIR 83
#define NR_RMDIR 84
#define NR_CREAT 85
#define NR_LINK 86
#define NR_UNLINK 87
#define NR_SYMLINK 88
#define NR_CHMOD 90
#define NR_FCHMOD 91
#define NR_CHOWN 92
#define NR_FCHOWN 93
#define NR_LCHOWN 94
#define NR_PTRACE 101
#define NR_SETUID 105
#define NR_SETGID 106
#define NR_SETREUID 113
#define NR_SETREGID 114
#define NR_SETRESUID 117
#define NR_SETRESGID 119
#define NR_SETFSUID 122
#define NR_SETFSGID 123
#define NR_MOUNT 165
#define NR_UMOUNT2 166
#define NR_TKILL 200
#define NR_TGKILL 234
#define NR_OPENAT 257
#define NR_MKDIRAT 258
#define NR_FCHOWNAT 260
#define NR_UNLINKAT 263
#define NR_RENAMEAT 264
#define NR_LINKAT 265
#define NR_SYMLINKAT 266
#define NR_FCHMODAT 268
#define NR_SENDMMSG 307
#define NR_RENAMEAT2 316
#define NR_EXECVEAT 322
#define NR_OPENAT2 437
#define NR_FCHMODAT2 452

#define VIV_O_CREAT_WRONLY_TRUNC (00100 | 01 | 01000)
#define VIV_AT_REMOVEDIR 0x200
#define VIV_S_IFMT 00170000
#define VIV_S_IFSOCK 0140000
#define VIV_SOCK_DGRAM 2
#define VIV_AF_INET 2
#define VIV_AF_INET6 10
#define VIV_SOCKADDR_MAX 128
#define VIV_DNS_MAX 512

/* Syscalls this backend reports, as a bitmap indexed by number: one load
 * decides for the ~all syscalls that are none of our business. */
#define BIT(nr) (1ULL << ((nr) & 63))
static const volatile __u64 interesting[8] = {
	[0] = BIT(NR_OPEN) | BIT(NR_CONNECT) | BIT(NR_SENDTO) | BIT(NR_SENDMSG) | BIT(NR_EXECVE) |
	      BIT(NR_KILL),
	[1] = BIT(NR_RENAME) | BIT(NR_MKDIR) | BIT(NR_RMDIR) | BIT(NR_CREAT) | BIT(NR_LINK) | BIT(NR_UNLINK) |
	      BIT(NR_SYMLINK) | BIT(NR_CHMOD) | BIT(NR_FCHMOD) | BIT(NR_CHOWN) | BIT(NR_FCHOWN) | BIT(NR_LCHOWN) |
	      BIT(NR_PTRACE) | BIT(NR_SETUID) | BIT(NR_SETGID) | BIT(NR_SETREUID) | BIT(NR_SETREGID) |
	      BIT(NR_SETRESUID) | BIT(NR_SETRESGID) | BIT(NR_SETFSUID) | BIT(NR_SETFSGID),
	[2] = BIT(NR_MOUNT) | BIT(NR_UMOUNT2),
	[3] = BIT(NR_TKILL) | BIT(NR_TGKILL),
	[4] = BIT(NR_OPENAT) | BIT(NR_MKDIRAT) | BIT(NR_FCHOWNAT) | BIT(NR_UNLINKAT) | BIT(NR_RENAMEAT) |
	      BIT(NR_LINKAT) | BIT(NR_SYMLINKAT) | BIT(NR_FCHMODAT) | BIT(NR_SENDMMSG) | BIT(NR_RENAMEAT2) |
	      BIT(NR_EXECVEAT),
	[6] = BIT(NR_OPENAT2),
	[7] = BIT(NR_FCHMODAT2),
};

struct viv_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

#define ARG0(regs) ((regs)->di)
#define ARG1(regs) ((regs)->si)
#define ARG2(regs) ((regs)->dx)
#define ARG3(regs) ((regs)->r10)
#define ARG4(regs) ((regs)->r8)

static __always_inline void on_open(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret)
{
	struct viv_event *e = (struct viv_event *)s->event;
	const char *requested;
	int dirfd = VIV_AT_FDCWD;

	e->aux = nr;
	if (nr == NR_OPEN) {
		requested = (const char *)ARG0(regs);
		e->open_flags = ARG1(regs);
		e->mode = ARG2(regs);
	} else if (nr == NR_CREAT) {
		requested = (const char *)ARG0(regs);
		e->open_flags = VIV_O_CREAT_WRONLY_TRUNC;
		e->mode = ARG1(regs);
	} else {
		dirfd = ARG0(regs);
		requested = (const char *)ARG1(regs);
		if (nr == NR_OPENAT) {
			e->open_flags = ARG2(regs);
			e->mode = ARG3(regs);
		} else {
			struct viv_open_how how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)ARG2(regs));
			e->open_flags = how.flags;
			e->mode = how.mode;
		}
	}
	if (ret >= 0)
		put_fd_path(s, VIV_FIELD_PATH, ret);
	put_user_str(s, VIV_FIELD_REQUESTED, requested);
	put_base(s, dirfd, requested);
}

/* One path argument, relative to dirfd: REQUESTED + BASE. */
static __always_inline void on_path(struct viv_scratch *s, int dirfd, const char *requested)
{
	put_user_str(s, VIV_FIELD_REQUESTED, requested);
	put_base(s, dirfd, requested);
}

/* Two paths (rename, link): old as REQUESTED + BASE, new as EXTRA + PATH. */
static __always_inline void on_two_paths(struct viv_scratch *s, int olddirfd, const char *oldpath, int newdirfd,
					 const char *newpath)
{
	put_base_in(s, VIV_FIELD_PATH, newdirfd, newpath);
	put_user_str(s, VIV_FIELD_REQUESTED, oldpath);
	put_base(s, olddirfd, oldpath);
	put_user_str(s, VIV_FIELD_EXTRA, newpath);
}

/* The socket behind fd, or 0 when fd is not a socket. */
static __always_inline struct socket *fd_socket(int fd)
{
	struct file *file = fd_file(fd);

	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & VIV_S_IFMT) != VIV_S_IFSOCK)
		return 0;
	return BPF_CORE_READ(file, private_data);
}

/* BASE: the connected peer of a UDP socket as a sockaddr, if its port is
 * `port` (a send with no address goes there). Shared with lsm.bpf.h. */
static __always_inline bool put_peer_sockaddr(struct viv_scratch *s, struct socket *sock, __u16 port)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, VIV_FIELD_BASE) & 0x3fff;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) != port)
		return false;
	if (family == VIV_AF_INET) {
		struct sockaddr_in sin = {};

		sin.sin_family = family;
		sin.sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		sin.sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		bpf_probe_read_kernel(&s->event[off], sizeof(sin), &sin);
		e->len[VIV_FIELD_BASE] = sizeof(sin);
		return true;
	}
	if (family == VIV_AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		sin6.sin6_family = family;
		sin6.sin6_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		BPF_CORE_READ_INTO(&sin6.sin6_addr, sk, __sk_common.skc_v6_daddr);
		bpf_probe_read_kernel(&s->event[off], sizeof(sin6), &sin6);
		e->len[VIV_FIELD_BASE] = sizeof(sin6);
		return true;
	}
	return false;
}

/* A DNS message sent on a UDP socket to the configured port: BASE gets the
 * destination (as passed, or the connected peer), EXTRA the message. */
static __always_inline bool dns_destination(struct viv_scratch *s, struct socket *sock, const void *uaddr,
					    __u32 addrlen, __u16 port)
{

	if (BPF_CORE_READ(sock, type) != VIV_SOCK_DGRAM)
		return false;
	if (uaddr) {
		__u16 head[2] = {};

		bpf_probe_read_user(head, sizeof(head), uaddr);
		if ((head[0] != VIV_AF_INET && head[0] != VIV_AF_INET6) || bpf_ntohs(head[1]) != port)
			return false;
		put_user_bytes(s, VIV_FIELD_BASE, uaddr, addrlen > VIV_SOCKADDR_MAX ? VIV_SOCKADDR_MAX : addrlen);
		return true;
	}
	return put_peer_sockaddr(s, sock, port);
}

/* sendto/sendmsg/sendmmsg: a DNS event when it carries a DNS query. (c-ares
 * and glibc send with these, also on connected sockets; plain write() is not
 * watched, as it is the hottest syscall of every process.) */
static __always_inline bool on_send(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	struct viv_meta *m;
	struct socket *sock;
	const void *uaddr = 0, *payload = 0;
	__u32 addrlen = 0, zero = 0;
	__u64 len = 0;

	m = bpf_map_lookup_elem(&meta, &zero);
	if (!m || !m->dns_port)
		return false;
	sock = fd_socket(ARG0(regs));
	if (!sock)
		return false;
	if (nr == NR_SENDTO) {
		payload = (const void *)ARG1(regs);
		len = ARG2(regs);
		uaddr = (const void *)ARG4(regs);
		addrlen = regs->r9;
	} else {
		/* sendmsg(fd, msg, flags); sendmmsg(fd, msgvec, n, flags): first message. */
		struct user_msghdr msg = {};
		struct iovec iov = {};

		bpf_probe_read_user(&msg, sizeof(msg), (void *)ARG1(regs));
		bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov);
		uaddr = msg.msg_name;
		addrlen = msg.msg_namelen;
		payload = iov.iov_base;
		len = iov.iov_len;
	}
	if (!dns_destination(s, sock, uaddr, addrlen, m->dns_port))
		return false;
	put_user_bytes(s, VIV_FIELD_EXTRA, payload, len > VIV_DNS_MAX ? VIV_DNS_MAX : len);
	return true;
}

/* Returns the kind of the event assembled in `s`, or 0 for none. */
static __always_inline __u16 on_syscall(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret)
{
	struct viv_event *e = (struct viv_event *)s->event;

	switch (nr) {
	case NR_OPEN:
	case NR_CREAT:
	case NR_OPENAT:
	case NR_OPENAT2:
		on_open(s, regs, nr, ret);
		return VIV_KIND_FILE_OPEN;
	case NR_EXECVE:
	case NR_EXECVEAT:
		if (ret == 0)
			return 0; /* reported by sched_process_exec */
		if (nr == NR_EXECVE)
			on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		else
			on_path(s, ARG0(regs), (const char *)ARG1(regs));
		return VIV_KIND_EXEC;
	case NR_CONNECT: {
		__u32 addrlen = ARG2(regs);

		e->aux = ARG0(regs);
		put_user_bytes(s, VIV_FIELD_EXTRA, (void *)ARG1(regs), addrlen > VIV_SOCKADDR_MAX ? VIV_SOCKADDR_MAX : addrlen);
		return VIV_KIND_CONNECT;
	}
	case NR_SENDTO:
	case NR_SENDMSG:
	case NR_SENDMMSG:
		return on_send(s, regs, nr) ? VIV_KIND_DNS : 0;
	case NR_UNLINK:
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_UNLINK;
	case NR_RMDIR:
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_RMDIR;
	case NR_UNLINKAT:
		on_path(s, ARG0(regs), (const char *)ARG1(regs));
		return (ARG2(regs) & VIV_AT_REMOVEDIR) ? VIV_KIND_RMDIR : VIV_KIND_UNLINK;
	case NR_MKDIR:
		e->mode = ARG1(regs);
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_MKDIR;
	case NR_MKDIRAT:
		e->mode = ARG2(regs);
		on_path(s, ARG0(regs), (const char *)ARG1(regs));
		return VIV_KIND_MKDIR;
	case NR_RENAME:
		on_two_paths(s, VIV_AT_FDCWD, (const char *)ARG0(regs), VIV_AT_FDCWD, (const char *)ARG1(regs));
		return VIV_KIND_RENAME;
	case NR_RENAMEAT:
	case NR_RENAMEAT2:
		e->open_flags = nr == NR_RENAMEAT2 ? ARG4(regs) : 0;
		on_two_paths(s, ARG0(regs), (const char *)ARG1(regs), ARG2(regs), (const char *)ARG3(regs));
		return VIV_KIND_RENAME;
	case NR_LINK:
		on_two_paths(s, VIV_AT_FDCWD, (const char *)ARG0(regs), VIV_AT_FDCWD, (const char *)ARG1(regs));
		return VIV_KIND_LINK;
	case NR_LINKAT:
		on_two_paths(s, ARG0(regs), (const char *)ARG1(regs), ARG2(regs), (const char *)ARG3(regs));
		return VIV_KIND_LINK;
	case NR_SYMLINK:
		/* The target is kept verbatim: it is not resolved at creation. */
		put_base_in(s, VIV_FIELD_PATH, VIV_AT_FDCWD, (const char *)ARG1(regs));
		put_user_str(s, VIV_FIELD_REQUESTED, (const char *)ARG0(regs));
		put_user_str(s, VIV_FIELD_EXTRA, (const char *)ARG1(regs));
		return VIV_KIND_SYMLINK;
	case NR_SYMLINKAT:
		put_base_in(s, VIV_FIELD_PATH, ARG1(regs), (const char *)ARG2(regs));
		put_user_str(s, VIV_FIELD_REQUESTED, (const char *)ARG0(regs));
		put_user_str(s, VIV_FIELD_EXTRA, (const char *)ARG2(regs));
		return VIV_KIND_SYMLINK;
	case NR_CHMOD:
		e->mode = ARG1(regs);
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_CHMOD;
	case NR_FCHMODAT:
	case NR_FCHMODAT2:
		e->mode = ARG2(regs);
		on_path(s, ARG0(regs), (const char *)ARG1(regs));
		return VIV_KIND_CHMOD;
	case NR_FCHMOD:
		e->mode = ARG1(regs);
		put_fd_path(s, VIV_FIELD_PATH, ARG0(regs));
		return VIV_KIND_CHMOD;
	case NR_CHOWN:
	case NR_LCHOWN:
		e->aux = ARG1(regs);
		e->mode = ARG2(regs);
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_CHOWN;
	case NR_FCHOWNAT:
		e->aux = ARG2(regs);
		e->mode = ARG3(regs);
		on_path(s, ARG0(regs), (const char *)ARG1(regs));
		return VIV_KIND_CHOWN;
	case NR_FCHOWN:
		e->aux = ARG1(regs);
		e->mode = ARG2(regs);
		put_fd_path(s, VIV_FIELD_PATH, ARG0(regs));
		return VIV_KIND_CHOWN;
	case NR_SETUID:
	case NR_SETREUID:
	case NR_SETRESUID:
	case NR_SETFSUID:
	case NR_SETGID:
	case NR_SETREGID:
	case NR_SETRESGID:
	case NR_SETFSGID:
		e->aux = ARG0(regs);
		e->mode = nr == NR_SETUID || nr == NR_SETGID || nr == NR_SETFSUID || nr == NR_SETFSGID ? -1 : ARG1(regs);
		e->open_flags = nr == NR_SETRESUID || nr == NR_SETRESGID ? ARG2(regs) : -1;
		return nr == NR_SETUID || nr == NR_SETREUID || nr == NR_SETRESUID || nr == NR_SETFSUID ? VIV_KIND_SETUID
													: VIV_KIND_SETGID;
	case NR_PTRACE:
		e->aux = ARG0(regs);
		e->mode = ARG1(regs);
		return VIV_KIND_PTRACE;
	case NR_KILL:
	case NR_TKILL:
		if ((__u32)ARG0(regs) == e->tgid && nr == NR_KILL)
			return 0; /* signalling itself is not "another process" */
		e->aux = ARG0(regs);
		e->mode = ARG1(regs);
		return VIV_KIND_KILL;
	case NR_TGKILL:
		if ((__u32)ARG0(regs) == e->tgid)
			return 0;
		e->aux = ARG0(regs);
		e->mode = ARG2(regs);
		return VIV_KIND_KILL;
	case NR_MOUNT: {
		e->open_flags = ARG3(regs);
		put_user_str(s, VIV_FIELD_PATH, (const char *)ARG2(regs));
		on_path(s, VIV_AT_FDCWD, (const char *)ARG1(regs));
		put_user_str(s, VIV_FIELD_EXTRA, (const char *)ARG0(regs));
		return VIV_KIND_MOUNT;
	}
	case NR_UMOUNT2:
		e->aux = 1;
		e->open_flags = ARG1(regs);
		on_path(s, VIV_AT_FDCWD, (const char *)ARG0(regs));
		return VIV_KIND_MOUNT;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(viv_sys_exit, struct pt_regs *regs, long ret)
{
	/* Direct BTF load, not a helper call: this runs for every syscall. */
	long nr = regs->orig_ax;
	struct viv_scratch *s;
	struct viv_target *t;
	__u16 kind;

#ifdef VIV_BENCH_FLOOR
	/* bench/: the cost of having any sys_exit program attached at all. */
	return 0;
#endif
	/* Cheapest test first: almost every syscall leaves here. */
	if (nr < 0 || nr >= 512 || !(interesting[(nr >> 6) & 7] & BIT(nr)))
		return 0;
	t = lookup_target(bpf_get_current_task_btf());
	if (!t)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	start_event(s, t, 0, ret);
	kind = on_syscall(s, regs, nr, ret);
	if (!kind)
		return 0;
	((struct viv_event *)s->event)->kind = kind;
	submit_event(s, t->slot);
	return 0;
}

#endif /* __VIV_SYSCALLS_BPF_H */
