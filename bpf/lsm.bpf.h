/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The `lsm` backend: BPF LSM hooks, for kernels booted with `bpf` in their
 * LSM list (and working BPF trampolines). Same maps, same records, same
 * field conventions as the `syscalls` backend (vivarium.h).
 *
 * An LSM hook runs inside the operation, before it is carried out: it sees
 * the object the kernel resolved (the struct file, the parent dir, the
 * socket) but not the outcome. So a hook that runs inside the syscall that
 * does its operation assembles the record in per-task storage (lsm_pending)
 * and a sys_exit companion (raw_tp/sys_exit, loaded with this backend only)
 * fills in the syscall's result and submits it. The requested path is the
 * syscall's argument, decoded with the syscalls backend's own decoders, so
 * both backends spell it the same way.
 *
 * An attempt that fails before its hook (a lookup that fails, a bad fd, a
 * permission check on the way) never reaches the hook: the companion then
 * reports it from the syscall's arguments, exactly as the syscalls backend
 * does. An attempt that fails after its hook (rmdir of a non-empty dir,
 * EACCES from may_delete/may_create, a FIFO open that fails) is reported by
 * the hook, with the failure as its result.
 *
 * Hooks run outside a syscall that does their operation are reported at
 * once, with result 0 (unknown there), when io_uring does the operation
 * (the syscalls backend cannot see those at all); otherwise they are not
 * events (the binary opened by execve is reported by the exec event). */
#ifndef __VIV_LSM_BPF_H
#define __VIV_LSM_BPF_H

#include "common.bpf.h"
#include "syscalls.bpf.h" /* syscall numbers and the argument decoders */

#define NR_RT_SIGQUEUEINFO 129
#define NR_RT_TGSIGQUEUEINFO 297
#define NR_OPEN_BY_HANDLE_AT 304
#define NR_PIDFD_SEND_SIGNAL 424
#define NR_IO_URING_ENTER 426
#define NR_MOVE_MOUNT 429

#define VIV_PF_IO_WORKER 0x10

/* Syscalls whose exit the companion handles: the syscalls backend's set,
 * plus those only a hook describes (open_by_handle_at, move_mount, the
 * signal senders beyond kill/tkill/tgkill). */
static const volatile __u64 lsm_paired[8] = {
	[0] = BIT(NR_OPEN) | BIT(NR_CONNECT) | BIT(NR_SENDTO) | BIT(NR_SENDMSG) | BIT(NR_EXECVE) |
	      BIT(NR_KILL),
	[1] = BIT(NR_RENAME) | BIT(NR_MKDIR) | BIT(NR_RMDIR) | BIT(NR_CREAT) | BIT(NR_LINK) | BIT(NR_UNLINK) |
	      BIT(NR_SYMLINK) | BIT(NR_CHMOD) | BIT(NR_FCHMOD) | BIT(NR_CHOWN) | BIT(NR_FCHOWN) | BIT(NR_LCHOWN) |
	      BIT(NR_PTRACE) | BIT(NR_SETUID) | BIT(NR_SETGID) | BIT(NR_SETREUID) | BIT(NR_SETREGID) |
	      BIT(NR_SETRESUID) | BIT(NR_SETRESGID) | BIT(NR_SETFSUID) | BIT(NR_SETFSGID),
	[2] = BIT(NR_MOUNT) | BIT(NR_UMOUNT2) | BIT(NR_RT_SIGQUEUEINFO),
	[3] = BIT(NR_TKILL) | BIT(NR_TGKILL),
	[4] = BIT(NR_OPENAT) | BIT(NR_MKDIRAT) | BIT(NR_FCHOWNAT) | BIT(NR_UNLINKAT) | BIT(NR_RENAMEAT) |
	      BIT(NR_LINKAT) | BIT(NR_SYMLINKAT) | BIT(NR_FCHMODAT) | BIT(NR_SENDMMSG) | BIT(NR_RENAMEAT2) |
	      BIT(NR_EXECVEAT) | BIT(NR_RT_TGSIGQUEUEINFO) | BIT(NR_OPEN_BY_HANDLE_AT),
	[6] = BIT(NR_OPENAT2) | BIT(NR_PIDFD_SEND_SIGNAL) | BIT(NR_MOVE_MOUNT),
	[7] = BIT(NR_FCHMODAT2),
};

