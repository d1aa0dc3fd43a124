/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps and helpers shared by both backends. */
#ifndef __VIV_COMMON_BPF_H
#define __VIV_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "vivarium.h"

#define VIV_MAX_TARGETS 16384
#define VIV_MAX_WALK_DEPTH 2048 /* a 4095-byte path has at most 2048 components */
#define VIV_NAME_MASK 0xff	/* NAME_MAX is 255 */
#define VIV_FIELD_MASK 0xfff
#define VIV_EVENT_MAX (sizeof(struct viv_event) + 5 * 4096)
#define VIV_WALK_SIZE (4096 + 256)

#define VIV_AT_FDCWD -100
#define VIV_EPERM 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIV_MAX_TARGETS);
	__type(key, struct viv_target_key);
	__type(value, struct viv_target);
} config_targets SEC(".maps");

/* Inner template only; vivariumd sizes it and installs one ring per slot. */
struct viv_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 64);
	__type(key, __u32);
	__array(values, struct viv_ring);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct viv_owner);
} ring_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct viv_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_meta);
} meta SEC(".maps");

/* Per-CPU room to assemble one record and to walk one path. */
struct viv_scratch {
	__u8 event[VIV_EVENT_MAX];
	char walk[VIV_WALK_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_scratch);
} scratch SEC(".maps");

/* Keep the ABI types in the object's BTF so user space can generate from it. */
const struct viv_event *viv_abi_event __attribute__((unused));
const struct viv_meta *viv_abi_meta __attribute__((unused));
const struct viv_owner *viv_abi_owner __attribute__((unused));
const struct viv_stats *viv_abi_stats __attribute__((unused));
const struct viv_target *viv_abi_target __attribute__((unused));
const struct viv_target_key *viv_abi_target_key __attribute__((unused));
const enum viv_abi *viv_abi_consts __attribute__((unused));
const enum viv_kind *viv_abi_kind __attribute__((unused));
const enum viv_field *viv_abi_field __attribute__((unused));
const enum viv_event_flags *viv_abi_event_flags __attribute__((unused));
const enum viv_target_flags *viv_abi_target_flags __attribute__((unused));
const enum viv_backend *viv_abi_backend __attribute__((unused));

/* The key a process registers under: its own pid namespace and the tgid it
 * sees there (numbers[level] of its leader's struct pid). */
static __always_inline int task_key(struct task_struct *task, struct viv_target_key *key)
{
	/* Direct BTF loads (no helper calls): this runs on every open. */
	struct pid *pid = task->group_leader->thread_pid;
	unsigned int level = pid->level;
	struct upid upid;

	if (level == 0) {
		/* The host namespace: constant index, so still direct loads. */
		key->ns_tgid = pid->numbers[0].nr;
		key->pidns_inum = pid->numbers[0].ns->ns.inum;
		return 0;
	}
	if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]))
		return -1;
	key->pidns_inum = BPF_CORE_READ(upid.ns, ns.inum);
	key->ns_tgid = upid.nr;
	return 0;
}

static __always_inline struct viv_target *lookup_target(struct task_struct *task)
{
	struct viv_target_key key;

	if (task_key(task, &key))
		return 0;
	return bpf_map_lookup_elem(&config_targets, &key);
}

static __always_inline struct viv_scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/* Header of a new record in the scratch buffer. */
static __always_inline struct viv_event *start_event(struct viv_scratch *s, struct viv_target *t,
						     __u16 kind, __s32 result)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u64 id = bpf_get_current_pid_tgid();

	e->ts_ns = bpf_ktime_get_ns();
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->epoch = t->epoch;
	e->kind = kind;
	e->flags = (t->flags & VIV_TF_CHILD) ? VIV_EF_CHILD : 0;
	e->result = result;
	e->open_flags = 0;
	e->mode = 0;
	e->aux = 0;
	e->len[0] = 0;
	e->len[1] = 0;
	e->len[2] = 0;
	e->len[3] = 0;
	return e;
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

/* Copy a user string into field i. */
static __always_inline void put_user_str(struct viv_scratch *s, int field, const char *ustr)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, field) & 0x3fff;
	long n = bpf_probe_read_user_str(&s->event[off], VIV_FIELD_MAX + 1, ustr);

	if (n <= 0)
		return;
	if (n > VIV_FIELD_MAX) {
		e->flags |= VIV_EF_TRUNCATED_PATH << field;
		n = VIV_FIELD_MAX + 1;
	}
	e->len[field & 3] = n - 1;
}

/* Copy raw user bytes into field i. */
static __always_inline void put_user_bytes(struct viv_scratch *s, int field, const void *src, __u32 len)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, field) & 0x3fff;

	if (len > VIV_FIELD_MAX) {
		e->flags |= VIV_EF_TRUNCATED_PATH << field;
		len = VIV_FIELD_MAX;
	}
	/* Keep the mask: the verifier needs it, the compiler thinks it is redundant. */
	barrier_var(len);
	len &= VIV_FIELD_MASK;
	if (bpf_probe_read_user(&s->event[off], len, src))
		return;
	e->len[field & 3] = len;
}

