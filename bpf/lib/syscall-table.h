/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The syscalls the backends report: one row each. Everything else is
 * generated from it: the bitmap that lets every other syscall leave at
 * once, both backends' decoding (decoders.bpf.h), and the per-hook subsets
 * the lsm backend decodes.
 *
 *   X(ctx, name, kind, decoder, hook)
 *     name     the syscall; its number is VIV_NR_<name> (arch/<arch>.h)
 *     kind     enum viv_kind it yields (a decoder may refine or drop it)
 *     decoder  dec_<decoder>() in decoders.bpf.h reads its arguments
 *     hook     VIV_HOOK_<hook>: the LSM hook that describes it in the lsm
 *              backend (NONE: the sys_exit companion reports it alone;
 *              BLIND: a syscall only the syscalls backend reports, as what
 *              it cannot see; the lsm backend sees the operations in hooks)
 *
 * Adding a syscall: its number in the arch header, a row here, and a
 * decoder if none of the existing ones reads its arguments. */
#ifndef __VIV_SYSCALL_TABLE_H
#define __VIV_SYSCALL_TABLE_H

#define VIV_SYSCALLS(X, ctx)                                   \
	X(ctx, open, FILE_OPEN, open, OPEN)                            \
	X(ctx, creat, FILE_OPEN, open, OPEN)                           \
	X(ctx, openat, FILE_OPEN, open, OPEN)                          \
	X(ctx, openat2, FILE_OPEN, open, OPEN)                         \
	X(ctx, open_by_handle_at, FILE_OPEN, open, OPEN)               \
	X(ctx, execve, EXEC, exec, EXEC)                               \
	X(ctx, execveat, EXEC, exec, EXEC)                             \
	X(ctx, connect, CONNECT, connect, CONNECT)                     \
	X(ctx, socket, SOCKET, socket, NONE)                           \
	X(ctx, getdents64, LIST, list, NONE)                           \
	X(ctx, sendto, SEND, send, SEND)                               \
	X(ctx, sendmsg, SEND, send, SEND)                              \
	X(ctx, sendmmsg, SEND, send, SEND)                             \
	X(ctx, write, SEND, send, SEND)                                \
	X(ctx, writev, SEND, send, SEND)                               \
	X(ctx, pwritev2, SEND, send, SEND)                             \
	X(ctx, sendfile, UNOBSERVABLE, spliced, NONE)                  \
	X(ctx, splice, UNOBSERVABLE, spliced, NONE)                    \
	X(ctx, unlink, UNLINK, path, UNLINK)                           \
	X(ctx, rmdir, RMDIR, path, UNLINK)                             \
	X(ctx, unlinkat, UNLINK, path, UNLINK)                         \
	X(ctx, mkdir, MKDIR, path, MKDIR)                              \
	X(ctx, mkdirat, MKDIR, path, MKDIR)                            \
	X(ctx, mknod, MKNOD, path, MKNOD)                              \
	X(ctx, mknodat, MKNOD, path, MKNOD)                            \
	X(ctx, rename, RENAME, two_paths, RENAME)                      \
	X(ctx, renameat, RENAME, two_paths, RENAME)                    \
	X(ctx, renameat2, RENAME, two_paths, RENAME)                   \
	X(ctx, link, LINK, two_paths, LINK)                            \
	X(ctx, linkat, LINK, two_paths, LINK)                          \
	X(ctx, symlink, SYMLINK, symlink, SYMLINK)                     \
	X(ctx, symlinkat, SYMLINK, symlink, SYMLINK)                   \
	X(ctx, chmod, CHMOD, path, CHMOD)                              \
	X(ctx, fchmodat, CHMOD, path, CHMOD)                           \
	X(ctx, fchmodat2, CHMOD, path, CHMOD)                          \
	X(ctx, fchmod, CHMOD, fd_path, CHMOD)                          \
	X(ctx, chown, CHOWN, path, CHOWN)                              \
	X(ctx, lchown, CHOWN, path, CHOWN)                             \
	X(ctx, fchownat, CHOWN, path, CHOWN)                           \
	X(ctx, fchown, CHOWN, fd_path, CHOWN)                          \
	X(ctx, truncate, TRUNCATE, path, TRUNCATE)                     \
	X(ctx, ftruncate, TRUNCATE, fd_path, TRUNCATE)                 \
	X(ctx, utime, UTIME, path, UTIME)                              \
	X(ctx, utimes, UTIME, path, UTIME)                             \
	X(ctx, futimesat, UTIME, path, UTIME)                          \
	X(ctx, utimensat, UTIME, path, UTIME)                          \
	X(ctx, setxattr, XATTR, xattr, XATTR)                          \
	X(ctx, lsetxattr, XATTR, xattr, XATTR)                         \
	X(ctx, fsetxattr, XATTR, xattr, XATTR)                         \
	X(ctx, setxattrat, XATTR, xattr, XATTR)                        \
	X(ctx, removexattr, XATTR, xattr, XATTR)                       \
	X(ctx, lremovexattr, XATTR, xattr, XATTR)                      \
	X(ctx, fremovexattr, XATTR, xattr, XATTR)                      \
	X(ctx, removexattrat, XATTR, xattr, XATTR)                     \
	X(ctx, setuid, SETUID, creds, SETUID)                          \
	X(ctx, setreuid, SETUID, creds, SETUID)                        \
	X(ctx, setresuid, SETUID, creds, SETUID)                       \
	X(ctx, setfsuid, SETUID, creds, SETUID)                        \
	X(ctx, setgid, SETGID, creds, SETGID)                          \
	X(ctx, setregid, SETGID, creds, SETGID)                        \
	X(ctx, setresgid, SETGID, creds, SETGID)                       \
	X(ctx, setfsgid, SETGID, creds, SETGID)                        \
	X(ctx, setgroups, SETGROUPS, privileged, NONE)                 \
	X(ctx, capset, CAPSET, privileged, NONE)                       \
	X(ctx, ptrace, PTRACE, ptrace, PTRACE)                         \
	X(ctx, kill, KILL, kill, KILL)                                 \
	X(ctx, tkill, KILL, kill, KILL)                                \
	X(ctx, tgkill, KILL, kill, KILL)                               \
	X(ctx, rt_sigqueueinfo, KILL, kill, KILL)                      \
	X(ctx, rt_tgsigqueueinfo, KILL, kill, KILL)                    \
	X(ctx, pidfd_send_signal, KILL, kill, KILL)                    \
	X(ctx, mount, MOUNT, mount, MOUNT)                             \
	X(ctx, umount2, MOUNT, mount, MOUNT)                           \
	X(ctx, move_mount, MOUNT, mount, MOUNT)                        \
	X(ctx, open_tree, MOUNT, mount, NONE)                          \
	X(ctx, open_tree_attr, MOUNT, mount, NONE)                     \
	X(ctx, fsopen, MOUNT, mount, NONE)                             \
	X(ctx, fsconfig, MOUNT, mount, NONE)                           \
	X(ctx, fsmount, MOUNT, mount, NONE)                            \
	X(ctx, fspick, MOUNT, mount, NONE)                             \
	X(ctx, mount_setattr, MOUNT, mount, NONE)                      \
	X(ctx, chroot, CHROOT, privileged, NONE)                       \
	X(ctx, pivot_root, PIVOT_ROOT, privileged, NONE)               \
	X(ctx, unshare, UNSHARE, privileged, NONE)                     \
	X(ctx, setns, SETNS, privileged, NONE)                         \
	X(ctx, bpf, BPF, privileged, NONE)                             \
	X(ctx, init_module, MODULE, privileged, NONE)                  \
	X(ctx, finit_module, MODULE, privileged, NONE)                 \
	X(ctx, delete_module, MODULE, privileged, NONE)                \
	X(ctx, process_vm_readv, PROCESS_VM, privileged, NONE)         \
	X(ctx, process_vm_writev, PROCESS_VM, privileged, NONE)        \
	X(ctx, perf_event_open, PERF_EVENT, privileged, NONE)          \
	X(ctx, kexec_load, KEXEC, privileged, NONE)                    \
	X(ctx, kexec_file_load, KEXEC, privileged, NONE)               \
	X(ctx, reboot, REBOOT, privileged, NONE)                       \
	X(ctx, pidfd_getfd, PIDFD_GETFD, privileged, NONE)             \
	X(ctx, io_uring_setup, UNOBSERVABLE, io_uring, BLIND)           \
	X(ctx, io_uring_enter, UNOBSERVABLE, io_uring, BLIND)           \
	X(ctx, io_uring_register, UNOBSERVABLE, io_uring, BLIND)