static __always_inline bool lsm_is_paired(long nr)
{
	__u64 word = (__u64)nr >> 6;

	/* Keep the mask: 6.1's verifier loses the range check across a spill. */
	barrier_var(word);
	return nr >= 0 && nr < 512 && (lsm_paired[word & 7] & BIT(nr));
}

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

struct viv_hook {
	struct viv_target *t;
	struct pt_regs *regs; /* the current syscall's registers */
	struct viv_scratch *s;
	struct viv_pending *p;
	long nr;
};

/* Whether the current task is observed; then its syscall number. */
static __always_inline bool lsm_enter(struct viv_hook *c)
{
	struct task_struct *task = bpf_get_current_task_btf();

	c->t = lookup_target(task);
	if (!c->t)
		return false;
	c->regs = (struct pt_regs *)bpf_task_pt_regs(task);
	c->nr = c->regs->orig_ax;
	c->s = 0;
	c->p = 0;
	return true;
}

/* Where this hook's record goes; starts it there. */
static __always_inline int lsm_start(struct viv_hook *c, __u16 kind, bool now_ok)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (lsm_is_paired(c->nr)) {
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
	if (!now_ok || (c->nr != NR_IO_URING_ENTER && !(task->flags & VIV_PF_IO_WORKER)))
		return LSM_SKIP;
	c->s = get_scratch();
	if (!c->s)
		return LSM_SKIP;
	start_event(c->s, c->t, kind, 0);
	return LSM_NOW;
}

/* Hand the record on: to the companion (armed) or to the ring. */
static __always_inline void lsm_finish(struct viv_hook *c, int mode)
{
	if (mode == LSM_PAIRED && c->p)
		c->p->nr = c->nr + 1;
	else if (mode == LSM_NOW && c->s)
		submit_event(c->s, c->t->slot);
}

/* The syscall's arguments decoded by the syscalls backend's on_syscall,
 * for one of the listed syscalls (a constant nr keeps each hook's program
 * down to its own cases). Returns the kind, or 0. */
#define DECODE(NR)                                                                                         \
	case NR:                                                                                           \
		return on_syscall(s, regs, NR, -1)

static __always_inline __u16 decode_exec(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_EXECVE);
		DECODE(NR_EXECVEAT);
	}
	return 0;
}

static __always_inline __u16 decode_unlink(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_UNLINK);
		DECODE(NR_RMDIR);
		DECODE(NR_UNLINKAT);
	}
	return 0;
}

static __always_inline __u16 decode_mkdir(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_MKDIR);
		DECODE(NR_MKDIRAT);
	}
	return 0;
}

static __always_inline __u16 decode_rename(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_RENAME);
		DECODE(NR_RENAMEAT);
		DECODE(NR_RENAMEAT2);
	}
	return 0;
}

static __always_inline __u16 decode_link(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_LINK);
		DECODE(NR_LINKAT);
	}
	return 0;
}

static __always_inline __u16 decode_symlink(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_SYMLINK);
		DECODE(NR_SYMLINKAT);
	}
	return 0;
}

static __always_inline __u16 decode_chmod(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_CHMOD);
		DECODE(NR_FCHMODAT);
		DECODE(NR_FCHMODAT2);
	}
	return 0;
}

static __always_inline __u16 decode_chown(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_CHOWN);
		DECODE(NR_LCHOWN);
		DECODE(NR_FCHOWNAT);
	}
	return 0;
}

