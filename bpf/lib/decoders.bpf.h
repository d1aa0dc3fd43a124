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
#include "resolve.bpf.h"
#include "syscall-table.h"
#include "targets.bpf.h"

#define VIV_O_CREAT_WRONLY_TRUNC (00100 | 01 | 01000)
#define VIV_AT_REMOVEDIR 0x200
#define VIV_AT_SYMLINK_NOFOLLOW 0x100
#define VIV_AT_SYMLINK_FOLLOW 0x400
#define VIV_MSG_FASTOPEN 0x20000000
#define VIV_MSG_ZEROCOPY 0x4000000
#define VIV_SOCK_STREAM 1
#define VIV_IPPROTO_TCP 6
/* ret as an lsm hook decodes a call: before it (the companion stamps the
 * result). Below every errno (-4095..-1), so no result at sys_exit reads as
 * it: a refused write there wrote nothing. */
#define VIV_AT_HOOK (-4096L)

/* Each decoder is a subprogram of its own, called from one place (below):
 * verified once, with a stack frame of its own. */
#define DECODER(name) \
	static __noinline __u16 dec_##name(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret, __u16 kind)

#define ARG(n) VIV_ARG(regs, n)
#define ARG_STR(n) ((const char *)VIV_ARG(regs, n))

struct viv_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* open, creat, openat, openat2: PATH (the file opened, on success),
 * REQUESTED + BASE, flags, mode; aux = the syscall. open_by_handle_at has
 * no path: PATH is the file opened, or the mount it was to be found on. */
