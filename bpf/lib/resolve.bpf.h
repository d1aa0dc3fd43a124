/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Where a path argument leads: the lookup the kernel just did, redone in
 * the dcache it left behind, so an operation through a symlinked directory
 * (or a mount) is reported where the kernel acted, not at the symlink's
 * spelling. Opens and execs need none of this (the fd, bprm->file); the
 * operations that return no fd (unlink, mkdir, rename, chmod, truncate,
 * xattrs, ...) do.
 *
 * Component by component from the task's root or the start directory: a
 * child is found by name among its parent's cached children (newest first,
 * so the entries a syscall just used come early), a mountpoint is crossed
 * into the mount on top, a symlink is followed through its inline target
 * (inode->i_link), ".." goes up across mounts and stops at the task's root.
 * What cannot be found (a name not cached: the syscall failed ENOENT) ends
 * the walk, and the rest is appended as written: a failed attempt is
 * reported where it would have happened; a directory missing on the way of a
 * call that succeeded was changed since the call, and marks the record
 * unresolved. What cannot be followed (a
 * symlink whose target is not inline, too many children, too many links)
 * marks the record VIV_EF_UNRESOLVED, which user space judges as unobservable
 * when the syscall succeeded.
 *
 * A busy directory (/tmp on a CI machine) keeps tens of thousands of
 * children cached, most of them negative: an old entry such as Jest's
 * cache directory sits far down the list. Such a child, once found, is
 * remembered (parent, name) -> dentry in an LRU map and checked on reuse
 * (same parent, still hashed, same name), so the long scan happens once. */
#ifndef __VIV_RESOLVE_BPF_H
#define __VIV_RESOLVE_BPF_H

#include "path.bpf.h"

#define VIV_RESOLVE_STEPS (1 << 23)	  /* bpf_loop iterations per path: its maximum */
#define VIV_RESOLVE_CHILDREN (1 << 20) /* children scanned per component, at most */
#define VIV_RESOLVE_REMEMBER 2	  /* children scanned before the LRU map is asked */
#define VIV_RESOLVE_LINKS 40	 /* symlinks followed, as the kernel's MAXSYMLINKS */
#define VIV_S_IFLNK 0120000
#define VIV_DCACHE_MOUNTED_OLD 0x10000 /* before enum dentry_flags (6.1) */

/* Each step does a little: the verifier checks one small step, not every
 * path through a walk. */
enum resolve_phase {
	PHASE_NEXT = 0,	   /* at the start of the next component (or a slash) */
	PHASE_MEASURE = 1, /* measuring the component, one character a step */
	PHASE_SCAN = 2,	   /* looking at the next cached child of the directory */
	PHASE_COMPARE = 3, /* comparing a child's name, one character a step */
	PHASE_CROSS = 4,   /* looking for the mount on top of the current dentry */
};

/* 6.1 links a dentry's children in a list; 6.8+ in an hlist. */
struct dentry___v61 {
	struct list_head d_child;
	struct list_head d_subdirs;
} __attribute__((preserve_access_index));

/* The walk's state lives in a per-CPU map, not on the stack: the verifier
 * then sees its counters as unknown values and checks one step once,
 * instead of following every value a counter takes. */
struct resolve_state {
	struct dentry *dentry; /* the directory reached so far */
	struct vfsmount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	void *cursor;	/* the child (or child mount) link being looked at */
	void *list_end; /* what ends the list of links */
	__u32 buf;	/* which rbuf holds the path */
	__u32 pos;	/* the path not walked yet: rbuf[buf][pos, end) */
	__u32 end;
	__u32 comp_len; /* the component at pos */
	__u32 cmp;	/* characters of the child's name compared so far */
	__u32 phase;
	__u32 follow; /* follow a symlink in the last component */
	__u32 links;
	__u32 scanned;
	__u32 unresolved;
	__u32 hash;	  /* FNV-1a of the component at pos */
	__u32 remembered; /* the child compared came from found_children */
	__u32 succeeded;  /* the call succeeded: its directories were there */
	void *resume;	  /* where the scan goes on if it was not the one */
};