static __always_inline __u16 decode_setuid(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_SETUID);
		DECODE(NR_SETREUID);
		DECODE(NR_SETRESUID);
		DECODE(NR_SETFSUID);
	}
	return 0;
}

static __always_inline __u16 decode_setgid(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_SETGID);
		DECODE(NR_SETREGID);
		DECODE(NR_SETRESGID);
		DECODE(NR_SETFSGID);
	}
	return 0;
}

static __always_inline __u16 decode_kill(struct viv_scratch *s, struct pt_regs *regs, long nr)
{
	switch (nr) {
		DECODE(NR_KILL);
		DECODE(NR_TKILL);
		DECODE(NR_TGKILL);
	}
	return 0;
}

/* A hook whose record is the syscall's arguments: paired, or nothing. */
static __always_inline void lsm_args(struct viv_hook *c, __u16 kind, __u16 got)
{
	if (got != kind)
		return;
	((struct viv_event *)c->s->event)->kind = got;
	lsm_finish(c, LSM_PAIRED);
}

/* PATH: the file opened. bpf_d_path is allowed on file_open (6.1 and
 * 6.12); an unlinked file (O_TMPFILE) gets the walk instead, since d_path
 * would append " (deleted)" where the syscalls backend does not. */
static __always_inline void put_file_path(struct viv_scratch *s, struct file *file)
{
	struct viv_event *e = (struct viv_event *)s->event;
	struct dentry *dentry = file->f_path.dentry;
	long n;

	if (BPF_CORE_READ(dentry, d_hash.pprev) || BPF_CORE_READ(dentry, d_parent) == dentry) {
		n = bpf_d_path((struct path *)&file->f_path, (char *)&s->event[sizeof(struct viv_event)], VIV_FIELD_MAX + 1);
		if (n > 0) {
			e->len[VIV_FIELD_PATH] = (n - 1) & VIV_FIELD_MASK;
			return;
		}
	}
	put_path(s, VIV_FIELD_PATH, (struct path *)&file->f_path);
}

SEC("lsm/file_open")
int BPF_PROG(viv_lsm_file_open, struct file *file)
{
	struct viv_hook c;
	struct viv_event *e;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_FILE_OPEN, true);
	if (mode == LSM_SKIP)
		return 0;
	if (mode == LSM_PAIRED && c.nr != NR_OPEN && c.nr != NR_CREAT && c.nr != NR_OPENAT && c.nr != NR_OPENAT2 &&
	    c.nr != NR_OPEN_BY_HANDLE_AT)
		return 0; /* execve's binary and interpreter: the exec event covers them */
	put_file_path(c.s, file);
	e = (struct viv_event *)c.s->event;
	if (mode == LSM_PAIRED && c.nr != NR_OPEN_BY_HANDLE_AT) {
		on_open(c.s, c.regs, c.nr, -1); /* REQUESTED, BASE, flags, mode as passed */
	} else if (mode == LSM_PAIRED) {
		e->aux = c.nr;
		e->open_flags = c.regs->dx;
	} else {
		e->open_flags = file->f_flags;
	}
	lsm_finish(&c, mode);
	return 0;
}

/* exec: the program run comes from sched_process_exec (process.bpf.h), in
 * both backends; this hook records the attempt, which the companion
 * submits only when execve fails after it (ENOEXEC, ...). */
SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(viv_lsm_bprm_creds_for_exec, struct linux_binprm *bprm)
{
	struct viv_hook c;

	if (lsm_enter(&c) && lsm_start(&c, VIV_KIND_EXEC, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_EXEC, decode_exec(c.s, c.regs, c.nr));
	return 0;
}

/* A sockaddr length, at most VIV_SOCKADDR_MAX, opaque to the compiler so
 * put_kernel_bytes keeps the mask the verifier needs. */
static __always_inline __u32 sockaddr_len(int len)
{
	__u32 n = len < 0 ? 0 : len > VIV_SOCKADDR_MAX ? VIV_SOCKADDR_MAX : len;

	barrier_var(n);
	return n;
}

SEC("lsm/socket_connect")
int BPF_PROG(viv_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	struct viv_hook c;
	struct viv_event *e;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_CONNECT, true);
	if (mode == LSM_SKIP || (mode == LSM_PAIRED && c.nr != NR_CONNECT))
		return 0;
	e = (struct viv_event *)c.s->event;
	e->aux = mode == LSM_PAIRED ? c.regs->di : -1; /* the fd */
	/* The kernel's copy of the sockaddr, validated (addrlen <= 128). */
	put_kernel_bytes(c.s, VIV_FIELD_EXTRA, address, sockaddr_len(addrlen));
	lsm_finish(&c, mode);
	return 0;
}

/* iov_iter: 6.1 names the iovec array `iov`, later kernels `__iov`. */
struct iov_iter___v61 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* The first user buffer of a message and its length, or 0. */
static __always_inline const void *iter_first(struct iov_iter *it, __u64 *len)
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
	/* The iovec array is the kernel's copy. */
	if (bpf_core_read(&first, sizeof(first), iov) || first.iov_len < skip)
		return 0;
	*len = first.iov_len - skip;
	return first.iov_base + skip;
}

/* BASE: where a DNS message goes, when that is the DNS port: the kernel's
 * copy of the address passed, or the connected peer. */
static __always_inline bool put_dns_destination(struct viv_scratch *s, struct socket *sock, struct msghdr *msg,
						 __u16 port)
{
	void *name = BPF_CORE_READ(msg, msg_name);
	int namelen = BPF_CORE_READ(msg, msg_namelen);

	if (name) {
		__u16 head[2] = {};

		bpf_probe_read_kernel(head, sizeof(head), name);
		if ((head[0] != VIV_AF_INET && head[0] != VIV_AF_INET6) || bpf_ntohs(head[1]) != port)
			return false;
		put_kernel_bytes(s, VIV_FIELD_BASE, name, sockaddr_len(namelen));
		return true;
	}
	return put_peer_sockaddr(s, sock, port);
}

/* dns: a UDP message to the DNS port. The destination and the iovecs are
 * the kernel's copies; the message itself is read from the sender's buffer. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(viv_lsm_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct viv_hook c;
	struct viv_meta *m;
	const void *payload;
	__u32 zero = 0;
	__u64 len = 0;
	int mode;

	/* Cheapest tests first: this runs for every send of every process. */
	m = bpf_map_lookup_elem(&meta, &zero);
	if (!m || !m->dns_port || sock->type != VIV_SOCK_DGRAM)
		return 0;
	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_DNS, true);
	if (mode == LSM_SKIP || (mode == LSM_PAIRED && c.nr != NR_SENDTO && c.nr != NR_SENDMSG && c.nr != NR_SENDMMSG))
		return 0;
	if (!put_dns_destination(c.s, sock, msg, m->dns_port))
		return 0;
	payload = iter_first(&msg->msg_iter, &len);
	if (!payload)
		return 0;
	put_user_bytes(c.s, VIV_FIELD_EXTRA, payload, len > VIV_DNS_MAX ? VIV_DNS_MAX : len);
	lsm_finish(&c, mode);
	return 0;
}

/* unlink, rmdir, mkdir from io_uring: the name in REQUESTED, relative to
 * the parent dir in BASE. */
static __always_inline void lsm_dir_entry(struct viv_hook *c, const struct path *dir, struct dentry *dentry,
					  __u32 mode_bits)
{
	put_dentry_name(c->s, VIV_FIELD_REQUESTED, dentry);
	put_path(c->s, VIV_FIELD_BASE, (struct path *)dir);
	((struct viv_event *)c->s->event)->mode = mode_bits;
	lsm_finish(c, LSM_NOW);
}

