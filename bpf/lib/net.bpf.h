/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Sockets: the socket behind an fd, and where a datagram goes. */
#ifndef __VIV_NET_BPF_H
#define __VIV_NET_BPF_H

#include "path.bpf.h"

#define VIV_S_IFMT 00170000
#define VIV_S_IFSOCK 0140000
#define VIV_SOCK_DGRAM 2
#define VIV_AF_INET 2
#define VIV_AF_INET6 10
#define VIV_SOCKADDR_MAX 128
#define VIV_DNS_MAX 512
#define VIV_EINPROGRESS 115

/* The socket behind fd, or 0 when fd is not a socket. */
static __always_inline struct socket *fd_socket(int fd)
{
	struct file *file = fd_file(fd);

	if (!file)
		return 0;
	if (viv_direct_loads) {
		struct file *f = typed(struct file, file);

		return (f->f_inode->i_mode & VIV_S_IFMT) == VIV_S_IFSOCK ? f->private_data : 0;
	}
	if ((BPF_CORE_READ(file, f_inode, i_mode) & VIV_S_IFMT) != VIV_S_IFSOCK)
		return 0;
	return BPF_CORE_READ(file, private_data);
}

/* A sockaddr length, at most VIV_SOCKADDR_MAX, opaque to the compiler so
 * put_bytes keeps the mask the verifier needs. */
static __always_inline __u32 sockaddr_len(long len)
{
	__u32 n = len < 0 ? 0 : len > VIV_SOCKADDR_MAX ? VIV_SOCKADDR_MAX : len;

	barrier_var(n);
	return n;
}

/* Whether port (host order) is one of the DNS ports. */
static __always_inline bool is_dns_port(struct viv_meta *m, __u16 port)
{
	return port && (port == m->dns_ports[0] || port == m->dns_ports[1] || port == m->dns_ports[2] ||
			port == m->dns_ports[3]);
}

/* field: the peer an IPv4 or IPv6 socket is connected to (or connecting
 * to), as a sockaddr; false when it is of another family or has none. The
 * field must be the last one written. */
static __always_inline bool put_sock_peer(struct viv_scratch *s, enum viv_field field, struct sock *sk)
{
	struct viv_event *e = event_of(s);
	__u32 off = field_offset(e, field) & VIV_EVENT_MASK;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (!BPF_CORE_READ(sk, __sk_common.skc_dport))
		return false;
	if (family == VIV_AF_INET) {
		struct sockaddr_in sin = {};

		sin.sin_family = family;
		sin.sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		sin.sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		bpf_probe_read_kernel(&s->event[off], sizeof(sin), &sin);
		e->len[field] = sizeof(sin);
		return true;
	}
	if (family == VIV_AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		sin6.sin6_family = family;
		sin6.sin6_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		BPF_CORE_READ_INTO(&sin6.sin6_addr, sk, __sk_common.skc_v6_daddr);
		bpf_probe_read_kernel(&s->event[off], sizeof(sin6), &sin6);
		e->len[field] = sizeof(sin6);
		return true;
	}
	return false;
}

/* BASE: the connected peer of a socket as a sockaddr, if its port is a DNS
 * port (a send with no address goes there). */
static __always_inline bool put_peer_sockaddr(struct viv_scratch *s, struct socket *sock, struct viv_meta *m)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	return is_dns_port(m, bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport))) && put_sock_peer(s, VIV_FIELD_BASE, sk);
}

/* EXTRA: where a socket that connected (connect, TCP fast open) really
 * goes, from the socket: the caller's sockaddr may have been rewritten by
 * another thread since the kernel copied it, and sys_exit reads it after. */
static __always_inline bool put_connected_peer(struct viv_scratch *s, struct socket *sock)
{
	return sock && put_sock_peer(s, VIV_FIELD_EXTRA, BPF_CORE_READ(sock, sk));
}

/* BASE: where a DNS message goes, if that is a DNS port: the address
 * passed (from user or kernel memory), or else the connected peer. */
static __always_inline bool put_dns_destination(struct viv_scratch *s, struct socket *sock, const void *addr,
						 long addrlen, enum viv_mem mem, struct viv_meta *m)
{
	__u16 head[2] = {};

	if (!addr)
		return put_peer_sockaddr(s, sock, m);
	if (mem == VIV_USER)
		bpf_probe_read_user(head, sizeof(head), addr);
	else
		bpf_probe_read_kernel(head, sizeof(head), addr);
	if ((head[0] != VIV_AF_INET && head[0] != VIV_AF_INET6) || !is_dns_port(m, bpf_ntohs(head[1])))
		return false;
	put_bytes(s, VIV_FIELD_BASE, addr, sockaddr_len(addrlen), mem);
	return true;
}

#define VIV_DNS_BUFFERS 4 /* a DNS message's buffers copied, at most */

/* Copies of a message's buffers into EXTRA, one buffer per bpf_loop step
 * (a loop the verifier would walk once per buffer and per path). */
struct message_copy {
	struct viv_scratch *s;
	const struct iovec *iovs;
	__u64 count;
	__u32 off, have;
	bool kernel_iovs; /* iovs is the kernel's copy of the array (an lsm hook's iov_iter) */
};

/* Appends up to len bytes of user memory at src; false once EXTRA holds
 * VIV_DNS_MAX bytes or the memory cannot be read. */
static __always_inline bool copy_bytes(struct message_copy *c, const void *src, __u64 len)
{
	__u32 have = c->have, n;

	if (have >= VIV_DNS_MAX)
		return false;
	n = len < VIV_DNS_MAX - have ? len : VIV_DNS_MAX - have;
	barrier_var(n);
	n &= 2 * VIV_DNS_MAX - 1;
	if (bpf_probe_read_user(&c->s->event[(c->off + have) & VIV_EVENT_MASK], n, src))
		return false;
	c->have = have + n;
	return true;
}

/* Buffer i + 1: the caller copied the first. */
static long copy_buffer(__u32 i, void *data)
{
	struct message_copy *c = data;
	struct iovec iov = {};
	long err;

	if (i + 1 >= c->count)
		return 1;
	err = c->kernel_iovs ? bpf_probe_read_kernel(&iov, sizeof(iov), &c->iovs[i + 1])
			     : bpf_probe_read_user(&iov, sizeof(iov), &c->iovs[i + 1]);
	return !err && copy_bytes(c, iov.iov_base, iov.iov_len) ? 0 : 1;
}

/* EXTRA: the first bytes of a DNS message (a datagram, or a write on a
 * stream), from its first VIV_DNS_BUFFERS buffers: payload and len are the
 * first, as the caller read it (each buffer is read once), iovs[1..count)
 * the rest (iovs 0: one buffer). A question split across buffers is read
 * whole; what is not copied is unknown, and a name it cuts is unparsed. */
static __always_inline void put_dns_message(struct viv_scratch *s, const struct iovec *iovs, __u64 count,
					    bool kernel_iovs, const void *payload, __u64 len)
{
	struct viv_event *e = event_of(s);
	struct message_copy c = {
		.s = s, .iovs = iovs, .count = count, .off = field_offset(e, VIV_FIELD_EXTRA), .kernel_iovs = kernel_iovs,
	};

	if (copy_bytes(&c, payload, len) && iovs && count > 1)
		bpf_loop(VIV_DNS_BUFFERS - 1, copy_buffer, &c, 0);
	e->len[VIV_FIELD_EXTRA] = c.have & VIV_FIELD_MASK;
}

#endif /* __VIV_NET_BPF_H */