/* A child found far down its parent's list, by its parent and name. */
struct found_child_key {
	__u64 parent;
	__u32 hash;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct found_child_key);
	__type(value, __u64);
} found_children SEC(".maps");

/* Per-CPU room to walk one path down: the state, the path and its next
 * spelling after a symlink (twice the room: any offset plus any length
 * fits), and a child's name. (Not in viv_scratch: per-CPU values stop at
 * 32 KiB.) */
struct viv_resolve_scratch {
	struct resolve_state st;
	char rbuf[2][2 * VIV_FIELD_BUF];
	char name[VIV_NAME_MASK + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_resolve_scratch);
} resolve_scratch SEC(".maps");

/* What bpf_loop hands each step (its context must be on the stack). */
struct resolve_ctx {
	struct viv_resolve_scratch *rs;
};

static __always_inline char path_char(struct viv_resolve_scratch *rs, __u32 at)
{
	return rs->rbuf[rs->st.buf & 1][at & VIV_FIELD_MASK];
}

static __always_inline __u32 mounted_flag(void)
{
	if (bpf_core_enum_value_exists(enum dentry_flags, DCACHE_MOUNTED))
		return bpf_core_enum_value(enum dentry_flags, DCACHE_MOUNTED);
	return VIV_DCACHE_MOUNTED_OLD;
}

/* The first child link of dir, and the value that ends the list. */
static __always_inline void first_child(struct resolve_state *r, struct dentry *dir)
{
	if (bpf_core_field_exists(struct dentry___v61, d_subdirs)) {
		struct dentry___v61 *old = (void *)dir;

		r->list_end = &old->d_subdirs;
		r->cursor = BPF_CORE_READ(old, d_subdirs.next);
	} else {
		r->list_end = 0;
		r->cursor = BPF_CORE_READ(dir, d_children.first);
	}
}

/* The dentry a child link belongs to, and the next link. */
static __always_inline struct dentry *child_of(void *link)
{
	if (bpf_core_field_exists(struct dentry___v61, d_child))
		return (void *)link - bpf_core_field_offset(struct dentry___v61, d_child);
	return (void *)link - bpf_core_field_offset(struct dentry, d_sib);
}

static __always_inline void *next_child(void *link)
{
	if (bpf_core_field_exists(struct dentry___v61, d_child))
		return BPF_CORE_READ((struct list_head *)link, next);
	return BPF_CORE_READ((struct hlist_node *)link, next);
}

/* ".." from the current directory: across mount roots, never above the root. */
static __always_inline void go_up(struct resolve_state *r)
{
	struct dentry *dentry = r->dentry;
	struct vfsmount *mnt = r->mnt;

	for (int i = 0; i < 16; i++) {
		if (dentry == r->root_dentry && mnt == r->root_mnt)
			goto out;
		if (dentry != BPF_CORE_READ(mnt, mnt_root))
			break;
		struct mount *m = real_mount(mnt);
		struct mount *up = BPF_CORE_READ(m, mnt_parent);

		if (up == m)
			goto out; /* the namespace root */
		dentry = BPF_CORE_READ(m, mnt_mountpoint);
		mnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
	}
	dentry = BPF_CORE_READ(dentry, d_parent);
out:
	r->dentry = dentry;
	r->mnt = mnt;
}

/* The component at pos is not there: the walk ends and the rest is appended
 * as written, where a failed call would have acted. A directory of a call
 * that succeeded was there when the kernel looked: gone since (a symlink
 * swapped back, a directory renamed), the path cannot be placed. */
static __always_inline long not_there(struct resolve_state *r)
{
	if (r->succeeded && r->pos + r->comp_len < r->end)
		r->unresolved = 1;
	r->phase = PHASE_NEXT;
	return 1;
}

/* Enter `child`: a symlink to follow restarts the walk at its target; a
 * mountpoint is crossed (PHASE_CROSS); anything else becomes the directory. */