SEC("lsm/path_unlink")
int BPF_PROG(viv_lsm_path_unlink, const struct path *dir, struct dentry *dentry)
{
	struct viv_hook c;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_UNLINK, true);
	if (mode == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_UNLINK, decode_unlink(c.s, c.regs, c.nr));
	else if (mode == LSM_NOW)
		lsm_dir_entry(&c, dir, dentry, 0);
	return 0;
}

SEC("lsm/path_rmdir")
int BPF_PROG(viv_lsm_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	struct viv_hook c;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_RMDIR, true);
	if (mode == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_RMDIR, decode_unlink(c.s, c.regs, c.nr));
	else if (mode == LSM_NOW)
		lsm_dir_entry(&c, dir, dentry, 0);
	return 0;
}

SEC("lsm/path_mkdir")
int BPF_PROG(viv_lsm_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode_bits)
{
	struct viv_hook c;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_MKDIR, true);
	if (mode == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_MKDIR, decode_mkdir(c.s, c.regs, c.nr));
	else if (mode == LSM_NOW)
		lsm_dir_entry(&c, dir, dentry, mode_bits);
	return 0;
}

/* rename from io_uring: old name + old dir (REQUESTED + BASE), new name +
 * new dir (EXTRA + PATH), the same pairs the syscall's arguments fill. */
SEC("lsm/path_rename")
int BPF_PROG(viv_lsm_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, unsigned int flags)
{
	struct viv_hook c;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_RENAME, true);
	if (mode == LSM_PAIRED) {
		lsm_args(&c, VIV_KIND_RENAME, decode_rename(c.s, c.regs, c.nr));
	} else if (mode == LSM_NOW) {
		put_path(c.s, VIV_FIELD_PATH, (struct path *)new_dir);
		put_dentry_name(c.s, VIV_FIELD_REQUESTED, old_dentry);
		put_path(c.s, VIV_FIELD_BASE, (struct path *)old_dir);
		put_dentry_name(c.s, VIV_FIELD_EXTRA, new_dentry);
		((struct viv_event *)c.s->event)->open_flags = flags;
		lsm_finish(&c, mode);
	}
	return 0;
}

SEC("lsm/path_link")
int BPF_PROG(viv_lsm_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
{
	struct viv_hook c;
	struct path old;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_LINK, true);
	if (mode == LSM_PAIRED) {
		lsm_args(&c, VIV_KIND_LINK, decode_link(c.s, c.regs, c.nr));
	} else if (mode == LSM_NOW) {
		/* A hard link stays on its mount: the old path, absolute. */
		old.mnt = new_dir->mnt;
		old.dentry = old_dentry;
		put_path(c.s, VIV_FIELD_PATH, (struct path *)new_dir);
		put_path(c.s, VIV_FIELD_REQUESTED, &old);
		put_dentry_name(c.s, VIV_FIELD_EXTRA, new_dentry);
		lsm_finish(&c, mode);
	}
	return 0;
}

SEC("lsm/path_symlink")
int BPF_PROG(viv_lsm_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name)
{
	struct viv_hook c;
	int mode;

	if (!lsm_enter(&c))
		return 0;
	mode = lsm_start(&c, VIV_KIND_SYMLINK, true);
	if (mode == LSM_PAIRED) {
		lsm_args(&c, VIV_KIND_SYMLINK, decode_symlink(c.s, c.regs, c.nr));
	} else if (mode == LSM_NOW) {
		put_path(c.s, VIV_FIELD_PATH, (struct path *)dir);
		put_kernel_str(c.s, VIV_FIELD_REQUESTED, old_name);
		put_dentry_name(c.s, VIV_FIELD_EXTRA, dentry);
		lsm_finish(&c, mode);
	}
	return 0;
}