/* Copy raw kernel bytes into field i. */
static __always_inline void put_kernel_bytes(struct viv_scratch *s, int field, const void *src,
					     __u32 len)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, field) & 0x3fff;

	len &= VIV_FIELD_MASK;
	if (bpf_probe_read_kernel(&s->event[off], len, src))
		return;
	e->len[field & 3] = len;
}

/* Copy a kernel string into field i. */
static __always_inline void put_kernel_str(struct viv_scratch *s, int field, const char *kstr)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, field) & 0x3fff;
	long n = bpf_probe_read_kernel_str(&s->event[off], VIV_FIELD_MAX + 1, kstr);

	if (n <= 0)
		return;
	if (n > VIV_FIELD_MAX) {
		e->flags |= VIV_EF_TRUNCATED_PATH << field;
		n = VIV_FIELD_MAX + 1;
	}
	e->len[field & 3] = n - 1;
}

/* The last component of a dentry (NAME_MAX at most) into field i. */
static __always_inline void put_dentry_name(struct viv_scratch *s, int field, struct dentry *dentry)
{
	struct viv_event *e = (struct viv_event *)s->event;
	__u32 off = field_offset(e, field) & 0x3fff;
	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 len = name.len & VIV_NAME_MASK;

	if (bpf_probe_read_kernel(&s->event[off], len, name.name))
		return;
	e->len[field & 3] = len;
}

struct walk_state {
	struct viv_scratch *s;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 pos; /* the path occupies walk[pos, 4096) */
	__u32 truncated;
};

static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* One step of a d_path-like walk: prepend "/name", or cross a mount. */
static long walk_step(__u64 index, void *ctx)
{
	struct walk_state *w = ctx;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct dentry *parent;
	struct qstr name;
	__u32 len, pos;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt)
		return 1;
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *mnt = real_mount(vfsmnt);
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			return 1; /* the namespace root */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		return 1; /* detached */
	name = BPF_CORE_READ(dentry, d_name);
	len = name.len;
	pos = w->pos;
	if (len + 1 > pos || len > VIV_NAME_MASK) {
		w->truncated = 1;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&w->s->walk[pos & VIV_FIELD_MASK], len & VIV_NAME_MASK, name.name);
	pos -= 1;
	w->s->walk[pos & VIV_FIELD_MASK] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/* Absolute path of a struct path, as seen from the task's root, into field i. */
static __always_inline void put_path(struct viv_scratch *s, int field, struct path *path)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct viv_event *e = (struct viv_event *)s->event;
	struct walk_state w = {};
	__u32 off, len;

	w.s = s;
	w.dentry = BPF_CORE_READ(path, dentry);
	w.vfsmnt = BPF_CORE_READ(path, mnt);
	w.root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	w.pos = 4096;
	bpf_loop(VIV_MAX_WALK_DEPTH, walk_step, &w, 0);
	if (w.pos == 4096) {
		w.pos = 4095;
		s->walk[4095] = '/';
	}
	if (w.truncated)
		e->flags |= VIV_EF_TRUNCATED_PATH << field;
	off = field_offset(e, field) & 0x3fff;
	len = (4096 - w.pos) & VIV_FIELD_MASK;
	if (bpf_probe_read_kernel(&s->event[off], len, &s->walk[w.pos & VIV_FIELD_MASK]))
		return;
	e->len[field & 3] = len;
}

/* The struct file behind fd in the current task, or 0. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = 0;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	return file;
}

/* Path of the file behind fd into field i. */
static __always_inline void put_fd_path(struct viv_scratch *s, int field, int fd)
{
	struct file *file = fd_file(fd);
	struct path path;

	if (!file)
		return;
	path = BPF_CORE_READ(file, f_path);
	put_path(s, field, &path);
}

/* Field `field`: the directory a relative requested path starts from. */
static __always_inline void put_base_in(struct viv_scratch *s, int field, int dirfd, const char *requested)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct path path;
	char first = 0;

	bpf_probe_read_user(&first, 1, requested);
	if (first == '/')
		return;
	if (dirfd == VIV_AT_FDCWD) {
		path = BPF_CORE_READ(task, fs, pwd);
	} else {
		struct file *dir = fd_file(dirfd);

		if (!dir)
			return;
		path = BPF_CORE_READ(dir, f_path);
	}
	put_path(s, field, &path);
}

static __always_inline void put_base(struct viv_scratch *s, int dirfd, const char *requested)
{
	put_base_in(s, VIV_FIELD_BASE, dirfd, requested);
}

/* Send the assembled record to the target's ring; count it either way. */
static __always_inline void submit_event(struct viv_scratch *s, __u32 slot)
{
	struct viv_event *e = (struct viv_event *)s->event;
	struct viv_stats *st = bpf_map_lookup_elem(&stats, &slot);
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
		__sync_fetch_and_add(&st->dropped, 1);
		return;
	}
	__sync_fetch_and_add(&st->emitted, 1);
	if (e->flags & 0xf)
		__sync_fetch_and_add(&st->truncated, 1);
}

#endif /* __VIV_COMMON_BPF_H */