DECODER(open)
{
	struct viv_event *e = event_of(s);
	const char *requested;
	int dirfd = VIV_AT_FDCWD;

	e->aux = nr;
	if (nr == VIV_NR_open_by_handle_at) {
		e->open_flags = ARG(2);
		put_fd_path(s, VIV_FIELD_PATH, ret >= 0 ? ret : ARG(0));
		return kind;
	}
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

/* connect: EXTRA = where an IPv4 or IPv6 socket connected (or is
 * connecting, EINPROGRESS), else the sockaddr as passed; aux = the fd. */
DECODER(connect)
{
	event_of(s)->aux = ARG(0);
	if ((ret == 0 || ret == -VIV_EINPROGRESS) && put_connected_peer(s, fd_socket(ARG(0))))
		return kind;
	put_bytes(s, VIV_FIELD_EXTRA, (void *)ARG(1), sockaddr_len(ARG(2)), VIV_USER);
	return kind;
}

#define VIV_MMSG_ALIKE 8	/* sendmmsg messages compared with the first, at most */
#define VIV_MMSG_QNAME 64	/* bytes of a DNS question's name compared */
#define VIV_MMSG_NAME 28	/* bytes of a destination compared: a sockaddr_in6 */

struct viv_mmsghdr {
	struct user_msghdr msg_hdr;
	unsigned int msg_len;
};

/* sendmmsg: whether messages 1..n-1 go where message 0 goes and, on a DNS
 * socket, ask for the same name (glibc sends its A and AAAA queries in one
 * call): then message 0's event stands for them all. Not so, or past
 * VIV_MMSG_ALIKE messages, or a name longer than VIV_MMSG_QNAME, or one not
 * wholly in its message's first buffer: the call cannot be one event. Each
 * message's question count, question name and destination are read into
 * zeroed words of s->walk (no path is walked for a send) and compared word
 * by word: no loop inside the loop over messages. */
#define VIV_MMSG_WORDS ((VIV_MMSG_QNAME + 32) / 8)
#define VIV_DNS_HEADER 12   /* a DNS message's fixed header; the question follows */
#define VIV_DNS_QDCOUNT 4   /* the header's question count */

/* The fields of a user_msghdr compared, its first four: half the stack of
 * a whole one (two are held at once, under a limit on the stack). */
struct viv_msg_head {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	__kernel_size_t msg_iovlen;
};
_Static_assert(__builtin_offsetof(struct user_msghdr, msg_iovlen) == __builtin_offsetof(struct viv_msg_head, msg_iovlen),
	       "viv_msg_head is user_msghdr's start");

/* False when the message's question is not where it can be compared. */
static __always_inline bool mmsg_read(__u64 *w, const struct viv_msg_head *msg, __u32 namelen, __u32 qlen)
{
	struct iovec iov = {};

	/* The masks below stay: the verifier bounds the sizes by them. */
	barrier_var(namelen);
	barrier_var(qlen);
#pragma unroll
	for (int k = 0; k < VIV_MMSG_WORDS; k++)
		w[k] = 0;
	bpf_probe_read_user(&w[VIV_MMSG_QNAME / 8], namelen & 31, msg->msg_name);
	if (!qlen)
		return true;
	/* The question count beside the destination (at most VIV_MMSG_NAME, 28
	 * bytes): a second question must not ride on an alike first one. */
	if (!msg->msg_iovlen || bpf_probe_read_user(&iov, sizeof(iov), msg->msg_iov) ||
	    iov.iov_len < VIV_DNS_HEADER + qlen)
		return false;
	bpf_probe_read_user((__u8 *)&w[VIV_MMSG_QNAME / 8] + VIV_MMSG_NAME, 2, iov.iov_base + VIV_DNS_QDCOUNT);
	bpf_probe_read_user(w, qlen & (VIV_MMSG_QNAME - 1), iov.iov_base + VIV_DNS_HEADER);
	return true;
}

static __noinline bool mmsg_alike(struct viv_scratch *s, const struct viv_mmsghdr *vec, __u32 n, bool dns)
{
	struct viv_msg_head first = {}, msg = {};
	struct iovec iov = {};
	__u64 *a = (__u64 *)s->walk, *b = (__u64 *)(s->walk + 128);
	__u8 *name = (__u8 *)s->walk;
	__u32 i, j, pos = 0, qlen = 0;

	if (n > VIV_MMSG_ALIKE || bpf_probe_read_user(&first, sizeof(first), &vec[0].msg_hdr) ||
	    first.msg_namelen > VIV_MMSG_NAME)
		return false;
	if (dns) {
		/* The question's name: labels from byte 12 to a zero length. */
		if (!first.msg_iovlen || bpf_probe_read_user(&iov, sizeof(iov), first.msg_iov) ||
		    bpf_probe_read_user(name, VIV_MMSG_QNAME, iov.iov_base + VIV_DNS_HEADER))
			return false;
		for (j = 0; j < VIV_MMSG_QNAME; j++) {
			if (pos >= VIV_MMSG_QNAME)
				return false;
			if (!name[pos & (VIV_MMSG_QNAME - 1)])
				break;
			pos += name[pos & (VIV_MMSG_QNAME - 1)] + 1;
		}
		qlen = pos + 1;
		if (qlen >= VIV_MMSG_QNAME)
			return false;
	}
	if (!mmsg_read(a, &first, first.msg_namelen, qlen))
		return false;
	for (i = 1; i < VIV_MMSG_ALIKE && i < n; i++) {
		if (bpf_probe_read_user(&msg, sizeof(msg), &vec[i].msg_hdr) || msg.msg_namelen != first.msg_namelen ||
		    (!msg.msg_name) != (!first.msg_name) || !mmsg_read(b, &msg, first.msg_namelen, qlen))
			return false;
#pragma unroll
		for (int k = 0; k < VIV_MMSG_WORDS; k++)
			if (a[k] != b[k])
				return false;
	}
	return true;
}

/* Whether this send is one message, or a sendmmsg whose messages are alike. */
#define several_alike(s, nr, dns) \
	((nr) != VIV_NR_sendmmsg || ARG(2) <= 1 || mmsg_alike(s, (const struct viv_mmsghdr *)ARG(1), ARG(2), dns))

/* A sendmmsg whose messages one event cannot stand for: it fails closed. */
static __always_inline __u16 several_unlike(struct viv_event *e, long nr)
{
	e->aux = VIV_BLIND_SENDMMSG;
	e->mode = nr;
	return VIV_KIND_UNOBSERVABLE;
}

/* Bytes to a DNS port sent in a way whose messages are not decoded: the
 * send fails closed. */
static __always_inline __u16 dns_undecoded(struct viv_event *e, long nr)
{
	e->aux = VIV_BLIND_DNS_UNDECODED;
	e->mode = nr;
	return VIV_KIND_UNOBSERVABLE;
}

/* A write on a TCP stream to a DNS port, as a segment of the stream that
 * user space frames (dns-stream.ts): messages need not start where writes
 * do (the length alone, a message in pieces, several in one write), so no
 * write can be read alone. EXTRA: the first bytes (put_dns_message);
 * open_flags: the sequence number of the first byte, which shows user space
 * bytes it was not given (two threads writing at once, sendfile, ...). At
 * an lsm hook (before the send) the stream ends where the segment begins. */
static __always_inline __u16 put_segment(struct viv_scratch *s, struct socket *sock, const struct iovec *iovs,
					 __u64 count, const void *payload, __u64 len, long ret)
{
	struct viv_event *e = event_of(s);
	struct tcp_sock *tcp = (struct tcp_sock *)BPF_CORE_READ(sock, sk);

	put_dns_message(s, iovs, count, false, payload, len);
	e->open_flags = BPF_CORE_READ(tcp, write_seq) - (ret > 0 ? ret : 0);
	e->aux = BPF_CORE_READ(sock, file, f_inode, i_ino);
	e->mode = VIV_DNS_SEGMENT;
	return VIV_KIND_DNS;
}

/* sendto, sendmsg, sendmmsg (its first message), write, writev, pwritev2.
 * A DNS query (a datagram to a DNS port) is a dns event: BASE = the
 * destination, EXTRA = the message; so is a write on a TCP stream to one,
 * as a segment (put_segment). Any other message with a destination address
 * (a datagram, or TCP fast open) is a send event: EXTRA = the destination. Other sends on connected sockets
 * went through connect, which was reported, and other writes are none of
 * ours (not sockets, or not to a DNS port). */
DECODER(send)
{
	struct viv_event *e = event_of(s);
	struct viv_meta *m = get_meta();
	struct socket *sock = fd_socket(ARG(0));
	const void *addr = 0, *payload = 0;
	const struct iovec *iovs = 0;
	__u32 addrlen = 0, flags = 0;
	__u64 len = 0, count = 1;
	bool fastopen;
	__u16 type;

	if (!sock || !m)
		return 0;
	if (nr == VIV_NR_sendto || nr == VIV_NR_write) {
		payload = (const void *)ARG(1);
		len = ARG(2);
		if (nr == VIV_NR_sendto) {
			flags = ARG(3);
			addr = (const void *)ARG(4);
			addrlen = ARG(5);
		}
	} else {
		/* sendmsg(fd, msg, flags); sendmmsg(fd, msgvec, n, flags): the first
		 * message; writev(fd, iov, n). */
		struct user_msghdr msg = {};
		struct iovec iov = {};

		if (nr == VIV_NR_writev || nr == VIV_NR_pwritev2) {
			iovs = (const struct iovec *)ARG(1);
			count = ARG(2);
		} else {
			bpf_probe_read_user(&msg, sizeof(msg), (void *)ARG(1));
			iovs = msg.msg_iov;
			count = msg.msg_iovlen;
			addr = msg.msg_name;
			addrlen = msg.msg_namelen;
			flags = nr == VIV_NR_sendmsg ? ARG(2) : ARG(3);
		}
		/* With no buffer (msg_iovlen 0) nothing is sent, whatever msg_iov points to. */
		if (count)
			bpf_probe_read_user(&iov, sizeof(iov), iovs);
		payload = iov.iov_base;
		len = iov.iov_len;
	}
	type = BPF_CORE_READ(sock, type);
	if (type == VIV_SOCK_DGRAM && m->dns_ports[0] && put_dns_destination(s, sock, addr, addrlen, VIV_USER, m)) {
		if (flags & VIV_MSG_ZEROCOPY)
			return dns_undecoded(e, nr); /* the pages go out after the call: what they say then is unknown */
		e->mode = addr ? VIV_DNS_ADDRESSED : VIV_DNS_CONNECTED; /* named: judged like a connect too */
		put_dns_message(s, iovs, count, false, payload, len);
		return several_alike(s, nr, true) ? VIV_KIND_DNS : several_unlike(e, nr);
	}
	/* A stream to a DNS port: its peer's, but for TCP fast open, whose
	 * address names it (an lsm hook runs before the socket has a peer; a
	 * connected stream ignores an address). Fast open's message rides the
	 * SYN, undecoded: when none was sent, its connect is judged below. */
	fastopen = type == VIV_SOCK_STREAM && addr && (flags & VIV_MSG_FASTOPEN);
	if (type == VIV_SOCK_STREAM && m->dns_ports[0] &&
	    (fastopen ? put_dns_destination(s, sock, addr, addrlen, VIV_USER, m) : put_peer_sockaddr(s, sock, m)) &&
	    (ret > 0 || ret == VIV_AT_HOOK || !fastopen)) {
		if (ret <= 0 && ret != VIV_AT_HOOK)
			return 0; /* nothing written */
		if (fastopen || (flags & VIV_MSG_ZEROCOPY) || (nr == VIV_NR_sendmmsg && ARG(2) > 1) ||
		    BPF_CORE_READ(sock, sk, sk_protocol) != VIV_IPPROTO_TCP)
			return dns_undecoded(e, nr);
		return put_segment(s, sock, iovs, count, payload, len, ret);
	}
	event_of(s)->len[VIV_FIELD_BASE] = 0;
	if (!addr || !addrlen || (type == VIV_SOCK_STREAM && !(flags & VIV_MSG_FASTOPEN)))
		return 0;
	e->aux = ARG(0);
	/* A datagram's destination is read back from the caller's memory: a
	 * thread rewriting it during the call goes unseen (the lsm hook reads
	 * the kernel's copy). TCP fast open's stream keeps it. */
	if (type != VIV_SOCK_STREAM || (ret < 0 && ret != -VIV_EINPROGRESS) || !put_connected_peer(s, sock))
		put_bytes(s, VIV_FIELD_EXTRA, addr, sockaddr_len(addrlen), VIV_USER);
	return several_alike(s, nr, false) ? kind : several_unlike(e, nr);
}

/* sendfile, splice: bytes from a file or a pipe, which no decoder reads. To
 * a DNS port they fail closed; to anywhere else the socket's connect was
 * reported (an unconnected datagram socket sends nothing this way). */
DECODER(spliced)
{
	struct viv_meta *m = get_meta();
	struct socket *sock = fd_socket(nr == VIV_NR_sendfile ? ARG(0) : ARG(2));

	if (!sock || !m || ret <= 0 ||
	    !is_dns_port(m, bpf_ntohs(BPF_CORE_READ(sock, sk, __sk_common.skc_dport))))
		return 0;
	return dns_undecoded(event_of(s), nr);
}

/* Whether the *at syscall nr takes a dirfd first. */
static __always_inline bool takes_dirfd(long nr)
{
	return nr == VIV_NR_unlinkat || nr == VIV_NR_mkdirat || nr == VIV_NR_mknodat || nr == VIV_NR_fchmodat ||
	       nr == VIV_NR_fchmodat2 || nr == VIV_NR_fchownat || nr == VIV_NR_futimesat || nr == VIV_NR_utimensat ||
	       nr == VIV_NR_setxattrat || nr == VIV_NR_removexattrat;
}

/* Whether a symlink in the path's last component is followed. */
static __always_inline bool follows_last(struct pt_regs *regs, long nr, __u16 kind)
{
	if (kind == VIV_KIND_UNLINK || kind == VIV_KIND_RMDIR || kind == VIV_KIND_MKDIR || kind == VIV_KIND_MKNOD)
		return false; /* these act on the entry itself */
	if (nr == VIV_NR_lchown || nr == VIV_NR_lsetxattr || nr == VIV_NR_lremovexattr)
		return false;
	if (nr == VIV_NR_fchmodat2)
		return !(ARG(3) & VIV_AT_SYMLINK_NOFOLLOW);
	if (nr == VIV_NR_fchownat)
		return !(ARG(4) & VIV_AT_SYMLINK_NOFOLLOW);
	if (nr == VIV_NR_utimensat)
		return !(ARG(3) & VIV_AT_SYMLINK_NOFOLLOW);
	if (nr == VIV_NR_setxattrat || nr == VIV_NR_removexattrat)
		return !(ARG(2) & VIV_AT_SYMLINK_NOFOLLOW);
	return true;
}

/* PATH: where the path argument leads (resolved), REQUESTED: as passed. */
static __always_inline void put_path_arg(struct viv_scratch *s, struct pt_regs *regs, long nr, __u16 kind)
{
	int dirfd = takes_dirfd(nr) ? (int)ARG(0) : VIV_AT_FDCWD;
	const char *path = takes_dirfd(nr) ? ARG_STR(1) : ARG_STR(0);

	put_resolved(s, VIV_FIELD_PATH, dirfd, (__u64)path, follows_last(regs, nr, kind));
	put_str(s, VIV_FIELD_REQUESTED, path, VIV_USER);
}

/* One path argument: unlink, rmdir, unlinkat (rmdir with AT_REMOVEDIR),
 * mkdir(at) and chmod, fchmodat(2) (mode), mknod(at) (mode, aux = device),
 * chown, lchown, fchownat (aux = uid, mode = gid), truncate, utime(s),
 * futimesat, utimensat (aux = the syscall; utimensat with no path acts on
 * its fd). */
DECODER(path)
{
	struct viv_event *e = event_of(s);
	bool at = takes_dirfd(nr);

	if (kind == VIV_KIND_MKDIR || kind == VIV_KIND_CHMOD || kind == VIV_KIND_MKNOD)
		e->mode = at ? ARG(2) : ARG(1);
	if (kind == VIV_KIND_MKNOD)
		e->aux = at ? ARG(3) : ARG(2);
	if (kind == VIV_KIND_CHOWN) {
		e->aux = at ? ARG(2) : ARG(1);
		e->mode = at ? ARG(3) : ARG(2);
	}
	if (kind == VIV_KIND_TRUNCATE || kind == VIV_KIND_UTIME)
		e->aux = nr;
	if (nr == VIV_NR_unlinkat && (ARG(2) & VIV_AT_REMOVEDIR))
		kind = VIV_KIND_RMDIR;
	if (nr == VIV_NR_utimensat && !ARG(1)) {
		put_fd_path(s, VIV_FIELD_PATH, ARG(0));
		return kind;
	}
	put_path_arg(s, regs, nr, kind);
	return kind;
}

/* fchmod (mode), fchown (aux = uid, mode = gid), ftruncate (aux = the
 * syscall): PATH = the fd's file. */
DECODER(fd_path)
{
	struct viv_event *e = event_of(s);

	if (kind == VIV_KIND_CHMOD) {
		e->mode = ARG(1);
	} else if (kind == VIV_KIND_CHOWN) {
		e->aux = ARG(1);
		e->mode = ARG(2);
	} else {
		e->aux = nr;
	}
	put_fd_path(s, VIV_FIELD_PATH, ARG(0));
	return kind;
}

/* The xattr family: PATH (resolved, or the fd's file), REQUESTED, EXTRA =
 * the attribute's name; aux = 1 for a removal. */
DECODER(xattr)
{
	struct viv_event *e = event_of(s);
	bool by_fd = nr == VIV_NR_fsetxattr || nr == VIV_NR_fremovexattr;
	int name_arg = by_fd || !takes_dirfd(nr) ? 1 : 3;

	e->aux = nr == VIV_NR_removexattr || nr == VIV_NR_lremovexattr || nr == VIV_NR_fremovexattr || nr == VIV_NR_removexattrat;
	if (by_fd)
		put_fd_path(s, VIV_FIELD_PATH, ARG(0));
	else
		put_path_arg(s, regs, nr, kind);
	put_str(s, VIV_FIELD_EXTRA, name_arg == 1 ? ARG_STR(1) : ARG_STR(3), VIV_USER);
	return kind;
}

/* rename(at,at2), link(at): PATH = the old path, resolved, REQUESTED = as
 * passed; EXTRA = the new path, resolved. renameat2's flags in open_flags. */
DECODER(two_paths)
{
	int olddir = VIV_AT_FDCWD, newdir = VIV_AT_FDCWD;
	const char *oldpath, *newpath;
	bool follow = nr == VIV_NR_linkat && (ARG(4) & VIV_AT_SYMLINK_FOLLOW);

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
	put_resolved(s, VIV_FIELD_PATH, olddir, (__u64)oldpath, follow);
	put_str(s, VIV_FIELD_REQUESTED, oldpath, VIV_USER);
	put_resolved(s, VIV_FIELD_EXTRA, newdir, (__u64)newpath, false);
	return kind;
}

/* symlink(at): PATH = the new link, resolved; REQUESTED = its target,
 * verbatim (not resolved at creation); EXTRA = the link as passed. */
DECODER(symlink)
{
	int dirfd = nr == VIV_NR_symlink ? VIV_AT_FDCWD : ARG(1);
	const char *link = nr == VIV_NR_symlink ? ARG_STR(1) : ARG_STR(2);

	put_resolved(s, VIV_FIELD_PATH, dirfd, (__u64)link, false);
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

/* Signals to another process: aux = target pid (as passed, or the host's
 * pid a pidfd refers to), mode = signal. A process signalling itself is not an
 * event. */
DECODER(kill)
{
	struct viv_event *e = event_of(s);
	__u32 target = ARG(0);

	if (nr == VIV_NR_pidfd_send_signal) {
		/* The pid a pidfd refers to (the host's number). */
		struct file *file = fd_file(ARG(0));
		struct pid *pid = file ? BPF_CORE_READ(file, private_data) : 0;

		target = pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
		if (target == bpf_get_current_pid_tgid() >> 32)
			return 0;
	} else if (nr != VIV_NR_tkill && is_own_pid(target)) {
		return 0;
	}
	e->aux = target;
	e->mode = nr == VIV_NR_tgkill || nr == VIV_NR_rt_tgsigqueueinfo ? ARG(2) : ARG(1);
	return kind;
}

/* The mount family, aux = enum viv_mount_op. mount: REQUESTED + BASE =
 * target, EXTRA = source, PATH = fstype, open_flags = flags. umount2: the
 * target. move_mount: REQUESTED + BASE = where to, EXTRA = from. open_tree,
 * fspick, mount_setattr: the path they act on. fsopen: PATH = fstype.
 * fsconfig: EXTRA = the key. fsmount: nothing but the op. */
DECODER(mount)
{
	struct viv_event *e = event_of(s);

	if (nr == VIV_NR_umount2) {
		e->aux = VIV_MOUNT_OP_UMOUNT;
		e->open_flags = ARG(1);
		put_requested(s, VIV_AT_FDCWD, ARG_STR(0));
	} else if (nr == VIV_NR_mount) {
		e->aux = VIV_MOUNT_OP_MOUNT;
		e->open_flags = ARG(3);
		put_str(s, VIV_FIELD_PATH, ARG_STR(2), VIV_USER);
		put_requested(s, VIV_AT_FDCWD, ARG_STR(1));
		put_str(s, VIV_FIELD_EXTRA, ARG_STR(0), VIV_USER);
	} else if (nr == VIV_NR_move_mount) {
		e->aux = VIV_MOUNT_OP_MOVE_MOUNT;
		e->open_flags = ARG(4);
		put_requested(s, ARG(2), ARG_STR(3));
		put_str(s, VIV_FIELD_EXTRA, ARG_STR(1), VIV_USER);
	} else if (nr == VIV_NR_fsopen) {
		e->aux = VIV_MOUNT_OP_FSOPEN;
		put_str(s, VIV_FIELD_PATH, ARG_STR(0), VIV_USER);
	} else if (nr == VIV_NR_fsconfig) {
		e->aux = VIV_MOUNT_OP_FSCONFIG;
		e->open_flags = ARG(1);
		put_str(s, VIV_FIELD_EXTRA, ARG_STR(2), VIV_USER);
	} else if (nr == VIV_NR_fsmount) {
		e->aux = VIV_MOUNT_OP_FSMOUNT;
		e->open_flags = ARG(1);
	} else {
		e->aux = nr == VIV_NR_fspick ? VIV_MOUNT_OP_FSPICK
			 : nr == VIV_NR_mount_setattr ? VIV_MOUNT_OP_MOUNT_SETATTR
						       : VIV_MOUNT_OP_OPEN_TREE;
		e->open_flags = ARG(2);
		put_requested(s, ARG(0), ARG_STR(1));
	}
	return kind;
}

#define VIV_BPF_MAP_UPDATE_ELEM 2
#define VIV_BPF_MAP_DELETE_ELEM 3
#define VIV_BPF_OBJ_GET 7
#define VIV_BPF_MAP_GET_FD_BY_ID 14
#define VIV_BPF_MAP_LOOKUP_AND_DELETE_ELEM 21
#define VIV_BPF_MAP_DELETE_BATCH 27
#define VIV_BPF_MAP_UPDATE_BATCH 26
#define VIV_FMODE_WRITE 0x2

/* The maps that say who is observed and where their events go. */
static __always_inline bool is_own_map(const void *map)
{
	return map && (map == (void *)&config_targets || map == (void *)&observed_tgids || map == (void *)&ring_owner ||
		       map == (void *)&rings || map == (void *)&controls || map == (void *)&counters || map == (void *)&meta);
}

/* Whether fd is a writable fd of one of those maps: through it a mapping
 * (observed_tgids is mmapable) is written with plain stores no bpf() call shows. */
static __always_inline bool writable_own_map(int fd)
{
	struct file *file = fd_file(fd);

	return file && (BPF_CORE_READ(file, f_mode) & VIV_FMODE_WRITE) && is_own_map(BPF_CORE_READ(file, private_data));
}

/* Whether the call wrote one of Vivarium's own maps, or took a writable fd
 * of one (bpf() by pin or id, pidfd_getfd from vivariumd): test code
 * rewriting its own observation. */
static __always_inline bool reaches_own_maps(long nr, long ret, int cmd, const void *attr)
{
	__u32 map_fd = 0;

	if (nr == VIV_NR_pidfd_getfd || (nr == VIV_NR_bpf && (cmd == VIV_BPF_OBJ_GET || cmd == VIV_BPF_MAP_GET_FD_BY_ID)))
		return ret >= 0 && writable_own_map(ret);
	if (nr != VIV_NR_bpf ||
	    (cmd != VIV_BPF_MAP_UPDATE_ELEM && cmd != VIV_BPF_MAP_DELETE_ELEM && cmd != VIV_BPF_MAP_LOOKUP_AND_DELETE_ELEM &&
	     cmd != VIV_BPF_MAP_DELETE_BATCH && cmd != VIV_BPF_MAP_UPDATE_BATCH))
		return false;
	/* map_fd leads every element and batch command's attributes. */
	bpf_probe_read_user(&map_fd, sizeof(map_fd), attr);
	return is_own_map(BPF_CORE_READ(fd_file(map_fd), private_data));
}

/* Privileged acts: mode = the syscall, aux and open_flags = its first two
 * arguments; chroot and pivot_root: PATH = the new root, resolved;
 * finit_module: PATH = the module file; delete_module: PATH = the module's
 * name; a call reaching Vivarium's own maps is flagged. */
DECODER(privileged)
{
	struct viv_event *e = event_of(s);

	e->mode = nr;
	e->aux = ARG(0);
	e->open_flags = ARG(1);
	if (reaches_own_maps(nr, ret, ARG(0), (const void *)ARG(1)))
		e->flags |= VIV_EF_OWN_MAPS;
	if (nr == VIV_NR_chroot || nr == VIV_NR_pivot_root) {
		put_resolved(s, VIV_FIELD_PATH, VIV_AT_FDCWD, ARG(0), true);
		put_str(s, VIV_FIELD_REQUESTED, ARG_STR(0), VIV_USER);
	} else if (nr == VIV_NR_finit_module) {
		put_fd_path(s, VIV_FIELD_PATH, ARG(0));
	} else if (nr == VIV_NR_delete_module) {
		put_str(s, VIV_FIELD_PATH, ARG_STR(0), VIV_USER);
	}
	return kind;
}

/* io_uring: its operations run inside the kernel, not as syscalls, so this
 * backend cannot tell what they do. The event says so (the lsm backend sees
 * the operations themselves). */
DECODER(io_uring)
{
	event_of(s)->aux = VIV_BLIND_IO_URING;
	event_of(s)->mode = nr;
	return kind;
}

#define VIV_AF_NETLINK 16
#define VIV_AF_PACKET 17
#define VIV_SOCK_RAW 3
#define VIV_SOCK_TYPE_MASK 0xf
#define VIV_NETLINK_ROUTE 0

/* socket(): raw, packet and netlink sockets only (ordinary ones are seen
 * when they connect or send): aux = family, open_flags = type, mode =
 * protocol. Not NETLINK_ROUTE: the C library opens one to list interfaces
 * and addresses (getaddrinfo with AI_ADDRCONFIG, which Node's net.connect
 * asks for by name; getifaddrs, os.networkInterfaces()). */
DECODER(socket)
{
	struct viv_event *e = event_of(s);
	int family = ARG(0), type = ARG(1);

	if (family != VIV_AF_NETLINK && family != VIV_AF_PACKET && (type & VIV_SOCK_TYPE_MASK) != VIV_SOCK_RAW)
		return 0;
	if (family == VIV_AF_NETLINK && ARG(2) == VIV_NETLINK_ROUTE)
		return 0;
	e->aux = family;
	e->open_flags = type;
	e->mode = ARG(2);
	return kind;
}

/* getdents64: PATH = the directory listed. A call that returned nothing
 * more (0, the end of the listing) is not reported: one listing, one event
 * per batch of entries. */
DECODER(list)
{
	if (ret == 0)
		return 0;
	put_fd_path(s, VIV_FIELD_PATH, ARG(0));
	return kind;
}

/* Every decoder above, once. */
#define VIV_DECODERS(X)                                                                                  \
	X(open) X(exec) X(connect) X(send) X(spliced) X(path) X(fd_path) X(xattr) X(two_paths) X(symlink) \
	X(creds) X(ptrace) X(kill) X(mount) X(privileged) X(io_uring) X(socket) X(list)

#define VIV_DECODER_ID(name) VIV_DEC_##name,
enum viv_decoder { VIV_DEC_NONE = 0, VIV_DECODERS(VIV_DECODER_ID) };

/* A row of one hook family (VIV_HOOK_ANY: any): its decoder and kind. */
#define VIV_ROW_CASE(family, name, kind_, decoder, hook)                                                 \
	case VIV_NR_##name:                                                                              \
		if ((family) != VIV_HOOK_ANY && (family) != VIV_HOOK_##hook)                               \
			return 0;                                                                        \
		dec = VIV_DEC_##decoder;                                                                 \
		kind = VIV_KIND_##kind_;                                                                 \
		break;

#define VIV_DECODER_CASE(name)                                                                           \
	case VIV_DEC_##name:                                                                             \
		return dec_##name(s, regs, nr, ret, kind);

/* Decodes syscall nr if the table lists it for `family`; returns the event's kind, or 0. */
static __always_inline __u16 decode_syscall(struct viv_scratch *s, struct pt_regs *regs, long nr, long ret,
					    enum viv_hook_family family)
{
	enum viv_decoder dec;
	__u16 kind;

	switch (nr) {
		VIV_SYSCALLS(VIV_ROW_CASE, family)
	default:
		return 0;
	}
	switch (dec) {
		VIV_DECODERS(VIV_DECODER_CASE)
	default:
		return 0;
	}
}

/* Calls listed for sockets only, and frequent (write the most frequent of
 * all): one to anything but a socket is none of ours. */
static __always_inline bool not_to_a_socket(struct pt_regs *regs, long nr)
{
	if (nr == VIV_NR_write || nr == VIV_NR_writev || nr == VIV_NR_pwritev2 || nr == VIV_NR_sendfile)
		return !fd_socket(VIV_ARG(regs, 0));
	return nr == VIV_NR_splice && !fd_socket(VIV_ARG(regs, 2));
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
	if (not_to_a_socket(regs, nr))
		return; /* before a record is begun */
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

/* An i386 system call (int 0x80) by a task of a 64-bit program (an i386
 * program is no longer followed from its exec): its number and arguments
 * are i386's, which the table's rows do not describe, so it fails closed. */
static __always_inline void report_compat_syscall(struct task_struct *task, long nr, long ret)
{
	struct viv_target *t = lookup_target(task);
	struct viv_scratch *s;
	struct viv_event *e;

	if (!t)
		return;
	s = get_scratch();
	if (!s)
		return;
	e = start_event(s, t, VIV_KIND_UNOBSERVABLE, ret);
	e->aux = VIV_BLIND_COMPAT_SYSCALL;
	e->mode = nr;
	submit_event(s, t->slot);
}

#undef ARG
#undef ARG_STR

#endif /* __VIV_DECODERS_BPF_H */
