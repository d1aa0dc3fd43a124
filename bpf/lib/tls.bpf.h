/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* HTTP requests sent through TLS, seen as plaintext at the TLS library's
 * write calls (SSL_write, SSL_write_ex: uprobes on the `node` binary, whose
 * OpenSSL is linked in, and on libssl for children such as curl): their
 * arguments at entry, their success at return.
 * The programs are viv_uprobe_http (entry) and viv_uret_http (return) in
 * uprobes.bpf.h; vivariumd's attach table puts them on both functions.
 *
 * What leaves the kernel is bounded and never a body:
 *   HTTP/1.x  the request line with its query cut off, and the Host value,
 *             extracted here from the first VIV_HTTP_PEEK bytes of the write
 *             (no other header, no body);
 *   HTTP/2    on a connection whose preface was seen, the HEADERS and
 *             CONTINUATION frames of the write (header and payload, at most
 *             VIV_H2_BLOCK bytes in all): HPACK is stateful, so user space
 *             needs whole header blocks to follow the dynamic table; it keeps
 *             :method, :authority and :path and drops the rest. DATA and
 *             every other frame are skipped. */
#ifndef __VIV_TLS_BPF_H
#define __VIV_TLS_BPF_H

#include "record.bpf.h"

#define VIV_HTTP_PEEK 1024 /* bytes of an HTTP/1 write read, at most (a power of 2) */
#define VIV_H2_FRAMES 32   /* frames of a write walked, at most */
#define VIV_H2_BLOCK 2048  /* header block bytes copied per write, at most (a power of 2) */
#define VIV_H2_PREFACE_LEN 24

/* HTTP/2 connections, by process and SSL object: their first write was the
 * client preface. Later writes are frames, and a frame may go on in the next
 * write: its rest is skipped there, so a body's bytes are never read as a
 * frame header. A frame header cut by a write loses the connection: every
 * later write then says so, and user space fails its requests closed. */
struct viv_h2_key {
	__u32 tgid;
	__u32 reserved;
	__u64 ssl;
};

struct viv_h2_conn {
	__u32 skip; /* bytes of a frame begun in an earlier write, still to come */
	__u32 lost; /* the frames can no longer be followed */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct viv_h2_key);
	__type(value, struct viv_h2_conn);
} h2_connections SEC(".maps");

/* States of the HTTP/1 scan. */
enum h1_state {
	H1_METHOD,
	H1_TARGET,
	H1_QUERY,
	H1_VERSION,
	H1_LINE_START,
	H1_NAME,
	H1_SKIP_LINE,
	H1_HOST_SPACE,
	H1_HOST,
};

/* The scan's state. It lives in a per-CPU map, not on the stack: the 6.1
 * verifier takes the caller's stack back from bpf_loop as it was before the
 * call, and would fold the checks of the outcome away (the path walks keep
 * their state in a map for the same reason). */
struct h1_scan {
	__u32 n;       /* bytes read into s->walk */
	__u32 state;   /* enum h1_state */
	__u32 at;      /* chars of the method, "HTTP/" or "host:" matched */
	__u32 line;    /* bytes of the request line written (field REQUESTED) */
	__u32 host;    /* bytes of the Host value written (field BASE) */
	__u32 outcome; /* 0 scanning, 1 complete, 2 not HTTP/1 */
};

enum { H1_SCANNING, H1_COMPLETE, H1_NOT_HTTP };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct h1_scan);
} h1_scans SEC(".maps");

/* What bpf_loop hands each step (its context must be on the stack). */
struct h1_ctx {
	struct viv_scratch *s;
	struct h1_scan *h;
};

/* "HTTP/" and "host:" as little-endian words: a byte of them needs no
 * memory (an array would become a .rodata.cst8 section libbpf 1.1 mishandles). */
#define H1_HTTP_WORD 0x2f50545448ULL
#define H1_HOST_WORD 0x3a74736f68ULL

static __always_inline char word_char(__u64 word, __u32 at)
{
	return (word >> ((at & 7) * 8)) & 0xff;
}

