/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Direct loads through kernel pointers the verifier does not know the type
 * of (read from a map, or through a helper): bpf_rdonly_cast (kernel 6.2+)
 * gives them their BTF type back, and loads through the result are plain
 * instructions with an exception-table entry instead of a
 * bpf_probe_read_kernel call each. vivariumd sets viv_direct_loads before
 * load where the kernel's BTF has the kfunc; elsewhere the verifier drops
 * the branches that call it, and libbpf leaves the weak kfunc unresolved. */
#ifndef __VIV_DIRECT_BPF_H
#define __VIV_DIRECT_BPF_H

#include "maps.bpf.h"

/* A section of its own: user space finds the flag at offset 0 of its map. */
const volatile __u32 viv_direct_loads SEC(".rodata.direct") = 0;

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* ptr as a read-only pointer to the kernel's `type`; only where viv_direct_loads. */
#define typed(type, ptr) ((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))

/* Up to VIV_DIRECT_BYTES bytes at ptr, read 8 at a time: any kernel type whose
 * first member is a char array that long will do (loads anywhere inside an
 * array member are allowed), and the kernel's struct new_utsname has one of 65. */
#define VIV_DIRECT_BYTES 64
#define direct_bytes(ptr) ((const char *)typed(struct new_utsname, (ptr))->sysname)

#endif /* __VIV_DIRECT_BPF_H */