static __always_inline long enter(struct viv_resolve_scratch *rs, struct dentry *child)
{
	struct resolve_state *r = &rs->st;
	struct inode *inode = BPF_CORE_READ(child, d_inode);
	__u32 next = r->pos + r->comp_len;
	bool last = next >= r->end;

	if (!inode)
		return not_there(r); /* negative */
	if ((BPF_CORE_READ(inode, i_mode) & VIV_S_IFMT) == VIV_S_IFLNK && (!last || r->follow)) {
		const char *target = BPF_CORE_READ(inode, i_link);
		__u32 other = (r->buf + 1) & 1;
		char *out = rs->rbuf[other];
		long n;

		if (!target || ++r->links > VIV_RESOLVE_LINKS) {
			r->unresolved = 1;
			return 1;
		}
		n = bpf_probe_read_kernel_str(out, VIV_FIELD_BUF, target);
		if (n <= 1) {
			r->unresolved = 1;
			return 1;
		}
		n -= 1;
		/* The target, then what followed the link's name. */
		if (!last) {
			__u32 rest = (r->end - next) & VIV_FIELD_MASK;

			if (n + rest >= VIV_FIELD_BUF) {
				r->unresolved = 1;
				return 1;
			}
			bpf_probe_read_kernel(&out[n & VIV_FIELD_MASK], rest, &rs->rbuf[r->buf & 1][next & VIV_FIELD_MASK]);
			n += rest;
		}
		if (out[0] == '/') {
			r->dentry = r->root_dentry;
			r->mnt = r->root_mnt;
		}
		r->buf = other;
		r->pos = 0;
		r->end = n;
		r->phase = PHASE_NEXT;
		return 0;
	}
	r->dentry = child;
	r->pos = next;
	if (BPF_CORE_READ(child, d_flags) & mounted_flag()) {
		struct mount *m = real_mount(r->mnt);

		r->list_end = &m->mnt_mounts;
		r->cursor = BPF_CORE_READ(m, mnt_mounts.next);
		r->scanned = 0;
		r->phase = PHASE_CROSS;
		return 0;
	}
	r->phase = PHASE_NEXT;
	return 0;
}

static __always_inline bool is_dot(struct viv_resolve_scratch *rs)
{
	return rs->st.comp_len == 1 && path_char(rs, rs->st.pos) == '.';
}

static __always_inline bool is_dotdot(struct viv_resolve_scratch *rs)
{
	return rs->st.comp_len == 2 && path_char(rs, rs->st.pos) == '.' && path_char(rs, rs->st.pos + 1) == '.';
}

/* The component at pos is measured: skip it, go up, stop, or look it up. */
static __always_inline long component(struct viv_resolve_scratch *rs)
{
	struct resolve_state *r = &rs->st;

	if (r->comp_len > VIV_NAME_MASK) {
		r->unresolved = 1;
		return 1;
	}
	if (is_dot(rs)) {
		r->pos += 1;
		r->phase = PHASE_NEXT;
		return 0;
	}
	if (is_dotdot(rs)) {
		go_up(r);
		r->pos += 2;
		r->phase = PHASE_NEXT;
		return 0;
	}
	if (r->pos + r->comp_len >= r->end && !r->follow) {
		r->phase = PHASE_NEXT;
		return 1; /* the last component, not followed: appended as written */
	}
	first_child(r, r->dentry);
	r->scanned = 0;
	r->remembered = 0;
	r->phase = PHASE_SCAN;
	return 0;
}

static __always_inline struct found_child_key found_key(struct resolve_state *r)
{
	struct found_child_key key = { .parent = (__u64)r->dentry, .hash = r->hash, .len = r->comp_len };

	return key;
}

/* The child this component named when it was last found far down the
 * list, if it is still that: compared next (PHASE_COMPARE), the scan
 * resuming where it stopped if the name differs. */