static __always_inline void h1_put_line(struct viv_scratch *s, struct h1_scan *h, char c)
{
	__u32 at = sizeof(struct viv_event) + (h->line & (VIV_HTTP_PEEK - 1));

	s->event[at & VIV_EVENT_MASK] = c;
	h->line++;
}

static __always_inline void h1_put_host(struct viv_scratch *s, struct h1_scan *h, char c)
{
	__u32 at = sizeof(struct viv_event) + (h->line & (VIV_HTTP_PEEK - 1)) + (h->host & (VIV_HTTP_PEEK - 1));

	s->event[at & VIV_EVENT_MASK] = c;
	h->host++;
}

/* One byte of the write: the request line is copied without its query, the
 * header lines are skipped but for Host, whose value is copied. */
static long h1_step(__u32 i, void *ctx)
{
	struct viv_scratch *s = ((struct h1_ctx *)ctx)->s;
	struct h1_scan *h = ((struct h1_ctx *)ctx)->h;
	char c, lower;

	if (i >= h->n)
		return 1;
	c = s->walk[i & (VIV_HTTP_PEEK - 1)];
	switch (h->state) {
	case H1_METHOD:
		if (c == ' ' && h->at > 0) {
			h1_put_line(s, h, c);
			h->state = H1_TARGET;
		} else if (c >= 'A' && c <= 'Z' && h->at < 20) {
			h1_put_line(s, h, c);
			h->at++;
		} else {
			h->outcome = H1_NOT_HTTP;
			return 1;
		}
		break;
	case H1_TARGET:
	case H1_QUERY:
		if (c == ' ') {
			h1_put_line(s, h, c);
			h->state = H1_VERSION;
			h->at = 0;
		} else if (c == '\r' || c == '\n') {
			h->outcome = H1_NOT_HTTP;
			return 1;
		} else if (h->state == H1_QUERY) {
			/* Never copied: a query string may carry tokens. */
		} else if (c == '?' || c == '#') {
			h->state = H1_QUERY;
		} else {
			h1_put_line(s, h, c);
		}
		break;
	case H1_VERSION:
		if (h->at < 5) {
			if (c != word_char(H1_HTTP_WORD, h->at)) {
				h->outcome = H1_NOT_HTTP;
				return 1;
			}
			h->at++;
			h1_put_line(s, h, c);
		} else if (c == '\n') {
			h->state = H1_LINE_START;
		} else if (c != '\r' && h->at < 16) {
			h->at++;
			h1_put_line(s, h, c);
		}
		break;
	case H1_LINE_START:
		if (c == '\r' || c == '\n') {
			/* The end of the header block, and no Host. */
			h->outcome = H1_COMPLETE;
			return 1;
		}
		h->at = 0;
		h->state = H1_NAME;
		/* fallthrough */
	case H1_NAME:
		lower = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		if (lower != word_char(H1_HOST_WORD, h->at)) {
			h->state = c == '\n' ? H1_LINE_START : H1_SKIP_LINE;
		} else if (++h->at == 5) {
			h->state = H1_HOST_SPACE;
		}
		break;
	case H1_SKIP_LINE:
		if (c == '\n')
			h->state = H1_LINE_START;
		break;
	case H1_HOST_SPACE:
		if (c == ' ' || c == '\t')
			break;
		h->state = H1_HOST;
		/* fallthrough */
	case H1_HOST:
		if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
			h->outcome = H1_COMPLETE;
			return 1;
		}
		h1_put_host(s, h, c);
		break;
	}
	return 0;
}

/* An HTTP/1 request head at the start of the write: its request line
 * (query cut) into REQUESTED, its Host value into BASE. A line or Host cut
 * by VIV_HTTP_PEEK is marked truncated: user space fails it closed. */
