/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Paths: a d_path-like walk from a struct path up to the task's root, the
 * file behind an fd, and the directory a relative path starts from. */
#ifndef __VIV_PATH_BPF_H
#define __VIV_PATH_BPF_H

#include "direct.bpf.h"
#include "record.bpf.h"

#define VIV_MAX_WALK_DEPTH 2048 /* a 4095-byte path has at most 2048 components */
#define VIV_AT_FDCWD -100


static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* A dentry's parent and name: direct loads where the kernel allows them;
 * otherwise one helper read where they are neighbours (every kernel so
 * far), two otherwise. The walk makes them for every component of every
 * path. */
static __always_inline void parent_and_name(struct dentry *dentry, struct dentry **parent, struct qstr *name)
{
	struct {
		struct dentry *parent;
		struct qstr name;
	} both;

	if (viv_direct_loads) {
		struct dentry *d = typed(struct dentry, dentry);

		*parent = d->d_parent;
		name->len = d->d_name.len;
		name->name = d->d_name.name;
#ifdef VIV_TEST_REFUSED_DIRECT_LOADS
		/* test/: a load past the end of struct dentry, which the verifier refuses. */
		*parent = *(struct dentry **)((void *)d + bpf_core_type_size(struct dentry));
#endif
		return;
	}
	if (bpf_core_field_offset(struct dentry, d_name) == bpf_core_field_offset(struct dentry, d_parent) + sizeof(void *) &&
	    bpf_core_field_size(struct dentry, d_name) == sizeof(struct qstr)) {
		if (bpf_probe_read_kernel(&both, sizeof(both), (void *)dentry + bpf_core_field_offset(struct dentry, d_parent)))
			__builtin_memset(&both, 0, sizeof(both));
		*parent = both.parent;
		*name = both.name;
		return;
	}
	*parent = BPF_CORE_READ(dentry, d_parent);
	*name = BPF_CORE_READ(dentry, d_name);
}

/* A name of len bytes into walk[at, at + len), where walk[at + len, ...) is
 * already written. Short names by direct loads, 8 bytes at a time: the last
 * load's bytes past the name land on what follows it, put back after. */
static __always_inline void put_name(struct viv_scratch *s, __u32 at, const unsigned char *name, __u32 len)
{
	if (viv_direct_loads && len <= VIV_DIRECT_BYTES) {
		const char *src = direct_bytes(name);
		__u32 end = at + len;
		__u64 after = *(__u64 *)&s->walk[end];

		*(__u64 *)&s->walk[at] = *(const __u64 *)&src[0];
		if (len > 8)
			*(__u64 *)&s->walk[at + 8] = *(const __u64 *)&src[8];
		if (len > 16)
			*(__u64 *)&s->walk[at + 16] = *(const __u64 *)&src[16];
		if (len > 24)
			*(__u64 *)&s->walk[at + 24] = *(const __u64 *)&src[24];
		if (len > 32)
			*(__u64 *)&s->walk[at + 32] = *(const __u64 *)&src[32];
		if (len > 40)
			*(__u64 *)&s->walk[at + 40] = *(const __u64 *)&src[40];
		if (len > 48)
			*(__u64 *)&s->walk[at + 48] = *(const __u64 *)&src[48];
		if (len > 56)
			*(__u64 *)&s->walk[at + 56] = *(const __u64 *)&src[56];
		*(__u64 *)&s->walk[end] = after;
		return;
	}
	bpf_probe_read_kernel(&s->walk[at], len & VIV_NAME_MASK, name);
}

