// The typed events user code sees (the field layout per kind is documented
// in bpf/vivarium.h).
import { KindCode } from './abi.generated.js';
import type { HttpRequest } from './http/request.js';
import type { Origin } from './provenance/origin.js';
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
  /** Set when a process started in an earlier window did it (a helper server
   * from beforeAll, a child that outlived its test): who, and where it started. */
  leftover?: Leftover;
  /** The JS call that caused it (with provenance on): its call site and npm package. */
  origin?: Origin;
}

/** A process started in an earlier window, acting in this one. */
export interface Leftover {
  pid: number;
  /** Its program's name ('node', 'sh'), or '?' when it is gone. */
  command: string;
  /** The test whose window started it, or where it started outside any. */
  startedIn: string;
}

/** Events about one file system path. */
interface PathEventBase extends EventBase {
  /** The object acted on, absolute, where the kernel really acted: resolved
   * through symlinks and mounts (an open's or exec's file, an fd's file, a
   * path argument walked as the kernel walked it). A failed attempt: as far
   * as it resolved, then the rest as written. */
  path: string;
  /** The path the caller passed, made absolute against its cwd or dirfd, normalised. */
  requestedPath: string;
  /** The path string exactly as passed ('' for fd-based calls). */
  requested: string;
  /** The kernel could not tell where the path led (a symlink whose target it
   * does not hold in memory, a filesystem the worker cannot see, ...): a
   * successful attempt is then judged as unobservable, by every check it
   * could hide from. */
  unresolved: boolean;
  /** Set while paths are still within their filesystem, as the kernel gave
   * them for a task with another view than the worker's; the worker places
   * them in its own view before anyone sees the event. */
  fsView?: FsView | undefined;
}

/** Which paths of an event are within the filesystem `dev` (a kernel dev_t). */
export interface FsView {
  dev: number;
  path: boolean;
  /** The directory a relative requested path started from. */
  base: boolean;
  /** The new path of a rename or link. */
  to: boolean;
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

/** A file changed without an open: its size (truncate, ftruncate) or times (utime, utimes, futimesat, utimensat). */
export interface FileChangeEvent extends PathEventBase {
  kind: 'truncate' | 'utime';
  /** The syscall, by name. */
  syscall: string;
}

export interface XattrEvent extends PathEventBase {
  kind: 'xattr';
  /** The attribute's name ('user.origin'). */
  name: string;
  /** Removed rather than set. */
  remove: boolean;
}

export interface MknodEvent extends PathEventBase {
  kind: 'mknod';
  /** File type and permissions (S_IFIFO | 0644 for a FIFO). */
  mode: number;
  /** The device number of a device node. */
  device: number;
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

/** The call of the mount family a mount event was. */
export type MountOperation = 'mount' | 'umount' | 'open_tree' | 'move_mount' | 'fsopen' | 'fsconfig' | 'fsmount' | 'fspick' | 'mount_setattr';

export interface MountEvent extends PathEventBase {
  kind: 'mount';
  op: MountOperation;
  /** mount: the device or directory; move_mount: where from; fsconfig: the key. */
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

/** A message sent with a destination address: a datagram (UDP, raw, Unix)
 * or TCP fast open; judged like a connect. */
export interface SendEvent extends EventBase {
  kind: 'send';
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
  /** The query named its resolver (sendto with an address) rather than going
   * to a connected one: the resolver is then judged like a connect too. */
  addressed: boolean;
}

/** Something the running backend cannot observe: it fails every check it
 * could hide from. */
export interface UnobservableEvent extends EventBase {
  kind: 'unobservable';
  /** The syscall that opened the blind spot ('io_uring_enter'). */
  syscall: string;
  /** Why it cannot be observed, and what would. */
  reason: string;
}

/** A privileged act of its own kind: capabilities, namespaces, roots, BPF,
 * kernel modules, another process's memory, perf, kexec, reboot. */
export interface PrivilegedEvent extends EventBase {
  kind: 'capset' | 'setgroups' | 'unshare' | 'setns' | 'chroot' | 'pivot_root' | 'bpf' | 'module' | 'process_vm' | 'perf_event' | 'kexec' | 'reboot' | 'pidfd_getfd';
  /** The syscall, by name. */
  syscall: string;
  /** Those of its first two arguments that are values (flags, a pid, a
   * length), in order; addresses in the caller's memory are left out. */
  args: number[];
  /** The path it names, if any (the new root of chroot, the file of
   * finit_module), or the module delete_module removes. */
  path: string;
  /** A call that wrote Vivarium's own maps (who is observed, where events
   * go) or took a writable fd of one (bpf() by pin or id, pidfd_getfd): the
   * window's observation was tampered with. */
  tampers: boolean;
}

/** Which C library call an env event was. */
export type EnvOperation = 'getenv' | 'secure_getenv' | 'setenv' | 'unsetenv' | 'putenv' | 'clearenv';

/** An environment variable read or changed through the C library (Node's
 * process.env goes through it). Its name only: a value is never recorded. */
export interface EnvEvent extends EventBase {
  kind: 'env';
  /** The variable's name ('' for clearenv, which removes them all). */
  name: string;
  op: EnvOperation;
  /** setenv, unsetenv, putenv, clearenv: the environment changed. */
  write: boolean;
}

/** A shared object loaded at run time (dlopen): a native addon through
 * process.dlopen, a library a child loads. */
export interface LoadEvent extends EventBase {
  kind: 'load';
  /** The file asked for: absolute when given with a '/' (made absolute
   * against the cwd), else the bare name as passed ('libz.so.1'), which the
   * dynamic loader searches for. */
  path: string;
  /** As passed to dlopen. */
  requested: string;
  /** dlopen's flags (RTLD_*). */
  flags: number;
  how: 'dlopen' | 'dlmopen';
}

/** A directory listed (getdents64): the directory's path. */
export interface ListEvent extends PathEventBase {
  kind: 'list';
}

/** A raw, packet or netlink socket created: a privileged act. */
export interface SocketEvent extends EventBase {
  kind: 'socket';
  /** 'netlink', 'packet', 'inet', 'inet6', or 'family N'. */
  family: string;
  /** 'raw', 'dgram', 'stream', or 'type N' (flags left out). */
  type: string;
  protocol: number;
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

/** A TLS write that sent HTTP request heads (SSL_write, SSL_write_ex). Only
 * method, scheme, host, port and path are kept: no query, body or other header. */
export interface HttpEvent extends EventBase {
  kind: 'http';
  /** 'HTTP/1.1', 'HTTP/2'. */
  protocol: string;
  /** The requests the write started (HTTP/2 may start several at once; none
   * for a write that only opened an HTTP/2 connection). */
  requests: HttpRequest[];
}

export type VivariumEvent =
  | FileOpenEvent
  | ExecEvent
  | PathEvent
  | FileChangeEvent
  | XattrEvent
  | MknodEvent
  | ChownEvent
  | RenameEvent
  | SymlinkEvent
  | MountEvent
  | ConnectEvent
  | SendEvent
  | DnsEvent
  | UnobservableEvent
  | PrivilegedEvent
  | EnvEvent
  | LoadEvent
  | ListEvent
  | SocketEvent
  | CredentialEvent
  | PtraceEvent
  | KillEvent
  | ForkEvent
  | ExitEvent
  | HttpEvent;
