/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What a process asks its libraries for: programs vivariumd attaches as
 * uprobes to functions of the files each worker runs (its `node`, the C
 * library it maps, ...). Which symbol of which file feeds which program is
 * vivariumd's attach table (packages/daemon/src/uprobes/table.ts); the
 * attach cookie says which call of a program's family it is. Only targets
 * are reported, as everywhere else. Both backends instantiate the programs
 * with VIV_UPROBE_PROGRAMS(). */
#ifndef __VIV_UPROBES_BPF_H
#define __VIV_UPROBES_BPF_H

#include "path.bpf.h"
#include "record.bpf.h"
#include "tls.bpf.h"

/* An environment variable's name, at most this long (longer names are cut
 * and marked truncated). */
#define VIV_ENV_NAME_MAX 256

/* EXTRA = the variable's name from `src`: up to its first '=' (putenv's
 * "NAME=value"), so a value never reaches the ring. */
static __always_inline void put_env_name(struct viv_scratch *s, const char *src)
{
	struct viv_event *e = event_of(s);
	__u32 off = field_offset(e, VIV_FIELD_EXTRA) & VIV_EVENT_MASK;
	long n = bpf_probe_read_user_str(&s->event[off], VIV_ENV_NAME_MAX, src);
	__u32 i;

	if (n <= 0)
		return;
	n -= 1; /* the NUL, or the last byte of a cut name */
	for (i = 0; i < VIV_ENV_NAME_MAX - 1; i++) {
		if (i >= n)
			break;
		if (s->event[(off + i) & VIV_EVENT_MASK] == '=') {
			n = i;
			break;
		}
	}
	if (n == VIV_ENV_NAME_MAX - 1)
		mark_truncated(e, VIV_FIELD_EXTRA);
	e->len[VIV_FIELD_EXTRA] = n & VIV_NAME_MASK;
}

/* getenv, secure_getenv, setenv, unsetenv, putenv (name), clearenv (none):
 * the cookie is the call (enum viv_env_op). */
static __always_inline int on_env(struct pt_regs *ctx, const char *name)
{
	struct viv_target *t = lookup_target(bpf_get_current_task_btf());
	__u32 op = bpf_get_attach_cookie(ctx);
	struct viv_scratch *s;
	struct viv_event *e;

	if (!t)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = start_event(s, t, VIV_KIND_ENV, 0);
	e->aux = op;
	if (op != VIV_ENV_CLEARENV)
		put_env_name(s, name);
	submit_event(s, t->slot);
	return 0;
}

/* dlopen(file, flags): the file as passed (NULL, the program itself, is no
 * load); the cookie is enum viv_load_how. dlmopen takes the namespace first. */
static __always_inline int on_load(struct pt_regs *ctx, const char *file, __u32 flags)
{
	struct viv_target *t = lookup_target(bpf_get_current_task_btf());
	struct viv_scratch *s;
	struct viv_event *e;

	if (!t || !file)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = start_event(s, t, VIV_KIND_LOAD, 0);
	e->aux = bpf_get_attach_cookie(ctx);
	e->open_flags = flags;
	put_requested(s, VIV_AT_FDCWD, file);
	submit_event(s, t->slot);
	return 0;
}

#define VIV_UPROBE_PROGRAMS()                                                                              \
	SEC("uprobe")                                                                                      \
	int BPF_KPROBE(viv_uprobe_env, const char *name)                                                   \
	{                                                                                                  \
		return on_env(ctx, name);                                                                  \
	}                                                                                                  \
	SEC("uprobe")                                                                                      \
	int BPF_KPROBE(viv_uprobe_load, void *arg0, void *arg1, void *arg2)                                \
	{                                                                                                  \
		if (bpf_get_attach_cookie(ctx) == VIV_LOAD_DLMOPEN)                                        \
			return on_load(ctx, arg1, (__u32)(long)arg2);                                      \
		return on_load(ctx, arg0, (__u32)(long)arg1);                                              \
	}                                                                                                  \
	SEC("uprobe")                                                                                      \
	int BPF_KPROBE(viv_uprobe_http, void *ssl, const void *buf, __u64 num)                             \
	{                                                                                                  \
		return on_tls_call(ctx, ssl, buf, num);                                                    \
	}                                                                                                  \
	SEC("uretprobe")                                                                                   \
	int BPF_KRETPROBE(viv_uret_http, long ret)                                                         \
	{                                                                                                  \
		return on_tls_return(ret);                                                                 \
	}                                                                                                  \
	SEC("uprobe")                                                                                      \
	int BPF_KPROBE(viv_tls_free, void *ssl)                                                     \
	{                                                                                                  \
		return on_tls_free(ssl);                                                                   \
	}

#endif /* __VIV_UPROBES_BPF_H */