static __always_inline bool remembered(struct viv_resolve_scratch *rs)
{
	struct resolve_state *r = &rs->st;
	struct found_child_key key = found_key(r);
	struct dentry *child;
	struct qstr name;
	__u64 *found;

	found = bpf_map_lookup_elem(&found_children, &key);
	if (!found)
		return false;
	child = (struct dentry *)*found;
	name = BPF_CORE_READ(child, d_name);
	if (BPF_CORE_READ(child, d_parent) != r->dentry || !BPF_CORE_READ(child, d_hash.pprev) || name.len != r->comp_len ||
	    bpf_probe_read_kernel(rs->name, name.len & VIV_NAME_MASK, name.name))
		return false;
	r->resume = r->cursor;
	r->cursor = (void *)child + (bpf_core_field_exists(struct dentry___v61, d_child) ?
					     bpf_core_field_offset(struct dentry___v61, d_child) :
					     bpf_core_field_offset(struct dentry, d_sib));
	r->remembered = 1;
	r->cmp = 0;
	r->phase = PHASE_COMPARE;
	return true;
}

static __always_inline void remember(struct resolve_state *r, struct dentry *child)
{
	struct found_child_key key = found_key(r);
	__u64 value = (__u64)child;

	bpf_map_update_elem(&found_children, &key, &value, BPF_ANY);
}

static long resolve_step(__u64 index, void *ctx)
{
	struct viv_resolve_scratch *rs = ((struct resolve_ctx *)ctx)->rs;
	struct resolve_state *r = &rs->st;

	switch (r->phase) {
	case PHASE_NEXT:
		if (r->pos >= r->end)
			return 1;
		if (path_char(rs, r->pos) == '/') {
			r->pos++;
			return 0;
		}
		r->comp_len = 0;
		r->hash = 2166136261u;
		r->phase = PHASE_MEASURE;
		return 0;
	case PHASE_MEASURE: {
		char c = path_char(rs, r->pos + r->comp_len);

		if (r->pos + r->comp_len < r->end && c != '/' && r->comp_len <= VIV_NAME_MASK) {
			r->hash = (r->hash ^ (__u8)c) * 16777619u;
			r->comp_len++;
			return 0;
		}
		return component(rs);
	}
	case PHASE_SCAN: {
		struct dentry *child;
		struct qstr name;

		if (r->cursor == r->list_end || !r->cursor)
			return not_there(r); /* not cached */
		if (++r->scanned > VIV_RESOLVE_CHILDREN) {
			r->unresolved = 1;
			return 1;
		}
		if (r->scanned == VIV_RESOLVE_REMEMBER && remembered(rs))
			return 0;
		child = child_of(r->cursor);
		name = BPF_CORE_READ(child, d_name);
		if (name.len == r->comp_len && !bpf_probe_read_kernel(rs->name, name.len & VIV_NAME_MASK, name.name)) {
			r->cmp = 0;
			r->phase = PHASE_COMPARE;
			return 0;
		}
		r->cursor = next_child(r->cursor);
		return 0;
	}
	case PHASE_COMPARE:
		if (r->cmp >= r->comp_len) {
			if (r->scanned > VIV_RESOLVE_REMEMBER && !r->remembered)
				remember(r, child_of(r->cursor));
			return enter(rs, child_of(r->cursor));
		}
		if (rs->name[r->cmp & VIV_NAME_MASK] == path_char(rs, r->pos + r->cmp)) {
			r->cmp++;
			return 0;
		}
		if (r->remembered) {
			r->remembered = 0; /* another name now: scan on */
			r->cursor = r->resume;
		}
		r->cursor = next_child(r->cursor);
		r->phase = PHASE_SCAN;
		return 0;
	case PHASE_CROSS: {
		struct mount *m;
		struct list_head *link;

		if (r->cursor == r->list_end || !r->cursor || ++r->scanned > VIV_RESOLVE_CHILDREN) {
			r->phase = PHASE_NEXT; /* no mount on top in this namespace */
			return 0;
		}
		m = (void *)r->cursor - bpf_core_field_offset(struct mount, mnt_child);
		if (BPF_CORE_READ(m, mnt_mountpoint) == r->dentry) {
			struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root);

			r->mnt = (struct vfsmount *)((void *)m + bpf_core_field_offset(struct mount, mnt));
			r->dentry = root;
			/* Another mount may sit on this one's root. */
			r->list_end = &m->mnt_mounts;
			r->cursor = BPF_CORE_READ(m, mnt_mounts.next);
			r->scanned = 0;
			if (!(BPF_CORE_READ(root, d_flags) & mounted_flag()))
				r->phase = PHASE_NEXT;
			return 0;
		}
		link = r->cursor;
		r->cursor = BPF_CORE_READ(link, next);
		return 0;
	}
	}
	return 1;
}

