// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lsm.bpf.o, the `lsm` backend: BPF LSM hooks, for kernels booted with `bpf`
 * in their LSM list (and working BPF trampolines). Same maps, same records,
 * same field conventions as the `syscalls` backend (vivarium.h).
 *
 * An LSM hook runs inside the operation, before it is carried out: it sees
 * the object the kernel resolved (the struct file, the parent dir, the
 * socket) but not the outcome. So a hook that runs inside a syscall of the
 * table assembles the record in per-task storage (lsm_pending) and a
 * sys_exit companion fills in the syscall's result and submits it. The
 * requested path is the syscall's argument, decoded by the same decoders as
 * the syscalls backend (decoders.bpf.h), so both spell it the same way.
 *
 * An attempt that fails before its hook (a lookup that fails, a bad fd, a
 * permission check on the way) never reaches the hook: the companion then
 * reports it from the syscall's arguments, exactly as the syscalls backend
 * does. An attempt that fails after its hook (rmdir of a non-empty dir,
 * EACCES from may_delete/may_create, a FIFO open that fails) is reported by
 * the hook, with the failure as its result.
 *
 * Hooks run outside a syscall of the table are reported at once, with
 * result 0 (unknown there), when io_uring does the operation (the syscalls
 * backend cannot see those at all); otherwise they are not events (the
 * binary opened by execve is reported by the exec event). */
#include "lib/decoders.bpf.h"
#include "lib/process.bpf.h"
#include "lib/uprobes.bpf.h"

#define VIV_PF_IO_WORKER 0x10

VIV_PROCESS_PROGRAMS()
VIV_UPROBE_PROGRAMS()

/* A record waiting in its task for the result of syscall `nr - 1`. */
struct viv_pending {
	__u32 nr; /* syscall number + 1; 0: nothing waits */
	__u32 reserved;
	struct viv_scratch s;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct viv_pending);
} lsm_pending SEC(".maps");

enum lsm_mode {
	LSM_SKIP = 0,	/* not an event */
	LSM_PAIRED = 1, /* in lsm_pending, completed by the sys_exit companion */
	LSM_NOW = 2,	/* in scratch, submitted by the hook (io_uring) */
};

struct lsm_call {
	struct viv_target *t;
	struct pt_regs *regs; /* the current syscall's registers */
	struct viv_scratch *s;
	struct viv_pending *p;
	long nr;
};

/* A syscall the companion pairs with hooks or reports: the table's rows but
 * the syscalls backend's blind spots (io_uring: its operations reach the
 * hooks themselves). */
static __always_inline bool lsm_listed(long nr)
{
	return viv_syscall_listed(nr) && viv_syscall_hook(nr) != VIV_HOOK_BLIND;
}

/* Whether the current task is observed, and where this hook's record goes
 * (its syscall's pending record, or scratch for io_uring when now_ok);
 * starts the record there. */
