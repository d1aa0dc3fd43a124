/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Whether the task making a syscall may be observed, remembered per CPU
 * for the last task that asked there: its syscalls after the first leave
 * after two inlined array loads and a compare, with no helper call (this
 * kernel does not inline bpf_get_current_task_btf, ~8 ns a call).
 *
 * The task is told by its pt_regs, which sit at the top of its own kernel
 * stack and are what sys_exit is handed: no helper needed to compare. A
 * view is decided again when observed_tgids' generation moves, which it does
 * whenever a task may have become observable: vivariumd bumps it after
 * setting a worker's bit (the worker may be running), on_fork after marking
 * a followed child and for every new thread of an observed process (a new
 * task may get the kernel stack, so the pt_regs, of one that exited
 * unobserved). The generation is read before the bit, so a bit set before a
 * bump is seen by a view of that generation. A bit cleared (the process
 * ended) leaves a view stale the other way, which costs only the full
 * lookup. */
#ifndef __VIV_RUNNING_BPF_H
#define __VIV_RUNNING_BPF_H

#include "targets.bpf.h"

struct viv_running {
	__u64 regs; /* the task's pt_regs: who the view is of */
	__u64 generation;
	__u64 observed;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_running);
} running_view SEC(".maps");

/* Whether the current task, whose syscall registers are regs, may be observed. */
static __always_inline bool running_may_be_target(struct pt_regs *regs)
{
	__u32 zero = 0;
	struct viv_running *v = bpf_map_lookup_elem(&running_view, &zero);
	__u64 generation = tgids_generation();

	if (!v)
		return true;
	if (v->regs != (__u64)regs || v->generation != generation) {
		v->regs = (__u64)regs;
		v->generation = generation;
		asm volatile("" ::: "memory"); /* the generation before the bit */
		v->observed = may_be_target(bpf_get_current_task_btf());
	}
	return v->observed;
}

#endif /* __VIV_RUNNING_BPF_H */
