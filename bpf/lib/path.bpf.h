/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Paths: a d_path-like walk from a struct path up to the task's root, the
 * file behind an fd, and the directory a relative path starts from. */
#ifndef __VIV_PATH_BPF_H
#define __VIV_PATH_BPF_H

#include "record.bpf.h"

#define VIV_MAX_WALK_DEPTH 2048 /* a 4095-byte path has at most 2048 components */
#define VIV_AT_FDCWD -100


static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* A dentry's parent and name: one read where they are neighbours (every
 * kernel so far), two otherwise. Each read is a helper call, and the walk
 * makes them for every component of every path. */
static __always_inline void parent_and_name(struct dentry *dentry, struct dentry **parent, struct qstr *name)
{
	struct {
		struct dentry *parent;
		struct qstr name;
	} both;

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
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		struct dentry *sb_root = BPF_CORE_READ(vfsmnt, mnt_sb, s_root);

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
	bpf_probe_read_kernel(&s->walk[pos & VIV_FIELD_MASK], len & VIV_NAME_MASK, name.name);
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

	if (bpf_probe_read_kernel(&where, sizeof(where), path))
		return;
	w->dentry = where.dentry;
	w->vfsmnt = where.mnt;
	w->mnt_root = BPF_CORE_READ(where.mnt, mnt_root);
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
	path = BPF_CORE_READ(file, f_path);
	put_path(s, field, &path);
}

/* Field i: the directory a relative requested path starts from (cwd or
 * dirfd); nothing for an absolute one. */
static __always_inline void put_base(struct viv_scratch *s, int field, int dirfd, const char *requested)
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

/* REQUESTED (verbatim) and BASE: one path argument relative to dirfd. */
static __always_inline void put_requested(struct viv_scratch *s, int dirfd, const char *requested)
{
	put_str(s, VIV_FIELD_REQUESTED, requested, VIV_USER);
	put_base(s, VIV_FIELD_BASE, dirfd, requested);
}

#endif /* __VIV_PATH_BPF_H */
