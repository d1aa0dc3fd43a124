/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The record writer: a struct viv_event header, then its four variable
 * fields, assembled in per-CPU scratch and sent to the target's ring. */
#ifndef __VIV_RECORD_BPF_H
#define __VIV_RECORD_BPF_H

#include "targets.bpf.h"

/* Where a field's bytes come from. */
enum viv_mem {
	VIV_USER = 0,
	VIV_KERNEL = 1,
};

/* Header of a new record in the scratch buffer. */
static __always_inline struct viv_event *start_event(struct viv_scratch *s, struct viv_target *t, __u16 kind,
						     __s32 result)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u64 id = bpf_get_current_pid_tgid();

	e->ts_ns = bpf_ktime_get_ns();
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->epoch = target_epoch(t);
	e->kind = kind;
	e->flags = (t->flags & VIV_TF_CHILD) ? VIV_EF_CHILD : 0;
	e->result = result;
	e->open_flags = 0;
	e->mode = 0;
	e->aux = 0;
	e->dev = 0;
	e->reserved = 0;
	s->worker_mntns = t->mntns_inum;
	s->from_hook = 0;
	e->len[0] = 0;
	e->len[1] = 0;
	e->len[2] = 0;
	e->len[3] = 0;
	return e;
}

static __always_inline struct viv_event *event_of(struct viv_scratch *s)
{
	return (struct viv_event *)s->event;
}

/* Where field i starts: after the header and the fields before it. */
static __always_inline __u32 field_offset(struct viv_event *e, int field)
{
	__u32 off = sizeof(*e);

	if (field > 0)
		off += e->len[0] & VIV_FIELD_MASK;
	if (field > 1)
		off += e->len[1] & VIV_FIELD_MASK;
	if (field > 2)
		off += e->len[2] & VIV_FIELD_MASK;
	return off;
}

/* Field i's bytes were cut to VIV_FIELD_MAX. */
static __always_inline void mark_truncated(struct viv_event *e, int field)
{
	e->flags |= VIV_EF_TRUNCATED_PATH << field;
}

/* A NUL-terminated string into field i (the NUL is not kept). */
static __always_inline void put_str(struct viv_scratch *s, int field, const char *src, enum viv_mem mem)
{
	struct viv_event *e = event_of(s);
	__u32 off = field_offset(e, field) & VIV_EVENT_MASK;
	long n = mem == VIV_USER ? bpf_probe_read_user_str(&s->event[off], VIV_FIELD_MAX + 1, src)
				 : bpf_probe_read_kernel_str(&s->event[off], VIV_FIELD_MAX + 1, src);

	if (n <= 0)
		return;
	if (n > VIV_FIELD_MAX) {
		mark_truncated(e, field);
		n = VIV_FIELD_MAX + 1;
	}
	e->len[field & 3] = n - 1;
}

/* len raw bytes into field i. */
static __always_inline void put_bytes(struct viv_scratch *s, int field, const void *src, __u32 len,
				      enum viv_mem mem)
{
	struct viv_event *e = event_of(s);
	__u32 off = field_offset(e, field) & VIV_EVENT_MASK;
	long err;

	if (len > VIV_FIELD_MAX) {
		mark_truncated(e, field);
		len = VIV_FIELD_MAX;
	}
	/* Keep the mask: the verifier needs it, the compiler thinks it is redundant. */
	barrier_var(len);
	len &= VIV_FIELD_MASK;
	err = mem == VIV_USER ? bpf_probe_read_user(&s->event[off], len, src)
			      : bpf_probe_read_kernel(&s->event[off], len, src);
	if (err)
		return;
	e->len[field & 3] = len;
}

/* Send the assembled record to the target's ring; count it either way. */
static __always_inline void submit_event(struct viv_scratch *s, __u32 slot)
{
	struct viv_event *e = event_of(s);
	struct viv_counters *st = get_counters(slot);
	__u64 size = field_offset(e, 3) + (e->len[3] & VIV_FIELD_MASK);
	void *ring = bpf_map_lookup_elem(&rings, &slot);
	long err = -1;

	if (size > VIV_EVENT_MAX)
		return;
	/* No wake-up: workers drain by polling at test boundaries. */
	if (ring)
		err = bpf_ringbuf_output(ring, s->event, size, BPF_RB_NO_WAKEUP);
	if (!st)
		return;
	if (err) {
		/* A leftover's drop storm is charged to it, not to the window. */
		struct viv_control *control = get_control(slot);

		if (control && control->epoch != e->epoch)
			__sync_fetch_and_add(&st->dropped_leftover, 1);
		else
			__sync_fetch_and_add(&st->dropped, 1);
		return;
	}
	__sync_fetch_and_add(&st->emitted, 1);
	if (e->flags & (VIV_EF_TRUNCATED_PATH | VIV_EF_TRUNCATED_REQUESTED | VIV_EF_TRUNCATED_BASE |
			VIV_EF_TRUNCATED_EXTRA))
		__sync_fetch_and_add(&st->truncated, 1);
}

#endif /* __VIV_RECORD_BPF_H */
