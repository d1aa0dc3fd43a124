// The typed events user code sees (the field layout per kind is documented
// in bpf/vivarium.h).
import { KindCode } from './abi.generated.js';
import type { Endpoint } from './sockaddr.js';

export type EventKind = Lowercase<keyof typeof KindCode>;

export const KIND_NAMES: ReadonlyMap<number, EventKind> = new Map(
  Object.entries(KindCode).map(([name, code]) => [code, name.toLowerCase() as EventKind]),
);

export const EVENT_KINDS: readonly EventKind[] = [...KIND_NAMES.values()];

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
  /** A field was cut (PATH_MAX, or the argv/DNS bounds). */
  truncated: boolean;
}

/** Events about one file system path. */
interface PathEventBase extends EventBase {
  /** The object acted on, absolute: resolved by the kernel where it could be
   * (opens, execs, fd-based calls), else the requested path made absolute. */
  path: string;
  /** The path the caller passed, made absolute against its cwd or dirfd, normalised. */
  requestedPath: string;
  /** The path string exactly as passed ('' for fd-based calls). */
  requested: string;
}

export type OpenAccess = 'read' | 'write' | 'read-write';

export interface FileOpenEvent extends PathEventBase {
  kind: 'file_open';
  flags: number;
  mode: number;
  access: OpenAccess;
  create: boolean;
  truncate: boolean;
  append: boolean;
}

export interface ExecEvent extends PathEventBase {
  kind: 'exec';
  /** The first arguments (bounded: see `truncated`). Empty for a failed exec. */
  argv: string[];
}

export interface PathEvent extends PathEventBase {
  kind: 'unlink' | 'rmdir' | 'mkdir' | 'chmod';
  mode: number;
}

export interface ChownEvent extends PathEventBase {
  kind: 'chown';
  /** -1 leaves the owner or group unchanged. */
  uid: number;
  gid: number;
}

export interface RenameEvent extends PathEventBase {
  kind: 'rename' | 'link';
  /** The new path, made absolute. (`path` is the old one.) */
  to: string;
  flags: number;
}

export interface SymlinkEvent extends PathEventBase {
  kind: 'symlink';
  /** What the new link points to, verbatim (not resolved). `path` is the link. */
  target: string;
}

export interface MountEvent extends PathEventBase {
  kind: 'mount';
  source: string;
  fstype: string;
  unmount: boolean;
  flags: number;
}

export interface ConnectEvent extends EventBase {
  kind: 'connect';
  endpoint: Endpoint;
  fd: number;
}

export interface DnsEvent extends EventBase {
  kind: 'dns';
  /** The name asked for ('' if the message could not be parsed). */
  name: string;
  /** Query type: A, AAAA, ... */
  type: string;
  /** The resolver it was sent to. */
  server: Endpoint;
}

export interface CredentialEvent extends EventBase {
  kind: 'setuid' | 'setgid';
  /** The id arguments as passed (-1 = unchanged). */
  ids: number[];
}

export interface PtraceEvent extends EventBase {
  kind: 'ptrace';
  request: number;
  targetPid: number;
}

export interface KillEvent extends EventBase {
  kind: 'kill';
  targetPid: number;
  signal: number;
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

export type VivariumEvent =
  | FileOpenEvent
  | ExecEvent
  | PathEvent
  | ChownEvent
  | RenameEvent
  | SymlinkEvent
  | MountEvent
  | ConnectEvent
  | DnsEvent
  | CredentialEvent
  | PtraceEvent
  | KillEvent
  | ForkEvent
  | ExitEvent;
