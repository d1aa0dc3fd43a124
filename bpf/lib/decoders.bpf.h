/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Argument decoders: what a syscall of the table asked for, read from its
 * registers into the record. Both backends decode with these, so they spell
 * every field the same way. Each dec_<name>() gets its row's constant
 * syscall number (so per-syscall tests fold away), the result (-1 when
 * called from an LSM hook, before the outcome is known) and the row's kind,
 * and returns the kind of the event (0: none). Field conventions are in
 * vivarium.h. */
#ifndef __VIV_DECODERS_BPF_H
#define __VIV_DECODERS_BPF_H

#include "net.bpf.h"
#include "syscall-table.h"
#include "targets.bpf.h"

#define VIV_O_CREAT_WRONLY_TRUNC (00100 | 01 | 01000)
#define VIV_AT_REMOVEDIR 0x200

#define DECODER(name) \
	static __always_inline __u16 dec_##name(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret, __u16 kind)

#define ARG(n) VIV_ARG(regs, n)
#define ARG_STR(n) ((const char *)VIV_ARG(regs, n))

struct viv_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* Listed for the lsm backend's hooks only: nothing to decode here. */
DECODER(none)
{
	return 0;
}

/* open, creat, openat, openat2: PATH (the file opened, on success),
 * REQUESTED + BASE, flags, mode; aux = the syscall. */
DECODER(open)
{
	struct viv_event *e = event_of(s);
	const char *requested;
	int dirfd = VIV_AT_FDCWD;

	e->aux = nr;
	if (nr == VIV_NR_open || nr == VIV_NR_creat) {
		requested = ARG_STR(0);
		e->open_flags = nr == VIV_NR_open ? ARG(1) : VIV_O_CREAT_WRONLY_TRUNC;
		e->mode = nr == VIV_NR_open ? ARG(2) : ARG(1);
	} else {
		dirfd = ARG(0);
		requested = ARG_STR(1);
		if (nr == VIV_NR_openat) {
			e->open_flags = ARG(2);
			e->mode = ARG(3);
		} else {
			struct viv_open_how how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)ARG(2));
			e->open_flags = how.flags;
			e->mode = how.mode;
		}
	}
	if (ret >= 0)
		put_fd_path(s, VIV_FIELD_PATH, ret);
	put_requested(s, dirfd, requested);
	return kind;
}

/* execve, execveat that failed (a successful exec is reported by
 * sched_process_exec, with the program the kernel ran). */
DECODER(exec)
{
	if (ret == 0)
		return 0;
	if (nr == VIV_NR_execve)
		put_requested(s, VIV_AT_FDCWD, ARG_STR(0));
	else
		put_requested(s, ARG(0), ARG_STR(1));
	return kind;
}

/* connect: EXTRA = the sockaddr as passed; aux = the fd. */
DECODER(connect)
{
	event_of(s)->aux = ARG(0);
	put_bytes(s, VIV_FIELD_EXTRA, (void *)ARG(1), sockaddr_len(ARG(2)), VIV_USER);
	return kind;
}

/* sendto, sendmsg, sendmmsg on a datagram socket to the DNS port: BASE =
 * the destination (as passed, or the connected peer), EXTRA = the message.
 * (c-ares and glibc send queries with these, also on connected sockets;
 * write() is not watched, as it is the hottest syscall of every process.) */
DECODER(send)
{
	struct viv_meta *m = get_meta();
	struct socket *sock;
	const void *addr = 0, *payload = 0;
	__u32 addrlen = 0;
	__u64 len = 0;

	if (!m || !m->dns_ports[0])
		return 0;
	sock = fd_socket(ARG(0));
	if (!sock || BPF_CORE_READ(sock, type) != VIV_SOCK_DGRAM)
		return 0;
	if (nr == VIV_NR_sendto) {
		payload = (const void *)ARG(1);
		len = ARG(2);
		addr = (const void *)ARG(4);
		addrlen = ARG(5);
	} else {
		/* sendmsg(fd, msg, flags); sendmmsg(fd, msgvec, n, flags): the first message. */
		struct user_msghdr msg = {};
		struct iovec iov = {};

		bpf_probe_read_user(&msg, sizeof(msg), (void *)ARG(1));
		bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov);
		addr = msg.msg_name;
		addrlen = msg.msg_namelen;
		payload = iov.iov_base;
		len = iov.iov_len;
	}
	if (!put_dns_destination(s, sock, addr, addrlen, VIV_USER, m))
		return 0;
	put_dns_message(s, payload, len);
	return kind;
}

/* One path argument: unlink, rmdir, unlinkat (rmdir with AT_REMOVEDIR),
 * mkdir(at) (mode), chmod, fchmodat(2) (mode), chown, lchown, fchownat
 * (aux = uid, mode = gid): REQUESTED + BASE. */
DECODER(path)
{
	struct viv_event *e = event_of(s);
	bool at = nr == VIV_NR_unlinkat || nr == VIV_NR_mkdirat || nr == VIV_NR_fchmodat || nr == VIV_NR_fchmodat2 ||
		  nr == VIV_NR_fchownat;

	if (kind == VIV_KIND_MKDIR || kind == VIV_KIND_CHMOD)
		e->mode = at ? ARG(2) : ARG(1);
	if (kind == VIV_KIND_CHOWN) {
		e->aux = at ? ARG(2) : ARG(1);
		e->mode = at ? ARG(3) : ARG(2);
	}
	if (nr == VIV_NR_unlinkat && (ARG(2) & VIV_AT_REMOVEDIR))
		kind = VIV_KIND_RMDIR;
	if (at)
		put_requested(s, ARG(0), ARG_STR(1));
	else
		put_requested(s, VIV_AT_FDCWD, ARG_STR(0));
	return kind;
}