/* One step of the walk: prepend "/name", or cross a mount. */
static long walk_step(__u64 index, void *ctx)
{
	struct viv_scratch *s = *(struct viv_scratch **)ctx;
	struct viv_walk *w = &s->w;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct dentry *parent;
	struct qstr name;
	__u32 len, pos;

	if (w->fs_relative ? dentry == w->sb_root : dentry == w->root_dentry && vfsmnt == w->root_mnt)
		return 1;
	if (!w->fs_relative && dentry == w->mnt_root) {
		struct mount *mnt = real_mount(vfsmnt);
		struct mount *up = viv_direct_loads ? typed(struct mount, mnt)->mnt_parent : BPF_CORE_READ(mnt, mnt_parent);
		struct dentry *sb_root = viv_direct_loads ? typed(struct vfsmount, vfsmnt)->mnt_sb->s_root
							  : BPF_CORE_READ(vfsmnt, mnt_sb, s_root);

		/* The file's own mount shows a directory of its filesystem (a
		 * bind mount), or the task sees another view than the worker's:
		 * the path within the filesystem, for user space to place. */
		if (!w->crossed && (w->foreign || dentry != sb_root)) {
			w->fs_relative = 1;
			w->sb_root = sb_root;
			w->dev = BPF_CORE_READ(vfsmnt, mnt_sb, s_dev);
			if (dentry == sb_root)
				return 1;
			goto prepend;
		}
		w->crossed = 1;
		if (up == mnt)
			return 1; /* the namespace root */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
		w->mnt_root = BPF_CORE_READ(up, mnt.mnt_root);
		return 0;
	}
prepend:
	parent_and_name(dentry, &parent, &name);
	len = name.len;
	pos = w->pos;
	if (len + 1 > pos || len > VIV_NAME_MASK) {
		w->truncated = 1;
		return 1;
	}
	pos -= len;
	put_name(s, pos & VIV_FIELD_MASK, name.name, len & VIV_NAME_MASK);
	if (parent == dentry) {
		/* Detached, on no path: a memfd, a pipe, an anonymous inode. Its
		 * name alone ("memfd:payload"), with no leading slash: no path
		 * pattern can match it. */
		w->pos = pos;
		return 1;
	}
	pos -= 1;
	s->walk[pos & VIV_FIELD_MASK] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/* Whether the task sees the files as its worker does: the worker's mount
 * namespace, and its namespace's root as its root (no chroot). Direct
 * loads through the task's BTF pointers: no helper calls. */
static __always_inline bool sees_worker_view(struct viv_scratch *s, struct task_struct *task, struct path *root)
{
	struct mnt_namespace *ns = task->nsproxy->mnt_ns;
	struct mount *ns_root = ns->root;

	return ns->ns.inum == s->worker_mntns && root->mnt == &ns_root->mnt && root->dentry == ns_root->mnt.mnt_root;
}

/* Absolute path of a struct path, as seen from the task's root, into field
 * i; or, through another view than the worker's, its path within its
 * filesystem (VIV_EF_FS_RELATIVE_PATH << i, e->dev). */
static __noinline void put_path(struct viv_scratch *s, int field, struct path *path)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct viv_event *e = event_of(s);
	struct viv_walk *w = &s->w;
	__u32 off, len;

	struct path where, root = task->fs->root;

	if (viv_direct_loads) {
		struct path *p = typed(struct path, path);

		where.dentry = p->dentry;
		where.mnt = p->mnt;
		w->mnt_root = typed(struct vfsmount, where.mnt)->mnt_root;
	} else {
		if (bpf_probe_read_kernel(&where, sizeof(where), path))
			return;
		w->mnt_root = BPF_CORE_READ(where.mnt, mnt_root);
	}
	w->dentry = where.dentry;
	w->vfsmnt = where.mnt;
	w->root_dentry = root.dentry;
	w->root_mnt = root.mnt;
	w->sb_root = 0;
	w->pos = VIV_FIELD_BUF;
	w->truncated = 0;
	w->foreign = !sees_worker_view(s, task, &root);
	w->crossed = 0;
	w->fs_relative = 0;
	w->dev = 0;
	bpf_loop(VIV_MAX_WALK_DEPTH, walk_step, &s, 0);
	if (w->fs_relative) {
		/* One dev per record: a second filesystem cannot be placed. */
		if (e->dev && e->dev != w->dev)
			e->flags |= VIV_EF_UNRESOLVED;
		e->flags |= VIV_EF_FS_RELATIVE_PATH << field;
		e->dev = w->dev;
	}
	if (w->pos >= VIV_FIELD_BUF) {
		w->pos = VIV_FIELD_BUF - 1;
		s->walk[VIV_FIELD_BUF - 1] = '/';
	}
	if (w->truncated)
		mark_truncated(e, field);
	off = field_offset(e, field) & VIV_EVENT_MASK;
	len = (VIV_FIELD_BUF - w->pos) & VIV_FIELD_MASK;
	if (bpf_probe_read_kernel(&s->event[off], len, &s->walk[w->pos & VIV_FIELD_MASK]))
		return;
	e->len[field & 3] = len;
}

/* The last component of a dentry (NAME_MAX at most) into field i. */
static __always_inline void put_dentry_name(struct viv_scratch *s, int field, struct dentry *dentry)
{
	struct qstr name = BPF_CORE_READ(dentry, d_name);

	put_bytes(s, field, name.name, name.len & VIV_NAME_MASK, VIV_KERNEL);
}

/* The struct file behind fd in the current task, or 0. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt; /* direct loads: no helper calls */
	struct file *file = 0;

	if (fd < 0 || fd >= fdt->max_fds)
		return 0;
	if (viv_direct_loads)
		return (struct file *)*(const __u64 *)direct_bytes(&fdt->fd[fd]);
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	return file;
}

/* Path of the file behind fd into field i. */
static __always_inline void put_fd_path(struct viv_scratch *s, int field, int fd)
{
	struct file *file = fd_file(fd);
	struct path path;

	if (!file)
		return;
	if (viv_direct_loads) {
		put_path(s, field, (struct path *)&typed(struct file, file)->f_path);
		return;
	}
	path = BPF_CORE_READ(file, f_path);
	put_path(s, field, &path);
}

/* Field i: the directory a relative requested path starts from (cwd or
 * dirfd); nothing for an absolute one. */
static __always_inline void put_base(struct viv_scratch *s, int field, int dirfd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct viv_event *e = event_of(s);
	struct path path;

	/* REQUESTED is in the record already: its first byte, not a second read of user memory. */
	if (e->len[VIV_FIELD_REQUESTED] && s->event[field_offset(e, VIV_FIELD_REQUESTED) & VIV_EVENT_MASK] == '/')
		return;
	if (dirfd == VIV_AT_FDCWD) {
		path = task->fs->pwd; /* direct loads through the task's BTF pointer */
	} else {
		struct file *dir = fd_file(dirfd);

		if (!dir)
			return;
		path = BPF_CORE_READ(dir, f_path);
	}
	put_path(s, field, &path);
}

/* REQUESTED (verbatim) and BASE: one path argument relative to dirfd. */
static __always_inline void put_requested(struct viv_scratch *s, int dirfd, const char *requested)
{
	put_str(s, VIV_FIELD_REQUESTED, requested, VIV_USER);
	put_base(s, VIV_FIELD_BASE, dirfd);
}

#endif /* __VIV_PATH_BPF_H */
