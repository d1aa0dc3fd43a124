/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The `syscalls` backend: raw syscall tracepoints, for kernels without BPF
 * LSM. Opens are handled at sys_exit alone: on x86-64 the argument
 * registers are still in pt_regs there, the kernel has already copied the
 * path (so the user page is resident), and the result is known. */
#ifndef __VIV_SYSCALLS_BPF_H
#define __VIV_SYSCALLS_BPF_H

#include "common.bpf.h"

#define NR_OPEN 2
#define NR_CREAT 85
#define NR_OPENAT 257
#define NR_OPENAT2 437

#define VIV_O_CREAT_WRONLY_TRUNC (00100 | 01 | 01000)

struct viv_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

static __always_inline void on_open(struct pt_regs *regs, long nr, long ret, struct viv_target *t)
{
	struct viv_scratch *s = get_scratch();
	struct viv_event *e;
	const char *requested;
	int dirfd = VIV_AT_FDCWD;

	if (!s)
		return;
	e = start_event(s, t, VIV_KIND_FILE_OPEN, ret);
	e->aux = nr;
	if (nr == NR_OPEN) {
		requested = (const char *)BPF_CORE_READ(regs, di);
		e->open_flags = BPF_CORE_READ(regs, si);
		e->mode = BPF_CORE_READ(regs, dx);
	} else if (nr == NR_CREAT) {
		requested = (const char *)BPF_CORE_READ(regs, di);
		e->open_flags = VIV_O_CREAT_WRONLY_TRUNC;
		e->mode = BPF_CORE_READ(regs, si);
	} else {
		dirfd = BPF_CORE_READ(regs, di);
		requested = (const char *)BPF_CORE_READ(regs, si);
		if (nr == NR_OPENAT) {
			e->open_flags = BPF_CORE_READ(regs, dx);
			e->mode = BPF_CORE_READ(regs, r10);
		} else {
			struct viv_open_how how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)BPF_CORE_READ(regs, dx));
			e->open_flags = how.flags;
			e->mode = how.mode;
		}
	}
	if (ret >= 0) {
		struct file *file = fd_file(ret);

		if (file) {
			struct path path = BPF_CORE_READ(file, f_path);

			put_path(s, VIV_FIELD_PATH, &path);
		}
	}
	put_user_str(s, VIV_FIELD_REQUESTED, requested);
	put_base(s, dirfd, requested);
	submit_event(s, t->slot);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(viv_sys_exit, struct pt_regs *regs, long ret)
{
	/* Direct BTF load, not a helper call: this runs for every syscall. */
	long nr = regs->orig_ax;
	struct viv_target *t;

#ifdef VIV_BENCH_FLOOR
	/* bench/: the cost of having any sys_exit program attached at all. */
	return 0;
#endif
	/* Cheapest test first: almost every syscall leaves here. */
	if (nr != NR_OPENAT && nr != NR_OPEN && nr != NR_OPENAT2 && nr != NR_CREAT)
		return 0;
	t = lookup_target(bpf_get_current_task_btf());
	if (!t)
		return 0;
	on_open(regs, nr, ret, t);
	return 0;
}

#endif /* __VIV_SYSCALLS_BPF_H */
