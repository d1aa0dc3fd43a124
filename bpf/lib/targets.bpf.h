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

static __always_inline struct viv_target *lookup_target(struct task_struct *task)
{
	struct viv_target_key key;

	if (task_key(task, &key))
		return 0;
	return bpf_map_lookup_elem(&config_targets, &key);
}

#endif /* __VIV_TARGETS_BPF_H */
