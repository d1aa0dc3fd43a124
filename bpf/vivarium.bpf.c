// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vivarium.bpf.o: every program of both backends. vivariumd loads the
 * shared process hooks plus exactly one backend's programs (by section:
 * tp_btf/sys_* for `syscalls`; lsm/... and the raw_tp/sys_exit companion
 * for `lsm`). */
#include "common.bpf.h"
#include "process.bpf.h"
#include "syscalls.bpf.h"
#include "lsm.bpf.h"

char LICENSE[] SEC("license") = "GPL";
