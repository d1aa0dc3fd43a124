/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* x86-64: syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) and where
 * a syscall's number and arguments live in its pt_regs. On x86-64 the
 * argument registers still hold the arguments at sys_exit. */
#ifndef __VIV_ARCH_X86_64_H
#define __VIV_ARCH_X86_64_H

#define VIV_NR_write 1
#define VIV_NR_open 2
#define VIV_NR_writev 20
#define VIV_NR_sendfile 40
#define VIV_NR_socket 41
#define VIV_NR_connect 42
#define VIV_NR_sendto 44
#define VIV_NR_sendmsg 46
#define VIV_NR_execve 59
#define VIV_NR_kill 62
#define VIV_NR_truncate 76
#define VIV_NR_ftruncate 77
#define VIV_NR_rename 82
#define VIV_NR_mkdir 83
#define VIV_NR_rmdir 84
#define VIV_NR_creat 85
#define VIV_NR_link 86
#define VIV_NR_unlink 87
#define VIV_NR_symlink 88
#define VIV_NR_chmod 90
#define VIV_NR_fchmod 91
#define VIV_NR_chown 92
#define VIV_NR_fchown 93
#define VIV_NR_lchown 94
#define VIV_NR_ptrace 101
#define VIV_NR_setuid 105
#define VIV_NR_setgid 106
#define VIV_NR_setreuid 113
#define VIV_NR_setregid 114
#define VIV_NR_setgroups 116
#define VIV_NR_setresuid 117
#define VIV_NR_setresgid 119
#define VIV_NR_setfsuid 122
#define VIV_NR_setfsgid 123
#define VIV_NR_capset 126
#define VIV_NR_rt_sigqueueinfo 129
#define VIV_NR_utime 132
#define VIV_NR_mknod 133
#define VIV_NR_pivot_root 155
#define VIV_NR_chroot 161
#define VIV_NR_mount 165
#define VIV_NR_umount2 166
#define VIV_NR_reboot 169
#define VIV_NR_init_module 175
#define VIV_NR_delete_module 176
#define VIV_NR_setxattr 188
#define VIV_NR_lsetxattr 189
#define VIV_NR_fsetxattr 190
#define VIV_NR_removexattr 197
#define VIV_NR_lremovexattr 198
#define VIV_NR_fremovexattr 199
#define VIV_NR_tkill 200
#define VIV_NR_getdents64 217
#define VIV_NR_tgkill 234
#define VIV_NR_utimes 235
#define VIV_NR_kexec_load 246
#define VIV_NR_openat 257
#define VIV_NR_mkdirat 258
#define VIV_NR_mknodat 259
#define VIV_NR_fchownat 260
#define VIV_NR_futimesat 261
#define VIV_NR_unlinkat 263
#define VIV_NR_renameat 264
#define VIV_NR_linkat 265
#define VIV_NR_symlinkat 266
#define VIV_NR_fchmodat 268
#define VIV_NR_unshare 272
#define VIV_NR_splice 275
#define VIV_NR_utimensat 280
#define VIV_NR_rt_tgsigqueueinfo 297
#define VIV_NR_perf_event_open 298
#define VIV_NR_open_by_handle_at 304
#define VIV_NR_sendmmsg 307
#define VIV_NR_setns 308
#define VIV_NR_process_vm_readv 310
#define VIV_NR_process_vm_writev 311
#define VIV_NR_finit_module 313
#define VIV_NR_renameat2 316
#define VIV_NR_kexec_file_load 320
#define VIV_NR_bpf 321
#define VIV_NR_execveat 322
#define VIV_NR_pwritev2 328
#define VIV_NR_pidfd_send_signal 424
#define VIV_NR_io_uring_setup 425
#define VIV_NR_io_uring_enter 426
#define VIV_NR_io_uring_register 427
#define VIV_NR_open_tree 428
#define VIV_NR_move_mount 429
#define VIV_NR_fsopen 430
#define VIV_NR_fsconfig 431
#define VIV_NR_fsmount 432
#define VIV_NR_fspick 433
#define VIV_NR_openat2 437
#define VIV_NR_pidfd_getfd 438
#define VIV_NR_mount_setattr 442
#define VIV_NR_fchmodat2 452
#define VIV_NR_setxattrat 463
#define VIV_NR_removexattrat 466
#define VIV_NR_open_tree_attr 467
/* Syscall numbers stay below this (a multiple of 64: the bitmaps' size). */
#define VIV_NR_LIMIT 512

/* The syscall's number and its arguments, from its registers. */
#define VIV_REGS_NR(regs) ((regs)->orig_ax)
/* The same from an untrusted pointer (raw_tp). */
#define VIV_REGS_NR_READ(regs) BPF_CORE_READ(regs, orig_ax)
#define VIV_REGS_ARG0(regs) ((regs)->di)
#define VIV_REGS_ARG1(regs) ((regs)->si)
#define VIV_REGS_ARG2(regs) ((regs)->dx)
#define VIV_REGS_ARG3(regs) ((regs)->r10)
#define VIV_REGS_ARG4(regs) ((regs)->r8)
#define VIV_REGS_ARG5(regs) ((regs)->r9)

/* A task running the 32-bit ABI (an i386 program just exec'd: TS_COMPAT in
 * thread_info.status): its syscall numbers are i386's, which the table's
 * x86-64 rows do not describe. */
#define VIV_TS_COMPAT 0x0002
#define VIV_TASK_COMPAT(task) (BPF_CORE_READ(task, thread_info.status) & VIV_TS_COMPAT)
/* The same during a syscall, by a direct load from a trusted task: set by
 * every i386 entry (int 0x80, also from a 64-bit program) until the return
 * to user mode, so sys_exit still sees it. */
#define VIV_COMPAT_SYSCALL(task) ((task)->thread_info.status & VIV_TS_COMPAT)

#endif /* __VIV_ARCH_X86_64_H */