/* chmod, chown: by path, the arguments; by fd, PATH is the hook's path. */
SEC("lsm/path_chmod")
int BPF_PROG(viv_lsm_path_chmod, const struct path *path)
{
	struct viv_hook c;

	if (!lsm_enter(&c) || lsm_start(&c, VIV_KIND_CHMOD, false) != LSM_PAIRED)
		return 0;
	if (c.nr == NR_FCHMOD) {
		((struct viv_event *)c.s->event)->mode = c.regs->si;
		put_path(c.s, VIV_FIELD_PATH, (struct path *)path);
		lsm_finish(&c, LSM_PAIRED);
		return 0;
	}
	lsm_args(&c, VIV_KIND_CHMOD, decode_chmod(c.s, c.regs, c.nr));
	return 0;
}

SEC("lsm/path_chown")
int BPF_PROG(viv_lsm_path_chown, const struct path *path)
{
	struct viv_hook c;
	struct viv_event *e;

	if (!lsm_enter(&c) || lsm_start(&c, VIV_KIND_CHOWN, false) != LSM_PAIRED)
		return 0;
	if (c.nr == NR_FCHOWN) {
		e = (struct viv_event *)c.s->event;
		e->aux = c.regs->si;
		e->mode = c.regs->dx;
		put_path(c.s, VIV_FIELD_PATH, (struct path *)path);
		lsm_finish(&c, LSM_PAIRED);
		return 0;
	}
	lsm_args(&c, VIV_KIND_CHOWN, decode_chown(c.s, c.regs, c.nr));
	return 0;
}

