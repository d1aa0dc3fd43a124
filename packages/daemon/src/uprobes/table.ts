// The uprobe attach table: which function of which file feeds which BPF
// program (bpf/lib/uprobes.bpf.h), and with which cookie (the call it is,
// for the program's decoder). vivariumd attaches every row to the files of
// each registered worker, once per distinct file. Adding a row is all it
// takes to watch one more function; /tmp/notes and ARCHITECTURE.md say how
// to add a kind.
import { EnvOp, LoadHow, TlsCall, type UPROBE_FED_KINDS } from '@vivarium/core';

/** Event kinds fed by uprobes: their availability is reported per worker. */
export type UprobeKind = (typeof UPROBE_FED_KINDS)[number];

/**
 * Where a function lives. `program`: the worker's own executable (its
 * `node`). A library: by the file names it has on disk, found where the
 * worker maps it and in the standard library directories of the worker's
 * root (for children that load it later).
 */
export type LibraryName = 'libc' | 'libssl';

export interface Library {
  /** File names of the library in a library directory, most likely first. */
  files: readonly string[];
  /** A mapped file is this library when its name matches. */
  mapped: RegExp;
}

export const LIBRARIES: Record<LibraryName, Library> = {
  libc: { files: ['libc.so.6'], mapped: /^libc(\.so\.6|-[\d.]+\.so)$/ },
  libssl: { files: ['libssl.so.3', 'libssl.so.1.1'], mapped: /^libssl\.so\.(3|1\.1)$/ },
};

export interface UprobeRow {
  kind: UprobeKind;
  in: 'program' | LibraryName;
  symbol: string;
  /** The BPF program (its name in both objects). */
  program: string;
  /** bpf_get_attach_cookie() in the program. */
  cookie: number;
  /** Runs when the function returns (a uretprobe), not when it is called. */
  retprobe?: true;
  /** Required, but in any one file the worker runs or maps: the kind is
   * unavailable only when neither its program nor a library it maps has it
   * (OpenSSL linked into node, or a node using the system's libssl). */
  oneOf?: true;
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
  // SSL_write in node's own OpenSSL (linked in by the official builds) or in
  // a libssl it maps (distribution builds): one of them is required. Copies
  // of libssl in the library directories serve children (curl). Each call is
  // seen at entry (its arguments) and at return (its success).
  ...(['program', 'libssl'] as const).flatMap((where) =>
    (['SSL_write', 'SSL_write_ex'] as const).flatMap((symbol): UprobeRow[] => {
      const call = { kind: 'http', in: where, symbol, cookie: symbol === 'SSL_write' ? TlsCall.SSL_WRITE : TlsCall.SSL_WRITE_EX } as const;
      const need = symbol === 'SSL_write' ? ({ oneOf: true } as const) : ({ optional: true } as const);
      return [
        { ...call, program: 'viv_uprobe_http', ...need },
        { ...call, program: 'viv_uret_http', retprobe: true, ...need },
      ];
    }),
  ),
  // A connection's HTTP/2 state ends with its SSL object (a new one may get its address).
  ...(['program', 'libssl'] as const).map(
    (where): UprobeRow => ({ kind: 'http', in: where, symbol: 'SSL_free', program: 'viv_tls_free', cookie: TlsCall.SSL_FREE, optional: true }),
  ),
];


/** Every kind of the table, in table order. */
export const UPROBE_KINDS: readonly UprobeKind[] = [...new Set(UPROBE_TABLE.map((r) => r.kind))];

/** The programs the table uses. */
export const UPROBE_PROGRAMS: readonly string[] = [...new Set(UPROBE_TABLE.map((r) => r.program))];
