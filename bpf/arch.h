/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The target architecture's syscall numbers and register conventions.
 * x86-64 only for now: arm64 would need its own numbers (it has no open,
 * rename, mkdir, ... only the *at forms) and VIV_REGS_ARG0 from orig_x0,
 * since x0 holds the result at sys_exit. */
#ifndef __VIV_ARCH_H
#define __VIV_ARCH_H

#if defined(__TARGET_ARCH_x86)
#include "arch/x86_64.h"
#else
#error "vivarium: only x86-64 is supported (build with -D__TARGET_ARCH_x86)"
#endif

/* Argument n (0-5) of the syscall whose registers are regs. */
#define VIV_ARG(regs, n) VIV_REGS_ARG##n(regs)

#endif /* __VIV_ARCH_H */
