// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* syscalls.bpf.o, the `syscalls` backend, for kernels without BPF LSM: every
 * syscall of the table is reported at sys_exit from its arguments and its
 * result. On x86-64 the argument registers are still in pt_regs there, the
 * kernel has already copied the user strings (so their pages are resident),
 * and the outcome is known. Successful execs come from sched_process_exec,
 * since the old image's registers and memory are gone by sys_exit. */
#include "lib/decoders.bpf.h"
#include "lib/process.bpf.h"
#include "lib/running.bpf.h"
#include "lib/uprobes.bpf.h"

VIV_PROCESS_PROGRAMS()
VIV_UPROBE_PROGRAMS()

SEC("tp_btf/sys_exit")
int BPF_PROG(viv_sys_exit, struct pt_regs *regs, long ret)
{
	/* A direct BTF load, not a helper call: this runs for every syscall. */
	long nr = VIV_REGS_NR(regs);
	struct task_struct *task;
	struct viv_target *t;

#ifdef VIV_BENCH_FLOOR
	/* bench/: the cost of having any sys_exit program attached at all. */
	return 0;
#endif
	/* Almost every syscall leaves here: its task is observed by nobody. */
	if (!running_may_be_target(regs))
		return 0;
	task = bpf_get_current_task_btf();
	/* Before the table: an i386 number means something else in it. */
	if (VIV_COMPAT_SYSCALL(task)) {
		report_compat_syscall(task, nr, ret);
		return 0;
	}
	if (!viv_syscall_listed(nr))
		return 0;
	t = lookup_target(task);
	if (t)
		report_syscall(t, regs, nr, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