/* The rows' names and numbers in the object's BTF, for user space
 * (generated into abi.generated.ts: events name the syscall they came from). */
#define VIV_SYSCALL_ENUM(ctx, name, kind, decoder, hook) VIV_SYS_##name = VIV_NR_##name,
enum viv_syscall { VIV_SYSCALLS(VIV_SYSCALL_ENUM, 0) };
const enum viv_syscall *viv_abi_syscall __attribute__((unused));

/* The LSM hook families of the `hook` column; ANY selects every row. */
enum viv_hook_family {
	VIV_HOOK_ANY = 0,
	VIV_HOOK_NONE,
	VIV_HOOK_BLIND,
	VIV_HOOK_OPEN,
	VIV_HOOK_EXEC,
	VIV_HOOK_CONNECT,
	VIV_HOOK_SEND,
	VIV_HOOK_UNLINK,
	VIV_HOOK_MKDIR,
	VIV_HOOK_RENAME,
	VIV_HOOK_LINK,
	VIV_HOOK_SYMLINK,
	VIV_HOOK_CHMOD,
	VIV_HOOK_CHOWN,
	VIV_HOOK_SETUID,
	VIV_HOOK_SETGID,
	VIV_HOOK_PTRACE,
	VIV_HOOK_KILL,
	VIV_HOOK_MOUNT,
	VIV_HOOK_MKNOD,
	VIV_HOOK_TRUNCATE,
	VIV_HOOK_UTIME,
	VIV_HOOK_XATTR,
};