/* fchmod (mode), fchown (aux = uid, mode = gid): PATH = the fd's file. */
DECODER(fd_path)
{
	struct viv_event *e = event_of(s);

	if (kind == VIV_KIND_CHMOD) {
		e->mode = ARG(1);
	} else {
		e->aux = ARG(1);
		e->mode = ARG(2);
	}
	put_fd_path(s, VIV_FIELD_PATH, ARG(0));
	return kind;
}

/* rename(at,at2), link(at): the old path as REQUESTED + BASE, the new as
 * EXTRA + PATH (its base); renameat2's flags in open_flags. */
DECODER(two_paths)
{
	int olddir = VIV_AT_FDCWD, newdir = VIV_AT_FDCWD;
	const char *oldpath, *newpath;

	if (nr == VIV_NR_rename || nr == VIV_NR_link) {
		oldpath = ARG_STR(0);
		newpath = ARG_STR(1);
	} else {
		olddir = ARG(0);
		oldpath = ARG_STR(1);
		newdir = ARG(2);
		newpath = ARG_STR(3);
	}
	if (nr == VIV_NR_renameat2)
		event_of(s)->open_flags = ARG(4);
	put_base(s, VIV_FIELD_PATH, newdir, newpath);
	put_requested(s, olddir, oldpath);
	put_str(s, VIV_FIELD_EXTRA, newpath, VIV_USER);
	return kind;
}

/* symlink(at): REQUESTED = the target, verbatim (it is not resolved at
 * creation); EXTRA + PATH = the new link and its base. */
DECODER(symlink)
{
	int dirfd = nr == VIV_NR_symlink ? VIV_AT_FDCWD : ARG(1);
	const char *link = nr == VIV_NR_symlink ? ARG_STR(1) : ARG_STR(2);

	put_base(s, VIV_FIELD_PATH, dirfd, link);
	put_str(s, VIV_FIELD_REQUESTED, ARG_STR(0), VIV_USER);
	put_str(s, VIV_FIELD_EXTRA, link, VIV_USER);
	return kind;
}

/* The set*id family: aux, mode, open_flags = the id arguments (-1: not
 * passed or unchanged). */
DECODER(creds)
{
	struct viv_event *e = event_of(s);
	bool one = nr == VIV_NR_setuid || nr == VIV_NR_setgid || nr == VIV_NR_setfsuid || nr == VIV_NR_setfsgid;
	bool three = nr == VIV_NR_setresuid || nr == VIV_NR_setresgid;

	e->aux = ARG(0);
	e->mode = one ? -1 : ARG(1);
	e->open_flags = three ? ARG(2) : -1;
	return kind;
}

/* ptrace: aux = request, mode = target pid. */
DECODER(ptrace)
{
	event_of(s)->aux = ARG(0);
	event_of(s)->mode = ARG(1);
	return kind;
}

/* kill, tkill, tgkill of another process: aux = target pid, mode = signal.
 * A process signalling itself is not an event. */
DECODER(kill)
{
	struct viv_event *e = event_of(s);

	if (nr != VIV_NR_tkill && is_own_pid(ARG(0)))
		return 0;
	e->aux = ARG(0);
	e->mode = nr == VIV_NR_tgkill ? ARG(2) : ARG(1);
	return kind;
}

/* mount: REQUESTED + BASE = target, EXTRA = source, PATH = fstype,
 * open_flags = flags. umount2: the target, aux = 1, open_flags = flags. */
DECODER(mount)
{
	struct viv_event *e = event_of(s);

	if (nr == VIV_NR_umount2) {
		e->aux = 1;
		e->open_flags = ARG(1);
		put_requested(s, VIV_AT_FDCWD, ARG_STR(0));
		return kind;
	}
	e->open_flags = ARG(3);
	put_str(s, VIV_FIELD_PATH, ARG_STR(2), VIV_USER);
	put_requested(s, VIV_AT_FDCWD, ARG_STR(1));
	put_str(s, VIV_FIELD_EXTRA, ARG_STR(0), VIV_USER);
	return kind;
}

/* The table's rows of one hook family (VIV_HOOK_ANY: all), decoded. A
 * constant family keeps an LSM hook's program down to its own rows. */
#define VIV_DECODE_CASE(family, name, kind, decoder, hook)                                               \
	case VIV_NR_##name:                                                                              \
		if ((family) != VIV_HOOK_ANY && (family) != VIV_HOOK_##hook)                               \
			return 0;                                                                        \
		return dec_##decoder(s, regs, VIV_NR_##name, ret, VIV_KIND_##kind);

static __always_inline __u16 decode_syscall(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret,
					    enum viv_hook_family family)
{
	switch (nr) {
		VIV_SYSCALLS(VIV_DECODE_CASE, family)
	}
	return 0;
}

/* A listed syscall of target t ended: report it from its arguments and
 * result, or answer the worker's integrity probe, kill(own pid, 0). */
static __always_inline void report_syscall(struct viv_target *t, struct pt_regs *regs, long nr, long ret)
{
	struct viv_scratch *s;
	__u16 kind;

	if (nr == VIV_NR_kill && VIV_ARG(regs, 1) == 0 && is_own_pid(VIV_ARG(regs, 0))) {
		answer_probe(t);
		return;
	}
	s = get_scratch();
	if (!s)
		return;
	start_event(s, t, 0, ret);
	kind = decode_syscall(s, regs, nr, ret, VIV_HOOK_ANY);
	if (!kind)
		return;
	event_of(s)->kind = kind;
	submit_event(s, t->slot);
}

#undef ARG
#undef ARG_STR

#endif /* __VIV_DECODERS_BPF_H */
