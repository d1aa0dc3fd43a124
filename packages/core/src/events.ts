// The typed events user code sees. Which ABI fields each kind fills:
//   file_open  PATH = file opened (resolved; empty on failure), REQUESTED, BASE
//   fork       aux = child host pid, mode = child pid in its namespace
//   exit       aux = exit status (wait(2) encoding)
import { KindCode } from './abi.generated.js';

export type EventKind = Lowercase<keyof typeof KindCode>;

export const KIND_NAMES: ReadonlyMap<number, EventKind> = new Map(
  Object.entries(KindCode).map(([name, code]) => [code, name.toLowerCase() as EventKind]),
);

interface EventBase {
  kind: EventKind;
  /** bpf_ktime_get_ns() of the hook (CLOCK_MONOTONIC). */
  timeNs: number;
  /** Host process and thread ids. */
  pid: number;
  tid: number;
  /** Emitted by a followed descendant rather than the worker itself. */
  child: boolean;
  /** Syscall result: >= 0 on success, -errno on failure. */
  result: number;
  /** `ENOENT` etc. when result < 0. */
  errno: string | undefined;
  /** Observation window the acting process belonged to. */
  epoch: number;
  /** A field was cut at PATH_MAX. */
  truncated: boolean;
}

export type OpenAccess = 'read' | 'write' | 'read-write';

export interface FileOpenEvent extends EventBase {
  kind: 'file_open';
  /** The file the kernel opened (symlinks resolved, mounts crossed); on failure, `requestedPath`. */
  path: string;
  /** The path the caller passed, made absolute against its cwd or dirfd, normalised. */
  requestedPath: string;
  /** The path string exactly as passed. */
  requested: string;
  flags: number;
  mode: number;
  access: OpenAccess;
  create: boolean;
  truncate: boolean;
  append: boolean;
}

export interface ForkEvent extends EventBase {
  kind: 'fork';
  childPid: number;
}

export interface ExitEvent extends EventBase {
  kind: 'exit';
  /** wait(2)-encoded status of the exiting child. */
  status: number;
}

/** Kinds this build decodes into a specific shape; others keep raw fields. */
export interface GenericEvent extends EventBase {
  kind: Exclude<EventKind, 'file_open' | 'fork' | 'exit'>;
  path: string;
  requested: string;
  extra: Uint8Array;
  aux: number;
}

export type VivariumEvent = FileOpenEvent | ForkEvent | ExitEvent | GenericEvent;

/** Whether the event carries a path a sandbox rule applies to. */
export function eventPath(event: VivariumEvent): string | undefined {
  return 'path' in event ? event.path : undefined;
}