/* Field i: where the user path `upath`, relative to dirfd, leads, absolute;
 * `follow`: whether a symlink in its last component is followed. A global
 * function, verified once for all its callers (a static one is verified
 * again at each call site: 40 % of viv_sys_exit's verified instructions, in
 * a load that is most of a daemon's 30-60 s start on Debian's 6.1 under
 * qemu); hence the user pointer as a number and the check of s. Returns 0. */
__noinline int put_resolved(struct viv_scratch *s, int field, int dirfd, __u64 upath, int follow)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct viv_event *e = event_of(s);
	struct viv_resolve_scratch *rs;
	struct resolve_state *r;
	struct resolve_ctx ctx;
	struct path start;
	__u32 off, len, rest, zero = 0;
	long n;

	if (!s)
		return 0;
	if (s->from_hook & (1 << field))
		return 0;
	rs = bpf_map_lookup_elem(&resolve_scratch, &zero);
	if (!rs)
		return 0;
	r = &rs->st;
	n = bpf_probe_read_user_str(rs->rbuf[0], VIV_FIELD_BUF, (const char *)upath);
	if (n <= 0) {
		/* Unreadable (an empty path with AT_EMPTY_PATH the kernel never
		 * read, or a bad pointer: then the call failed): the dirfd's file. */
		rs->rbuf[0][0] = 0;
		n = 1;
	}
	if (rs->rbuf[0][0] == '/') {
		start = BPF_CORE_READ(task, fs, root);
	} else if (dirfd == VIV_AT_FDCWD) {
		start = BPF_CORE_READ(task, fs, pwd);
	} else {
		struct file *dir = fd_file(dirfd);

		if (!dir)
			return 0; /* EBADF: user space falls back to the path as passed */
		start = BPF_CORE_READ(dir, f_path);
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->end = n - 1;
	r->follow = follow;
	r->succeeded = e->result >= 0;
	r->root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	r->root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	r->dentry = start.dentry;
	r->mnt = start.mnt;
	ctx.rs = rs;
	bpf_loop(VIV_RESOLVE_STEPS, resolve_step, &ctx, 0);
	if (r->phase != PHASE_NEXT)
		r->unresolved = 1; /* ran out of steps */
	if (r->unresolved)
		e->flags |= VIV_EF_UNRESOLVED;

	/* The directory reached, then the rest of the path as written. */
	start.dentry = r->dentry;
	start.mnt = r->mnt;
	put_path(s, field, &start);
	rest = r->end > r->pos ? r->end - r->pos : 0;
	if (!rest)
		return 0;
	off = field_offset(e, field);
	len = e->len[field & 3] & VIV_FIELD_MASK;
	if (len == 1)
		len = 0; /* "/" + "/name" */
	if (len + 1 + rest > VIV_FIELD_MAX) {
		mark_truncated(e, field);
		return 0;
	}
	s->event[(off + len) & VIV_EVENT_MASK] = '/';
	bpf_probe_read_kernel(&s->event[(off + len + 1) & VIV_EVENT_MASK], rest & VIV_FIELD_MASK,
			      &rs->rbuf[r->buf & 1][r->pos & VIV_FIELD_MASK]);
	e->len[field & 3] = (len + 1 + rest) & VIV_FIELD_MASK;
	return 0;
}

#endif /* __VIV_RESOLVE_BPF_H */