static __always_inline int lsm_begin(struct lsm_call *c, __u16 kind, bool now_ok)
{
	struct task_struct *task = bpf_get_current_task_btf();

	c->t = lookup_target(task);
	if (!c->t)
		return LSM_SKIP;
	c->regs = (struct pt_regs *)bpf_task_pt_regs(task);
	c->nr = VIV_REGS_NR(c->regs);
	c->s = 0;
	c->p = 0;
	if (lsm_listed(c->nr)) {
		c->p = bpf_task_storage_get(&lsm_pending, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		/* No storage: the companion reports the syscall alone. Already
		 * armed for this syscall: the first hook wins (overlayfs opens
		 * the real file after the overlay one; sendmmsg sends several). */
		if (!c->p || c->p->nr == c->nr + 1)
			return LSM_SKIP;
		c->s = &c->p->s;
		start_event(c->s, c->t, kind, 0);
		return LSM_PAIRED;
	}
	if (!now_ok || (c->nr != VIV_NR_io_uring_enter && !(task->flags & VIV_PF_IO_WORKER)))
		return LSM_SKIP;
	c->s = get_scratch();
	if (!c->s)
		return LSM_SKIP;
	start_event(c->s, c->t, kind, 0);
	return LSM_NOW;
}

/* Hand the record on: to the companion (armed) or to the ring. */
static __always_inline void lsm_finish(struct lsm_call *c, int mode)
{
	if (mode == LSM_PAIRED && c->p)
		c->p->nr = c->nr + 1;
	else if (mode == LSM_NOW && c->s)
		submit_event(c->s, c->t->slot);
}

/* A paired record that is the syscall's arguments, decoded (paths
 * resolved) as the syscalls backend decodes them: armed when the syscall is
 * one of this hook's family. */
static __always_inline void lsm_args(struct lsm_call *c, enum viv_hook_family family)
{
	__u16 got = decode_syscall(c->s, c->regs, c->nr, VIV_AT_HOOK, family);

	if (!got)
		return;
	event_of(c->s)->kind = got;
	lsm_finish(c, LSM_PAIRED);
}

/* A hook that pairs with its syscalls' arguments and, run by io_uring,
 * describes the operation itself: true when the caller is to fill in the
 * io_uring record begun in c, then lsm_finish(c, LSM_NOW) it. */
static __always_inline bool lsm_args_or_now(struct lsm_call *c, __u16 kind, enum viv_hook_family family)
{
	int mode = lsm_begin(c, kind, true);

	if (mode == LSM_PAIRED)
		lsm_args(c, family);
	return mode == LSM_NOW;
}

/* A hook that only pairs with its syscalls' arguments. */
static __always_inline int lsm_args_only(__u16 kind, enum viv_hook_family family)
{
	struct lsm_call c;

	if (lsm_begin(&c, kind, false) == LSM_PAIRED)
		lsm_args(&c, family);
	return 0;
}

/* Such a hook, in one line: the program viv_lsm_<hook> on lsm/<hook>, whose
 * record is a VIV_KIND_<kind> event armed for the rows of syscall-table.h
 * whose hook column is <family>. */
#define LSM_ARGS_HOOK(hook, kind, family)                                                                 \
	SEC("lsm/" #hook)                                                                                 \
	int BPF_PROG(viv_lsm_##hook)                                                                      \
	{                                                                                                 \
		return lsm_args_only(VIV_KIND_##kind, VIV_HOOK_##family);                                 \
	}

SEC("lsm/file_open")
int BPF_PROG(viv_lsm_file_open, struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lsm_call c;
	struct viv_event *e;
	int mode;

	/* A file a filesystem opens for itself under borrowed credentials
	 * (overlayfs's backing file, its path in the upper layer): not the
	 * file the task opened, which has its own file_open. */
	if (BPF_CORE_READ(task, cred) != BPF_CORE_READ(task, real_cred))
		return 0;
	mode = lsm_begin(&c, VIV_KIND_FILE_OPEN, true);

	if (mode == LSM_SKIP || (mode == LSM_PAIRED && viv_syscall_hook(c.nr) != VIV_HOOK_OPEN))
		return 0; /* execve's binary and interpreter: the exec event covers them */
	put_path(c.s, VIV_FIELD_PATH, (struct path *)&file->f_path);
	e = event_of(c.s);
	if (mode == LSM_NOW)
		e->open_flags = file->f_flags;
	else if (c.nr != VIV_NR_open_by_handle_at)
		decode_syscall(c.s, c.regs, c.nr, -1, VIV_HOOK_OPEN); /* REQUESTED, BASE, flags, mode as passed */
	else {
		e->aux = c.nr;
		e->open_flags = VIV_ARG(c.regs, 2);
	}
	lsm_finish(&c, mode);
	return 0;
}

/* exec: the program run comes from sched_process_exec, in both backends;
 * this hook records the attempt, which the companion submits only when
 * execve fails after it (ENOEXEC, ...). */
LSM_ARGS_HOOK(bprm_creds_for_exec, EXEC, EXEC)

SEC("lsm/socket_connect")
int BPF_PROG(viv_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	struct lsm_call c;
	int mode = lsm_begin(&c, VIV_KIND_CONNECT, true);

	if (mode == LSM_SKIP || (mode == LSM_PAIRED && viv_syscall_hook(c.nr) != VIV_HOOK_CONNECT))
		return 0;
	event_of(c.s)->aux = mode == LSM_PAIRED ? VIV_ARG(c.regs, 0) : -1; /* the fd */
	/* The kernel's copy of the sockaddr, validated (addrlen <= 128). */
	put_bytes(c.s, VIV_FIELD_EXTRA, address, sockaddr_len(addrlen), VIV_KERNEL);
	lsm_finish(&c, mode);
	return 0;
}

/* iov_iter: 6.1 names the iovec array `iov`, later kernels `__iov`. */
struct iov_iter___v61 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* The first user buffer of a message and its length, or 0; *iovs: the
 * kernel's copy of its iovec array and *count its length, for the buffers
 * after the first (0 when the message is one buffer). */
static __always_inline const void *iter_first(struct iov_iter *it, __u64 *len, const struct iovec **iovs, __u64 *count)
{
	__u8 type = BPF_CORE_READ(it, iter_type);
	__u64 skip = BPF_CORE_READ(it, iov_offset);
	const struct iovec *iov;
	struct iovec first = {};

	if (type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		*len = BPF_CORE_READ(it, count);
		return BPF_CORE_READ(it, ubuf) + skip;
	}
	if (type != bpf_core_enum_value(enum iter_type, ITER_IOVEC))
		return 0;
	if (bpf_core_field_exists(it->__iov))
		iov = BPF_CORE_READ(it, __iov);
	else
		iov = BPF_CORE_READ((struct iov_iter___v61 *)it, iov);
	if (bpf_core_read(&first, sizeof(first), iov) || first.iov_len < skip)
		return 0;
	*iovs = iov;
	*count = BPF_CORE_READ(it, nr_segs);
	*len = first.iov_len - skip;
	return first.iov_base + skip;
}

/* Sends: paired with sendto/sendmsg/sendmmsg, decoded as the syscalls
 * backend does (a DNS query, or a message with a destination); from
 * io_uring, the same from the kernel's copies of the address and iovecs. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(viv_lsm_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct viv_meta *m;
	struct lsm_call c;
	const void *payload, *name;
	const struct iovec *iovs = 0;
	__u64 len = 0, count = 1;
	int mode = lsm_begin(&c, VIV_KIND_SEND, true);

	if (mode == LSM_SKIP)
		return 0;
	name = BPF_CORE_READ(msg, msg_name);
	if (mode == LSM_PAIRED && viv_syscall_hook(c.nr) == VIV_HOOK_SEND) {
		lsm_args(&c, VIV_HOOK_SEND);
		/* A datagram's destination as the kernel copied it: another thread
		 * may have rewritten the caller's since. */
		if (name && event_of(c.s)->kind == VIV_KIND_SEND)
			put_bytes(c.s, VIV_FIELD_EXTRA, name, sockaddr_len(BPF_CORE_READ(msg, msg_namelen)), VIV_KERNEL);
	}
	if (mode != LSM_NOW)
		return 0;
	m = get_meta();
	if (m && m->dns_ports[0] && sock->type == VIV_SOCK_DGRAM &&
	    put_dns_destination(c.s, sock, name, BPF_CORE_READ(msg, msg_namelen), VIV_KERNEL, m)) {
		payload = iter_first(&msg->msg_iter, &len, &iovs, &count);
		if (!payload)
			return 0;
		event_of(c.s)->kind = VIV_KIND_DNS;
		event_of(c.s)->mode = name ? VIV_DNS_ADDRESSED : VIV_DNS_CONNECTED;
		put_dns_message(c.s, iovs, count, true, payload, len);
	} else if (m && m->dns_ports[0] && sock->type == VIV_SOCK_STREAM &&
		   is_dns_port(m, bpf_ntohs(BPF_CORE_READ(sock, sk, __sk_common.skc_dport)))) {
		/* io_uring's writes on a DNS stream: framing needs them in order
		 * with the stream's other writes, which no hook here gives. */
		event_of(c.s)->kind = dns_undecoded(event_of(c.s), VIV_NR_io_uring_enter);
	} else if (name) {
		put_bytes(c.s, VIV_FIELD_EXTRA, name, sockaddr_len(BPF_CORE_READ(msg, msg_namelen)), VIV_KERNEL);
	} else {
		return 0;
	}
	lsm_finish(&c, mode);
	return 0;
}

/* PATH from io_uring: the parent directory the hook got, then the name. */
static __always_inline void put_dir_entry(struct viv_scratch *s, int field, const struct path *dir, struct dentry *dentry)
{
	struct viv_event *e = event_of(s);
	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 off, len;

	put_path(s, field, (struct path *)dir);
	off = field_offset(e, field);
	len = e->len[field & 3] & VIV_FIELD_MASK;
	if (len == 1)
		len = 0; /* "/" + "/name" */
	if (len + 1 + name.len > VIV_FIELD_MAX) {
		mark_truncated(e, field);
		return;
	}
	s->event[(off + len) & VIV_EVENT_MASK] = '/';
	bpf_probe_read_kernel(&s->event[(off + len + 1) & VIV_EVENT_MASK], name.len & VIV_NAME_MASK, name.name);
	e->len[field & 3] = (len + 1 + name.len) & VIV_FIELD_MASK;
}

/* A hook that has the entries it acts on: where the kernel acts comes from
 * it in either mode (read again from the caller's memory, a path may have
 * been rewritten by another thread since the kernel read it). Starts the
 * record; LSM_SKIP when the hook is not its syscall's. */
static __always_inline int lsm_begin_entries(struct lsm_call *c, __u16 kind, enum viv_hook_family family)
{
	int mode = lsm_begin(c, kind, true);

	return mode == LSM_PAIRED && viv_syscall_hook(c->nr) != family ? LSM_SKIP : mode;
}

/* Paired: the syscall's decoder adds the rest, leaving the fields in
 * from_hook (1 << field) to the hook; true when it is io_uring's instead. */
static __always_inline bool lsm_args_but(struct lsm_call *c, int mode, enum viv_hook_family family, __u32 from_hook)
{
	if (mode != LSM_PAIRED)
		return true;
	c->s->from_hook = from_hook;
	lsm_args(c, family);
	return false;
}

/* unlink, rmdir, mkdir, mknod: PATH = the parent dir the hook got and the
 * name; from io_uring, REQUESTED = the name. */
static __always_inline int lsm_dir_entry(__u16 kind, enum viv_hook_family family, const struct path *dir,
					 struct dentry *dentry, __u32 mode_bits)
{
	struct lsm_call c;
	int mode = lsm_begin_entries(&c, kind, family);

	if (mode == LSM_SKIP)
		return 0;
	put_dir_entry(c.s, VIV_FIELD_PATH, dir, dentry);
	if (!lsm_args_but(&c, mode, family, 1 << VIV_FIELD_PATH))
		return 0;
	put_dentry_name(c.s, VIV_FIELD_REQUESTED, dentry);
	event_of(c.s)->mode = mode_bits;
	lsm_finish(&c, LSM_NOW);
	return 0;
}

SEC("lsm/path_unlink")
int BPF_PROG(viv_lsm_path_unlink, const struct path *dir, struct dentry *dentry)
{
	return lsm_dir_entry(VIV_KIND_UNLINK, VIV_HOOK_UNLINK, dir, dentry, 0);
}

SEC("lsm/path_rmdir")
int BPF_PROG(viv_lsm_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	return lsm_dir_entry(VIV_KIND_RMDIR, VIV_HOOK_UNLINK, dir, dentry, 0);
}

SEC("lsm/path_mkdir")
int BPF_PROG(viv_lsm_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode_bits)
{
	return lsm_dir_entry(VIV_KIND_MKDIR, VIV_HOOK_MKDIR, dir, dentry, mode_bits);
}

SEC("lsm/path_mknod")
int BPF_PROG(viv_lsm_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode_bits, unsigned int dev)
{
	return lsm_dir_entry(VIV_KIND_MKNOD, VIV_HOOK_MKNOD, dir, dentry, mode_bits);
}

/* A hook that pairs with its syscalls' arguments but has the file they act
 * on: PATH from it, the rest from the arguments. */
static __always_inline int lsm_args_on_path(__u16 kind, enum viv_hook_family family, const struct path *path)
{
	struct lsm_call c;

	if (lsm_begin_entries(&c, kind, family) != LSM_PAIRED)
		return 0;
	put_path(c.s, VIV_FIELD_PATH, (struct path *)path);
	lsm_args_but(&c, LSM_PAIRED, family, 1 << VIV_FIELD_PATH);
	return 0;
}

/* truncate: by path, the hook's file and the arguments; from io_uring
 * (ftruncate), the file. */
SEC("lsm/path_truncate")
int BPF_PROG(viv_lsm_path_truncate, const struct path *path)
{
	return lsm_args_on_path(VIV_KIND_TRUNCATE, VIV_HOOK_TRUNCATE, path);
}

SEC("lsm/file_truncate")
int BPF_PROG(viv_lsm_file_truncate, struct file *file)
{
	struct lsm_call c;

	if (!lsm_args_or_now(&c, VIV_KIND_TRUNCATE, VIV_HOOK_TRUNCATE))
		return 0;
	put_path(c.s, VIV_FIELD_PATH, (struct path *)&file->f_path);
	lsm_finish(&c, LSM_NOW);
	return 0;
}

LSM_ARGS_HOOK(inode_setattr, UTIME, UTIME)

/* xattrs: by path or fd, the arguments. From io_uring the hook has the
 * dentry but not its mount: the record says it could not be resolved. */
static __always_inline int lsm_xattr(struct dentry *dentry, const char *name)
{
	struct lsm_call c;

	if (!lsm_args_or_now(&c, VIV_KIND_XATTR, VIV_HOOK_XATTR))
		return 0;
	put_dentry_name(c.s, VIV_FIELD_PATH, dentry);
	event_of(c.s)->flags |= VIV_EF_UNRESOLVED;
	put_str(c.s, VIV_FIELD_EXTRA, name, VIV_KERNEL);
	lsm_finish(&c, LSM_NOW);
	return 0;
}

SEC("lsm/inode_setxattr")
int BPF_PROG(viv_lsm_inode_setxattr, struct mnt_idmap *idmap, struct dentry *dentry, const char *name)
{
	return lsm_xattr(dentry, name);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(viv_lsm_inode_removexattr, struct mnt_idmap *idmap, struct dentry *dentry, const char *name)
{
	return lsm_xattr(dentry, name);
}

/* rename: PATH = the old path, EXTRA = the new one, from the hook; from
 * io_uring, REQUESTED = the old name. */
SEC("lsm/path_rename")
int BPF_PROG(viv_lsm_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, unsigned int flags)
{
	struct lsm_call c;
	int mode = lsm_begin_entries(&c, VIV_KIND_RENAME, VIV_HOOK_RENAME);

	if (mode == LSM_SKIP)
		return 0;
	put_dir_entry(c.s, VIV_FIELD_PATH, old_dir, old_dentry);
	if (lsm_args_but(&c, mode, VIV_HOOK_RENAME, 1 << VIV_FIELD_PATH | 1 << VIV_FIELD_EXTRA)) {
		put_dentry_name(c.s, VIV_FIELD_REQUESTED, old_dentry);
		event_of(c.s)->open_flags = flags;
	}
	put_dir_entry(c.s, VIV_FIELD_EXTRA, new_dir, new_dentry);
	if (mode == LSM_NOW)
		lsm_finish(&c, LSM_NOW);
	return 0;
}

/* link: PATH = the old path, EXTRA = the new one, from the hook; from
 * io_uring, REQUESTED = the old name. */
SEC("lsm/path_link")
int BPF_PROG(viv_lsm_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
{
	struct lsm_call c;
	struct path old;
	int mode = lsm_begin_entries(&c, VIV_KIND_LINK, VIV_HOOK_LINK);

	if (mode == LSM_SKIP)
		return 0;
	/* A hard link stays on its mount: the old path, absolute. */
	old.mnt = new_dir->mnt;
	old.dentry = old_dentry;
	put_path(c.s, VIV_FIELD_PATH, &old);
	if (lsm_args_but(&c, mode, VIV_HOOK_LINK, 1 << VIV_FIELD_PATH | 1 << VIV_FIELD_EXTRA))
		put_dentry_name(c.s, VIV_FIELD_REQUESTED, old_dentry);
	put_dir_entry(c.s, VIV_FIELD_EXTRA, new_dir, new_dentry);
	if (mode == LSM_NOW)
		lsm_finish(&c, LSM_NOW);
	return 0;
}

/* symlink: PATH = the new link, from the hook; from io_uring, REQUESTED =
 * its target and EXTRA = its name (paired: as passed). */
SEC("lsm/path_symlink")
int BPF_PROG(viv_lsm_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name)
{
	struct lsm_call c;
	int mode = lsm_begin_entries(&c, VIV_KIND_SYMLINK, VIV_HOOK_SYMLINK);

	if (mode == LSM_SKIP)
		return 0;
	put_dir_entry(c.s, VIV_FIELD_PATH, dir, dentry);
	if (!lsm_args_but(&c, mode, VIV_HOOK_SYMLINK, 1 << VIV_FIELD_PATH))
		return 0;
	put_str(c.s, VIV_FIELD_REQUESTED, old_name, VIV_KERNEL);
	put_dentry_name(c.s, VIV_FIELD_EXTRA, dentry);
	lsm_finish(&c, LSM_NOW);
	return 0;
}

/* chmod, chown: the hook's file and the arguments (by fd, the fd's file is
 * the hook's, as the syscalls backend reads it from the fd). */
SEC("lsm/path_chmod")
int BPF_PROG(viv_lsm_path_chmod, const struct path *path)
{
	return lsm_args_on_path(VIV_KIND_CHMOD, VIV_HOOK_CHMOD, path);
}

SEC("lsm/path_chown")
int BPF_PROG(viv_lsm_path_chown, const struct path *path)
{
	return lsm_args_on_path(VIV_KIND_CHOWN, VIV_HOOK_CHOWN, path);
}

/* mount, umount2; move_mount: the new mount API (mount(2) goes through sb_mount). */
LSM_ARGS_HOOK(sb_mount, MOUNT, MOUNT)
LSM_ARGS_HOOK(sb_umount, MOUNT, MOUNT)
LSM_ARGS_HOOK(move_mount, MOUNT, MOUNT)

LSM_ARGS_HOOK(task_fix_setuid, SETUID, SETUID)
LSM_ARGS_HOOK(task_fix_setgid, SETGID, SETGID)

/* ptrace: PTRACE_ATTACH/SEIZE and PTRACE_TRACEME reach these hooks; the
 * other requests are reported by the companion, like the syscalls backend. */
LSM_ARGS_HOOK(ptrace_access_check, PTRACE, PTRACE)
LSM_ARGS_HOOK(ptrace_traceme, PTRACE, PTRACE)

/* Signals to another process, decoded as the syscalls backend does. */
SEC("lsm/task_kill")
int BPF_PROG(viv_lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred)
{
	/* cred is set only for USB async I/O signals, sent from interrupts. */
	return cred ? 0 : lsm_args_only(VIV_KIND_KILL, VIV_HOOK_KILL);
}

/* The companion: a syscall of an observed task ends. Its hook's record gets
 * the result; a syscall that never reached a hook reports itself, decoded
 * exactly as the syscalls backend does. */
SEC("raw_tp/sys_exit")
int BPF_PROG(viv_lsm_sys_exit, struct pt_regs *raw_regs, long ret)
{
	long nr = VIV_REGS_NR_READ(raw_regs);
	struct task_struct *task;
	struct viv_pending *p;
	struct viv_target *t;
	struct viv_event *e;
	bool armed;

	task = bpf_get_current_task_btf();
	/* An i386 number means something else in the table, and a hook's record
	 * of the call was decoded by it: dropped (disarmed), the call fails closed. */
	if (VIV_COMPAT_SYSCALL(task)) {
		p = bpf_task_storage_get(&lsm_pending, task, 0, 0);
		if (p)
			p->nr = 0;
		report_compat_syscall(task, nr, ret);
		return 0;
	}
	if (!lsm_listed(nr))
		return 0;
	/* Disarm first, observed or not: a record must never outlive its syscall
	 * (the worker may have unregistered since the hook). */
	p = bpf_task_storage_get(&lsm_pending, task, 0, 0);
	armed = p && p->nr == nr + 1;
	if (p)
		p->nr = 0;
	t = lookup_target(task);
	if (!t)
		return 0;
	if (!armed || !p) {
		report_syscall(t, (struct pt_regs *)bpf_task_pt_regs(task), nr, ret);
		return 0;
	}
	e = event_of(&p->s);
	if (e->kind == VIV_KIND_EXEC && ret == 0)
		return 0; /* sched_process_exec reported it */
	/* As the syscalls backend stamps it: the result and the window at the end. */
	e->result = ret;
	e->epoch = target_epoch(t);
	submit_event(&p->s, t->slot);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