static __always_inline int h1_report(struct viv_scratch *s, struct viv_target *t, __u64 ssl, const void *buf,
				     __u32 num)
{
	struct viv_event *e;
	struct h1_scan *h;
	struct h1_ctx ctx;
	__u32 zero = 0, n = num > VIV_HTTP_PEEK ? VIV_HTTP_PEEK : num;

	barrier_var(n);
	n &= (2 * VIV_HTTP_PEEK - 1);
	if (n == 0 || n > VIV_HTTP_PEEK || bpf_probe_read_user(s->walk, n, buf))
		return 0;
	/* Cheapest test first: most writes are not a request head. */
	if (s->walk[0] < 'A' || s->walk[0] > 'Z')
		return 0;
	h = bpf_map_lookup_elem(&h1_scans, &zero);
	if (!h)
		return 0;
	__builtin_memset(h, 0, sizeof(*h));
	h->n = n;
	ctx.s = s;
	ctx.h = h;
	e = start_event(s, t, VIV_KIND_HTTP, num > 0x7fffffff ? 0x7fffffff : num);
	bpf_loop(VIV_HTTP_PEEK, h1_step, &ctx, 0);
	if (h->outcome == H1_NOT_HTTP)
		return 0;
	e->aux = VIV_HTTP_H1;
	e->open_flags = (__u32)ssl;
	e->mode = ssl >> 32;
	e->len[VIV_FIELD_REQUESTED] = h->line & (VIV_HTTP_PEEK - 1);
	e->len[VIV_FIELD_BASE] = h->host & (VIV_HTTP_PEEK - 1);
	if (h->state < H1_LINE_START) {
		/* A request line that goes on past what is read: reported cut (user
		 * space fails it closed) when all that was read is one; a short
		 * write that ends within its first line is not a request head. */
		if (n < VIV_HTTP_PEEK || h->state == H1_METHOD)
			return 0;
		mark_truncated(e, VIV_FIELD_REQUESTED);
	}
	if (h->outcome != H1_COMPLETE)
		mark_truncated(e, VIV_FIELD_BASE);
	submit_event(s, t->slot);
	return 0;
}

/* HTTP/2 frames of a write on a known HTTP/2 connection: HEADERS and
 * CONTINUATION frames, whole, into EXTRA. No event when there are none. */
static __always_inline int h2_report(struct viv_scratch *s, struct viv_target *t, __u64 ssl, const __u8 *buf,
				     __u32 num, __u32 start, struct viv_h2_conn *c)
{
	__u32 off = start ? VIV_H2_PREFACE_LEN : 0, out = 0, base = sizeof(struct viv_event);
	struct viv_event *e = start_event(s, t, VIV_KIND_HTTP, num > 0x7fffffff ? 0x7fffffff : num);
	__u8 h[9];
	int i;

	if (c->lost)
		goto report;
	if (c->skip >= num) {
		c->skip -= num; /* all of it the rest of one frame */
		return 0;
	}
	off += c->skip;
	c->skip = 0;
	for (i = 0; i < VIV_H2_FRAMES && off < num; i++) {
		__u32 len, copy;

		if (off + 9 > num || bpf_probe_read_user(h, sizeof(h), buf + off)) {
			c->lost = 1; /* a frame header cut: where the next one starts is not known */
			break;
		}
		len = ((__u32)h[0] << 16) | ((__u32)h[1] << 8) | h[2];
		if (off + 9 + len > num)
			c->skip = off + 9 + len - num;
		if (h[3] == 1 || h[3] == 9) { /* HEADERS, CONTINUATION */
			copy = 9 + len;
			if (off + copy > num) {
				copy = num - off; /* the frame goes on in the next write */
				mark_truncated(e, VIV_FIELD_EXTRA);
			}
			if (out + copy > VIV_H2_BLOCK) {
				copy = VIV_H2_BLOCK - out;
				mark_truncated(e, VIV_FIELD_EXTRA);
			}
			barrier_var(copy);
			copy &= (2 * VIV_H2_BLOCK - 1);
			if (copy > VIV_H2_BLOCK ||
			    bpf_probe_read_user(&s->event[(base + (out & (VIV_H2_BLOCK - 1))) & VIV_EVENT_MASK], copy,
						buf + off)) {
				mark_truncated(e, VIV_FIELD_EXTRA);
				break;
			}
			out += copy;
		}
		off += 9 + len;
	}
	if (off < num && !c->skip)
		c->lost = 1; /* more frames than are walked */
	if (out == 0 && !start && !c->lost)
		return 0;
report:
	e->aux = VIV_HTTP_H2 | (start ? VIV_HTTP_H2_START : 0) | (c->lost ? VIV_HTTP_H2_LOST : 0);
	e->open_flags = (__u32)ssl;
	e->mode = ssl >> 32;
	e->len[VIV_FIELD_EXTRA] = out & (2 * VIV_H2_BLOCK - 1);
	submit_event(s, t->slot);
	return 0;
}

