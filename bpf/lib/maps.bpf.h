/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The maps both backends share: the pinned-map protocol of vivarium.h, and
 * per-CPU scratch room. vivariumd sizes the per-slot maps before load. */
#ifndef __VIV_MAPS_BPF_H
#define __VIV_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "../vivarium.h"
#include "../arch.h"

/* Defaults: vivariumd sets --max-targets and --rings before load. */
#define VIV_MAX_TARGETS 16384
#define VIV_MAX_SLOTS 64

/* A record is assembled in one buffer: the header and up to five page-sized
 * pieces (four fields, the walk). Offsets into it are masked with
 * VIV_EVENT_MASK so the verifier can bound them. */
#define VIV_FIELD_BUF 4096 /* one field: VIV_FIELD_MAX bytes + NUL */
#define VIV_FIELD_MASK (VIV_FIELD_BUF - 1)
#define VIV_EVENT_MAX (sizeof(struct viv_event) + 5 * VIV_FIELD_BUF)
#define VIV_EVENT_MASK 0x3fff /* covers any field offset within VIV_EVENT_MAX */
#define VIV_NAME_MASK 0xff    /* NAME_MAX is 255 */
#define VIV_WALK_SIZE (VIV_FIELD_BUF + 256)

/* Word 0: a generation vivariumd bumps after it sets bits (running.bpf.h).
 * Then one bit per host tgid (PID_MAX_LIMIT of 64-bit kernels: 2^22) that
 * may have a config_targets entry: a task that is not observed leaves
 * without task_key and a hash lookup on every syscall. Set before an entry
 * is written (vivariumd, on_fork), cleared when the process ends; a stale
 * bit costs only the full lookup. vivariumd sizes it to the running
 * kernel's pid_max. */
#define VIV_TGID_WORDS (1 + (1 << 22) / 64)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE); /* vivariumd sets bits with atomic ORs */
	__uint(max_entries, VIV_TGID_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} observed_tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIV_MAX_TARGETS);
	__type(key, struct viv_target_key);
	__type(value, struct viv_target);
} config_targets SEC(".maps");

/* Inner template only: vivariumd creates each worker's ring (of --ring-size)
 * when it registers and removes it when it leaves. */
struct viv_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, VIV_MAX_SLOTS);
	__type(key, __u32);
	__array(values, struct viv_ring);
} rings SEC(".maps");

/* Inner templates of the per-worker maps below: vivariumd creates one of
 * each when a worker registers and hands them to it (never pinned). Sizes,
 * not BTF types: vivariumd creates the maps without BTF, and before 6.2 a
 * map with value BTF does not match one without as an inner map. */
#define VIV_ONE_VALUE_MAP(name, value)			\
	struct name {					\
		__uint(type, BPF_MAP_TYPE_ARRAY);	\
		__uint(map_flags, BPF_F_MMAPABLE);	\
		__uint(max_entries, 1);			\
		__uint(key_size, sizeof(__u32));	\
		__uint(value_size, sizeof(value));	\
	}

VIV_ONE_VALUE_MAP(viv_control_map, struct viv_control);
VIV_ONE_VALUE_MAP(viv_counters_map, struct viv_counters);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, VIV_MAX_SLOTS);
	__type(key, __u32);
	__array(values, struct viv_control_map);
} controls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, VIV_MAX_SLOTS);
	__type(key, __u32);
	__array(values, struct viv_counters_map);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIV_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct viv_owner);
} ring_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_meta);
} meta SEC(".maps");

/* Per-CPU room to assemble one record and to walk one path up, and the
 * mount namespace of the worker the record is for (paths are judged as it
 * sees them). */
/* A path walk in progress (path.bpf.h). In the map value, not on the stack:
 * the verifier then sees its fields as unknown numbers and checks one
 * iteration of the walk, instead of every combination of their values. */
struct viv_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *mnt_root; /* vfsmnt's root: read once per mount, not per step */
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	struct dentry *sb_root; /* once fs_relative: where the walk ends */
	__u32 pos;		/* the path occupies walk[pos, VIV_FIELD_BUF) */
	__u32 truncated;
	__u32 foreign;	   /* the task does not see the worker's view of the files */
	__u32 crossed;	   /* the file's own mount is behind */
	__u32 fs_relative; /* walking to its filesystem's root instead */
	__u32 dev;
};

struct viv_scratch {
	__u8 event[VIV_EVENT_MAX];
	char walk[VIV_WALK_SIZE];
	struct viv_walk w;
	__u32 worker_mntns;
	__u32 from_hook; /* fields an lsm hook places (1 << field): the decoder leaves them */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct viv_scratch);
} scratch SEC(".maps");

/* Keep the ABI types in the object's BTF so user space can generate from it. */
const struct viv_event *viv_abi_event __attribute__((unused));
const struct viv_meta *viv_abi_meta __attribute__((unused));
const struct viv_owner *viv_abi_owner __attribute__((unused));
const struct viv_control *viv_abi_control __attribute__((unused));
const struct viv_counters *viv_abi_counters __attribute__((unused));
const struct viv_target *viv_abi_target __attribute__((unused));
const struct viv_target_key *viv_abi_target_key __attribute__((unused));
const struct sockaddr_un *viv_abi_sockaddr_un __attribute__((unused)); /* decoded in user space */
const enum viv_abi *viv_abi_consts __attribute__((unused));
const enum viv_kind *viv_abi_kind __attribute__((unused));
const enum viv_field *viv_abi_field __attribute__((unused));
const enum viv_event_flags *viv_abi_event_flags __attribute__((unused));
const enum viv_target_flags *viv_abi_target_flags __attribute__((unused));
const enum viv_backend *viv_abi_backend __attribute__((unused));
const enum viv_meta_flags *viv_abi_meta_flags __attribute__((unused));
const enum viv_blind_reason *viv_abi_blind_reason __attribute__((unused));
const enum viv_mount_op *viv_abi_mount_op __attribute__((unused));
const enum viv_dns_mode *viv_abi_dns_mode __attribute__((unused));
const enum viv_env_op *viv_abi_env_op __attribute__((unused));
const enum viv_load_how *viv_abi_load_how __attribute__((unused));
const enum viv_http_flags *viv_abi_http_flags __attribute__((unused));
const enum viv_tls_call *viv_abi_tls_call __attribute__((unused));

static __always_inline struct viv_scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline struct viv_meta *get_meta(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&meta, &zero);
}

/* The control of the worker in slot, or 0 (none registered there). */
static __always_inline struct viv_control *get_control(__u32 slot)
{
	void *inner = bpf_map_lookup_elem(&controls, &slot);
	__u32 zero = 0;

	return inner ? bpf_map_lookup_elem(inner, &zero) : 0;
}

/* The counters of the worker in slot, or 0. */
static __always_inline struct viv_counters *get_counters(__u32 slot)
{
	void *inner = bpf_map_lookup_elem(&counters, &slot);
	__u32 zero = 0;

	return inner ? bpf_map_lookup_elem(inner, &zero) : 0;
}

#endif /* __VIV_MAPS_BPF_H */