SEC("lsm/sb_mount")
int BPF_PROG(viv_lsm_sb_mount)
{
	struct viv_hook c;

	if (lsm_enter(&c) && c.nr == NR_MOUNT && lsm_start(&c, VIV_KIND_MOUNT, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_MOUNT, on_syscall(c.s, c.regs, NR_MOUNT, -1));
	return 0;
}

SEC("lsm/sb_umount")
int BPF_PROG(viv_lsm_sb_umount)
{
	struct viv_hook c;

	if (lsm_enter(&c) && c.nr == NR_UMOUNT2 && lsm_start(&c, VIV_KIND_MOUNT, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_MOUNT, on_syscall(c.s, c.regs, NR_UMOUNT2, -1));
	return 0;
}

/* move_mount (the new mount API; mount(2) goes through sb_mount): target
 * as passed, source as passed (else the device name), fstype from the
 * mount being moved. */
SEC("lsm/move_mount")
int BPF_PROG(viv_lsm_move_mount, const struct path *from_path)
{
	struct viv_hook c;
	struct super_block *sb;
	struct viv_event *e;

	if (!lsm_enter(&c) || c.nr != NR_MOVE_MOUNT || lsm_start(&c, VIV_KIND_MOUNT, false) != LSM_PAIRED)
		return 0;
	e = (struct viv_event *)c.s->event;
	sb = BPF_CORE_READ(from_path, mnt, mnt_sb);
	put_kernel_str(c.s, VIV_FIELD_PATH, BPF_CORE_READ(sb, s_type, name));
	on_path(c.s, c.regs->dx, (const char *)c.regs->r10);
	put_user_str(c.s, VIV_FIELD_EXTRA, (const char *)c.regs->si);
	if (!e->len[VIV_FIELD_EXTRA])
		put_kernel_str(c.s, VIV_FIELD_EXTRA, (const char *)__builtin_preserve_access_index(&sb->s_id));
	e->open_flags = c.regs->r8;
	lsm_finish(&c, LSM_PAIRED);
	return 0;
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(viv_lsm_task_fix_setuid)
{
	struct viv_hook c;

	if (lsm_enter(&c) && lsm_start(&c, VIV_KIND_SETUID, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_SETUID, decode_setuid(c.s, c.regs, c.nr));
	return 0;
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(viv_lsm_task_fix_setgid)
{
	struct viv_hook c;

	if (lsm_enter(&c) && lsm_start(&c, VIV_KIND_SETGID, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_SETGID, decode_setgid(c.s, c.regs, c.nr));
	return 0;
}

/* ptrace: PTRACE_ATTACH/SEIZE and PTRACE_TRACEME reach these hooks; the
 * other requests are reported by the companion, like the syscalls backend. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(viv_lsm_ptrace_access_check)
{
	struct viv_hook c;

	if (lsm_enter(&c) && c.nr == NR_PTRACE && lsm_start(&c, VIV_KIND_PTRACE, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_PTRACE, on_syscall(c.s, c.regs, NR_PTRACE, -1));
	return 0;
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(viv_lsm_ptrace_traceme)
{
	struct viv_hook c;

	if (lsm_enter(&c) && c.nr == NR_PTRACE && lsm_start(&c, VIV_KIND_PTRACE, false) == LSM_PAIRED)
		lsm_args(&c, VIV_KIND_PTRACE, on_syscall(c.s, c.regs, NR_PTRACE, -1));
	return 0;
}

/* kill: kill/tkill/tgkill as the syscalls backend decodes them; the other
 * senders (rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal) with the
 * target's pid. A process signalling itself is not an event. */
SEC("lsm/task_kill")
int BPF_PROG(viv_lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred)
{
	struct viv_hook c;
	struct viv_event *e;

	/* cred is set only for USB async I/O signals, sent from interrupts. */
	if (cred || !lsm_enter(&c) || lsm_start(&c, VIV_KIND_KILL, false) != LSM_PAIRED)
		return 0;
	if (c.nr != NR_RT_SIGQUEUEINFO && c.nr != NR_RT_TGSIGQUEUEINFO && c.nr != NR_PIDFD_SEND_SIGNAL) {
		lsm_args(&c, VIV_KIND_KILL, decode_kill(c.s, c.regs, c.nr));
		return 0;
	}
	e = (struct viv_event *)c.s->event;
	e->aux = p->tgid;
	e->mode = sig;
	if (e->aux != e->tgid)
		lsm_finish(&c, LSM_PAIRED);
	return 0;
}

/* The companion: a syscall of an observed task ends. Its hook's record gets
 * the result; a syscall that never reached a hook reports itself, decoded
 * exactly as the syscalls backend does. (raw_tp, not tp_btf: vivariumd
 * loads tp_btf/sys_* with the syscalls backend and raw_tp/sys_* with lsm.) */
SEC("raw_tp/sys_exit")
int BPF_PROG(viv_lsm_sys_exit, struct pt_regs *raw_regs, long ret)
{
	long nr = BPF_CORE_READ(raw_regs, orig_ax);
	struct task_struct *task;
	struct viv_pending *p;
	struct viv_scratch *s;
	struct viv_target *t;
	struct viv_event *e;
	bool armed;
	__u16 kind;

	if (!lsm_is_paired(nr))
		return 0;
	task = bpf_get_current_task_btf();
	/* Disarm first, observed or not: a record must never outlive its syscall
	 * (the worker may have unregistered since the hook). */
	p = bpf_task_storage_get(&lsm_pending, task, 0, 0);
	armed = p && p->nr == nr + 1;
	if (p)
		p->nr = 0;
	t = lookup_target(task);
	if (!t)
		return 0;
	if (armed && p) {
		e = (struct viv_event *)p->s.event;
		if (e->kind == VIV_KIND_EXEC && ret == 0)
			return 0; /* sched_process_exec reported it */
		/* As the syscalls backend stamps it: the result and the window at the end. */
		e->result = ret;
		e->epoch = t->epoch;
		submit_event(&p->s, t->slot);
		return 0;
	}
	s = get_scratch();
	if (!s)
		return 0;
	start_event(s, t, 0, ret);
	kind = on_syscall(s, (struct pt_regs *)bpf_task_pt_regs(task), nr, ret);
	if (!kind)
		return 0;
	((struct viv_event *)s->event)->kind = kind;
	submit_event(s, t->slot);
	return 0;
}

#endif /* __VIV_LSM_BPF_H */