/* A write of num bytes from buf on the connection ssl, by a target. */
static __always_inline int on_tls_write(void *ssl, const void *buf, __u64 num)
{
	static const char preface[VIV_H2_PREFACE_LEN] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct viv_h2_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .ssl = (__u64)ssl };
	struct viv_target *t = lookup_target(bpf_get_current_task_btf());
	struct viv_scratch *s;
	struct viv_h2_conn fresh = {}, *c;
	char head[VIV_H2_PREFACE_LEN];
	int i;

	if (!t || !buf || num == 0)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	if (num > 0xffffffff)
		num = 0xffffffff;
	/* The preface first: it starts a connection, even on an SSL object at
	 * the address of one that was freed without its SSL_free seen. */
	c = 0;
	if (num >= VIV_H2_PREFACE_LEN && !bpf_probe_read_user(head, sizeof(head), buf)) {
		for (i = 0; i < VIV_H2_PREFACE_LEN; i++)
			if (head[i] != preface[i])
				break;
		if (i == VIV_H2_PREFACE_LEN) {
			bpf_map_update_elem(&h2_connections, &key, &fresh, BPF_ANY);
			c = bpf_map_lookup_elem(&h2_connections, &key);
			return c ? h2_report(s, t, key.ssl, buf, num, 1, c) : 0;
		}
	}
	c = bpf_map_lookup_elem(&h2_connections, &key);
	if (c)
		return h2_report(s, t, key.ssl, buf, num, 0, c);
	return h1_report(s, t, key.ssl, buf, num);
}

/* SSL_free: the connection is over; its HTTP/2 state must not be taken
 * for that of a later connection whose SSL object gets the same address. */
static __always_inline int on_tls_free(void *ssl)
{
	struct viv_h2_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .ssl = (__u64)ssl };

	/* Only targets have connections here, as only targets are observed. */
	if (lookup_target(bpf_get_current_task_btf()))
		bpf_map_delete_elem(&h2_connections, &key);
	return 0;
}

/* A TLS write under way, by thread: what its return will report. Node
 * calls SSL_write again with the same bytes when the handshake is not done
 * (the first call fails with SSL_ERROR_WANT_READ), so only a write that
 * returned success is a request sent. */
struct viv_tls_write {
	__u64 ssl;
	__u64 buf;
	__u64 num;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct viv_tls_write);
} tls_writes SEC(".maps");

/* Entry of SSL_write or SSL_write_ex: (ssl, buf, num) alike; the cookie
 * (enum viv_tls_call) says whether num is an int or a size_t. Targets only. */
static __always_inline int on_tls_call(struct pt_regs *ctx, void *ssl, const void *buf, __u64 num)
{
	struct viv_tls_write w = { .ssl = (__u64)ssl, .buf = (__u64)buf, .num = num };
	__u64 id = bpf_get_current_pid_tgid();

	if (bpf_get_attach_cookie(ctx) == VIV_TLS_SSL_WRITE) {
		int n = (int)num;

		if (n <= 0)
			return 0;
		w.num = n;
	}
	if (!buf || !lookup_target(bpf_get_current_task_btf()))
		return 0;
	bpf_map_update_elem(&tls_writes, &id, &w, BPF_ANY);
	return 0;
}

/* Return of SSL_write (bytes written) or SSL_write_ex (1): a write that
 * succeeded is looked at. OpenSSL 3 runs neither through the other: one
 * event per call. */
static __always_inline int on_tls_return(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct viv_tls_write *w = bpf_map_lookup_elem(&tls_writes, &id);
	struct viv_tls_write copy;

	if (!w)
		return 0;
	copy = *w;
	bpf_map_delete_elem(&tls_writes, &id);
	if ((int)ret <= 0)
		return 0;
	return on_tls_write((void *)copy.ssl, (const void *)copy.buf, copy.num);
}

#endif /* __VIV_TLS_BPF_H */