/* The bitmap of rows, indexed by syscall number: one load decides for the
 * ~all syscalls that are none of our business. Built at compile time: each
 * word ORs the bit of every row whose number falls in it. */
#define VIV_ROW_BIT(word, name, kind, decoder, hook)                                                     \
	| ((VIV_NR_##name) / 64 == (word) ? 1ULL << ((VIV_NR_##name) % 64) : 0ULL)
#define VIV_WORD(word) (0ULL VIV_SYSCALLS(VIV_ROW_BIT, word))

_Static_assert(VIV_NR_LIMIT == 8 * 64, "viv_syscall_bits covers VIV_NR_LIMIT");
static const volatile __u64 viv_syscall_bits[8] = {
	VIV_WORD(0), VIV_WORD(1), VIV_WORD(2), VIV_WORD(3), VIV_WORD(4), VIV_WORD(5), VIV_WORD(6), VIV_WORD(7),
};

/* Whether syscall nr is in the table. */
static __always_inline bool viv_syscall_listed(long nr)
{
	__u64 word = (__u64)nr / 64;

	/* Keep the mask: 6.1's verifier loses the range check across a spill. */
	barrier_var(word);
	return nr >= 0 && nr < VIV_NR_LIMIT && (viv_syscall_bits[word & 7] & (1ULL << (nr & 63)));
}

/* The hook family of syscall nr's row (VIV_HOOK_ANY: not in the table). */
#define VIV_HOOK_CASE(ctx, name, kind, decoder, hook)                                                    \
	case VIV_NR_##name:                                                                              \
		return VIV_HOOK_##hook;

static __always_inline enum viv_hook_family viv_syscall_hook(long nr)
{
	switch (nr) {
		VIV_SYSCALLS(VIV_HOOK_CASE, 0)
	}
	return VIV_HOOK_ANY;
}

#endif /* __VIV_SYSCALL_TABLE_H */
