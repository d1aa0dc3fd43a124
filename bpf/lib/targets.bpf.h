/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Who is observed: config_targets, keyed as each process sees itself. */
#ifndef __VIV_TARGETS_BPF_H
#define __VIV_TARGETS_BPF_H

#include "maps.bpf.h"

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

/* Whether pid, as the current process passed it, names the process itself
 * (in its own pid namespace, or the host's). */
static __always_inline bool is_own_pid(__u32 pid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pid *leader;
	unsigned int level;

	if (pid == bpf_get_current_pid_tgid() >> 32)
		return true;
	/* Helper reads only (kill is rare): direct loads here would share
	 * instructions with task_key's and confuse the verifier. */
	leader = BPF_CORE_READ(task, group_leader, thread_pid);
	level = BPF_CORE_READ(leader, level);
	return BPF_CORE_READ(leader, numbers[level & 31].nr) == pid;
}

/* The word of observed_tgids holding tgid's bit (0 only past PID_MAX_LIMIT). */
static __always_inline __u64 *tgid_word(__u32 tgid)
{
	__u32 index = 1 + tgid / 64;

	return bpf_map_lookup_elem(&observed_tgids, &index);
}

/* observed_tgids' word 0, its generation: one more whenever a task may
 * have become observable (vivariumd after setting a bit, new_observed_task). */
static __always_inline __u64 *generation_word(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&observed_tgids, &zero);
}

static __always_inline __u64 tgids_generation(void)
{
	__u64 *generation = generation_word();

	return generation ? *(volatile __u64 *)generation : 0;
}

/* Whether task's process may be a target: false for almost every task on
 * the machine, after one direct load and an inlined array lookup. */
static __always_inline bool may_be_target(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u64 *word = tgid_word(tgid);

	return !word || (*word >> (tgid & 63)) & 1;
}

/* A new task of an observed process (a followed child, or a thread): it may
 * run on a kernel stack a task nobody observed had, whose pt_regs a CPU's
 * view still holds (running.bpf.h). A new generation makes them decide again. */
static __always_inline void new_observed_task(void)
{
	__u64 *generation = generation_word();

	if (generation)
		__sync_fetch_and_add(generation, 1);
}

static __always_inline void mark_tgid(__u32 tgid)
{
	__u64 *word = tgid_word(tgid);

	if (word)
		__sync_fetch_and_or(word, 1ULL << (tgid & 63));
	new_observed_task();
}

static __always_inline void unmark_tgid(__u32 tgid)
{
	struct viv_meta *meta = get_meta();
	__u64 *word = tgid_word(tgid);

	if (word && meta && !(meta->flags & VIV_META_EVERY_TGID))
		__sync_fetch_and_and(word, ~(1ULL << (tgid & 63)));
}

static __always_inline struct viv_target *lookup_target(struct task_struct *task)
{
	struct viv_target_key key;

	if (!may_be_target(task))
		return 0;
	if (task_key(task, &key))
		return 0;
	return bpf_map_lookup_elem(&config_targets, &key);
}

/* The window a target's acts belong to: a worker's current one (its
 * control), or, for a descendant, its worker's window when it was forked,
 * so a leftover process is told apart from the test that is running. */
static __always_inline __u32 target_epoch(struct viv_target *t)
{
	struct viv_control *control;

	if (t->flags & VIV_TF_CHILD)
		return t->epoch;
	control = get_control(t->slot);
	return control ? control->epoch : 0;
}

/* The worker's integrity probe, kill(own pid, 0): record what its entry
 * says now, so the worker can tell its entry was removed or changed. */
static __always_inline void answer_probe(struct viv_target *t)
{
	struct viv_counters *c;

	if (t->flags & VIV_TF_CHILD)
		return;
	c = get_counters(t->slot);
	if (!c)
		return;
	c->probe_epoch = target_epoch(t);
	c->probe_slot = t->slot;
	c->probe_flags = t->flags;
	__sync_fetch_and_add(&c->probes, 1);
}

#endif /* __VIV_TARGETS_BPF_H */
