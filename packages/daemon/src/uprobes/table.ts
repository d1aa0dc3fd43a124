// The uprobe attach table: which function of which file feeds which BPF
// program (bpf/lib/uprobes.bpf.h), and with which cookie (the call it is,
// for the program's decoder). vivariumd attaches every row to the files of
// each registered worker, once per distinct file. Adding a row is all it
// takes to watch one more function; /tmp/notes and ARCHITECTURE.md say how
// to add a kind.
import { EnvOp, LoadHow } from '@vivarium/core';

/** Event kinds fed by uprobes: their availability is reported per worker. */
export type UprobeKind = 'env' | 'load';

/**
 * Where a function lives. `program`: the worker's own executable (its
 * `node`). A library: by the file names it has on disk, found where the
 * worker maps it and in the standard library directories of the worker's
 * root (for children that load it later).
 */
export type LibraryName = 'libc';

export interface Library {
  /** File names of the library in a library directory, most likely first. */
  files: readonly string[];
  /** A mapped file is this library when its name matches. */
  mapped: RegExp;
}

export const LIBRARIES: Record<LibraryName, Library> = {
  libc: { files: ['libc.so.6'], mapped: /^libc(\.so\.6|-[\d.]+\.so)$/ },
};

export interface UprobeRow {
  kind: UprobeKind;
  in: 'program' | LibraryName;
  symbol: string;
  /** The BPF program (its name in both objects). */
  program: string;
  /** bpf_get_attach_cookie() in the program. */
  cookie: number;
  /** Without it the kind is unavailable for the worker (default: required).
   * Optional rows add coverage (e.g. a library only children load). */
  optional?: boolean;
}

export const UPROBE_TABLE: readonly UprobeRow[] = [
  { kind: 'env', in: 'libc', symbol: 'getenv', program: 'viv_uprobe_env', cookie: EnvOp.GETENV },
  { kind: 'env', in: 'libc', symbol: 'secure_getenv', program: 'viv_uprobe_env', cookie: EnvOp.SECURE_GETENV },
  { kind: 'env', in: 'libc', symbol: 'setenv', program: 'viv_uprobe_env', cookie: EnvOp.SETENV },
  { kind: 'env', in: 'libc', symbol: 'unsetenv', program: 'viv_uprobe_env', cookie: EnvOp.UNSETENV },
  { kind: 'env', in: 'libc', symbol: 'putenv', program: 'viv_uprobe_env', cookie: EnvOp.PUTENV },
  { kind: 'env', in: 'libc', symbol: 'clearenv', program: 'viv_uprobe_env', cookie: EnvOp.CLEARENV },
  { kind: 'load', in: 'libc', symbol: 'dlopen', program: 'viv_uprobe_load', cookie: LoadHow.DLOPEN },
  { kind: 'load', in: 'libc', symbol: 'dlmopen', program: 'viv_uprobe_load', cookie: LoadHow.DLMOPEN },
];

/** Every kind of the table, in table order. */
export const UPROBE_KINDS: readonly UprobeKind[] = [...new Set(UPROBE_TABLE.map((r) => r.kind))];

/** The programs the table uses. */
export const UPROBE_PROGRAMS: readonly string[] = [...new Set(UPROBE_TABLE.map((r) => r.program))];
