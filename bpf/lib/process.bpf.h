/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Process lifetime, the same in both backends: follow the children of
 * targets, forget a target the moment it dies (so a reused PID is never
 * observed), and report successful execs. Each backend's unit instantiates
 * the programs with VIV_PROCESS_PROGRAMS(). */
#ifndef __VIV_PROCESS_BPF_H
#define __VIV_PROCESS_BPF_H

#include "path.bpf.h"
#include "targets.bpf.h"

#define VIV_ARGV_MAX 1024

/* A new process: a child of a followed target becomes a target. */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct viv_target_key child_key;
	struct viv_target *t, entry;
	struct viv_scratch *s;
	struct viv_event *e;

	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid)) {
		/* A new thread, covered by its process. */
		if (may_be_target(parent))
			new_observed_task();
		return 0;
	}
	t = lookup_target(parent);
	if (!t || !(t->flags & VIV_TF_FOLLOW_CHILDREN))
		return 0;
	if (task_key(child, &child_key))
		return 0;
	entry.slot = t->slot;
	entry.flags = t->flags | VIV_TF_CHILD;
	entry.epoch = target_epoch(t);
	entry.mntns_inum = t->mntns_inum;
	mark_tgid(BPF_CORE_READ(child, tgid)); /* before the entry: never an entry without its bit */
	if (bpf_map_update_elem(&config_targets, &child_key, &entry, BPF_ANY)) {
		/* config_targets is full: say so rather than lose the child silently. */
		struct viv_counters *c = get_counters(t->slot);

		if (c)
			__sync_fetch_and_add(&c->unfollowed, 1);
	}

	s = get_scratch();
	if (!s)
		return 0;
	e = start_event(s, t, VIV_KIND_FORK, 0);
	e->aux = BPF_CORE_READ(child, tgid);
	e->mode = child_key.ns_tgid;
	submit_event(s, t->slot);
	return 0;
}

/* A process ends: a child's exit is an event; a worker's frees its slot. */
static __always_inline int on_exit(struct task_struct *task)
{
	struct viv_target_key key;
	struct viv_target *t;
	struct viv_owner *owner;
	struct viv_scratch *s;
	struct viv_event *e;
	__u32 slot;

	/* The last thread's exit ends the process (do_exit counts signal->live
	 * down before this tracepoint). Not the leader's: it exits first when
	 * another thread execs, or calls pthread_exit, and the process lives on. */
	if (!may_be_target(task) || BPF_CORE_READ(task, signal, live.counter))
		return 0;
	/* Its bit goes, entry or not (one left by a worker that unregistered). */
	unmark_tgid(BPF_CORE_READ(task, tgid));
	if (task_key(task, &key))
		return 0;
	t = bpf_map_lookup_elem(&config_targets, &key);
	if (!t)
		return 0;
	slot = t->slot;
	if (t->flags & VIV_TF_CHILD) {
		s = get_scratch();
		if (s) {
			e = start_event(s, t, VIV_KIND_EXIT, 0);
			e->aux = BPF_CORE_READ(task, exit_code);
			submit_event(s, slot);
		}
	} else {
		owner = bpf_map_lookup_elem(&ring_owner, &slot);
		if (owner && owner->pidns_inum == key.pidns_inum && owner->ns_tgid == key.ns_tgid)
			bpf_map_delete_elem(&ring_owner, &slot);
	}
	bpf_map_delete_elem(&config_targets, &key);
	return 0;
}

/* The exec'd process can no longer be observed, for `reason`: a 32-bit
 * program (its syscalls are not decoded), or, for a worker registered by a
 * user other than root, a program that gained privileges (the kernel no
 * longer lets that user trace or read it). An unobservable event says so,
 * and fails the window's checks: what it does next is not seen. */
static __always_inline void stop_following(struct task_struct *task, struct viv_target *t, struct viv_scratch *s,
					   enum viv_blind_reason reason)
{
	struct viv_target_key key;
	struct viv_event *e;
	__u32 slot = t->slot;

	e = start_event(s, t, VIV_KIND_UNOBSERVABLE, 0);
	e->aux = reason;
	e->mode = VIV_NR_execve;
	if (!task_key(task, &key))
		bpf_map_delete_elem(&config_targets, &key);
	submit_event(s, slot);
}

/* A successful exec: the program the kernel really ran (bprm->file,
 * resolved), the name it was asked for, and the first arguments, read from
 * the new image's argument area. */
static __always_inline int on_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	struct viv_target *t = lookup_target(task);
	struct viv_scratch *s;
	struct viv_event *e;
	struct path path;
	unsigned long arg_start, arg_end;
	__u32 len;

	if (!t)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = start_event(s, t, VIV_KIND_EXEC, 0);
	path = BPF_CORE_READ(bprm, file, f_path);
	put_path(s, VIV_FIELD_PATH, &path);
	put_str(s, VIV_FIELD_REQUESTED, BPF_CORE_READ(bprm, filename), VIV_KERNEL);
	if (e->len[VIV_FIELD_REQUESTED] && s->event[sizeof(*e) + (e->len[VIV_FIELD_PATH] & VIV_FIELD_MASK)] != '/') {
		path = BPF_CORE_READ(task, fs, pwd);
		put_path(s, VIV_FIELD_BASE, &path);
	}

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	e->aux = BPF_CORE_READ(bprm, argc);
	len = arg_end - arg_start;
	if (len > VIV_ARGV_MAX) {
		len = VIV_ARGV_MAX;
		mark_truncated(e, VIV_FIELD_EXTRA);
	}
	put_bytes(s, VIV_FIELD_EXTRA, (const void *)arg_start, len, VIV_USER);
	submit_event(s, t->slot);
	if (VIV_TASK_COMPAT(task))
		stop_following(task, t, s, VIV_BLIND_COMPAT_EXEC);
	else if ((t->flags & VIV_TF_UNPRIVILEGED) && BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		stop_following(task, t, s, VIV_BLIND_PRIVILEGED_EXEC);
	return 0;
}

#define VIV_PROCESS_PROGRAMS()                                                                             \
	SEC("tp_btf/sched_process_fork")                                                                   \
	int BPF_PROG(viv_fork, struct task_struct *parent, struct task_struct *child)                      \
	{                                                                                                  \
		return on_fork(parent, child);                                                             \
	}                                                                                                  \
	SEC("tp_btf/sched_process_exit")                                                                   \
	int BPF_PROG(viv_exit, struct task_struct *task)                                                   \
	{                                                                                                  \
		return on_exit(task);                                                                      \
	}                                                                                                  \
	SEC("tp_btf/sched_process_exec")                                                                   \
	int BPF_PROG(viv_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)         \
	{                                                                                                  \
		return on_exec(task, bprm);                                                                \
	}

#endif /* __VIV_PROCESS_BPF_H */
