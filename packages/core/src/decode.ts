// Pure decoding of ring records (bytes in, typed events out), tested on bytes.
import { posix } from 'node:path';
import { BlindReason, DnsMode, EnvOp, EventFlag, Field, HttpFlag, Layout, LoadHow, MountOp, Syscall } from './abi.generated.js';
import { DecodeError, errnoName } from './errors.js';
import { decodeDnsQuestion } from './dns-message.js';
import type { DnsSegment } from './dns-stream.js';
import { type EnvOperation, type EventKind, type FileOpenEvent, type FsView, KIND_NAMES, type MountOperation as MountOpName, type OpenAccess, type VivariumEvent } from './events.js';
import { decodeHttp1 } from './http/http1.js';
import { Http2Connections } from './http/http2.js';
import { type Backing, internedText, sameBytes } from './interned-text.js';
import { decodeSockaddr } from './sockaddr.js';

const E = Layout.viv_event;
// By code, for the hot path (an array index, not a Map lookup).
const KIND_BY_CODE: ReadonlyArray<EventKind | undefined> = Array.from({ length: Math.max(...KIND_NAMES.keys()) + 1 }, (_, code) => KIND_NAMES.get(code));
// Where len[i] of the header is, and ts_ns read as two u32 halves (a BigInt
// per record would cost more than the rest of the decoding).
const [LEN0, LEN1, LEN2, LEN3] = [0, 1, 2, 3].map((i) => E.len.offset + i * E.len.size) as [number, number, number, number];
const TS_LOW = E.ts_ns.offset;
const TS_HIGH = E.ts_ns.offset + E.ts_ns.size / 2;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const ACCESS: readonly OpenAccess[] = ['read', 'write', 'read-write', 'read-write'];
const TRUNCATED = EventFlag.TRUNCATED_PATH | EventFlag.TRUNCATED_REQUESTED | EventFlag.TRUNCATED_BASE | EventFlag.TRUNCATED_EXTRA;

/** `requested` made absolute against `base` (when relative) and normalised. */
export function absoluteRequested(requested: string, base: string): string {
  if (requested.startsWith('/')) return isNormalAbsolute(requested) ? requested : posix.normalize(requested);
  if (base === '' || requested === '') return requested;
  return posix.join(base, requested);
}

// Fast path: most paths have no `.`/`..` segments, `//` or trailing slash.
function isNormalAbsolute(path: string): boolean {
  return !path.includes('/.') && !path.includes('//') && (path.length === 1 || !path.endsWith('/'));
}

// One Buffer and one DataView per backing store (the ring's mapping), so
// reading a string allocates only the string. The last one is kept at hand:
// a drain reads one ring, and a WeakMap lookup per record costs more than
// the rest of the header.
const backings = new WeakMap<ArrayBufferLike, Backing>();
let lastStore: ArrayBufferLike | undefined;
let lastBacking: Backing | undefined;
function backingOf(view: DataView): Backing {
  const store = view.buffer;
  if (store === lastStore) return lastBacking!;
  let backing = backings.get(store);
  if (!backing) {
    backing = { buffer: Buffer.from(store as ArrayBuffer), view: new DataView(store) };
    backings.set(store, backing);
  }
  lastStore = store;
  lastBacking = backing;
  return backing;
}

/**
 * file_open events, the bulk of most drains, are built by a constructor
 * whose prototype is Object.prototype: plain objects to every reader (their
 * constructor is Object, so toStrictEqual and isDeepStrictEqual see no
 * difference), but made without an object literal's allocation site. Such a
 * site changes its pretenuring decision once most of its objects survive, as
 * a drain's all do, and V8 then deoptimises decodeEvent in the middle of the
 * drain (--trace-deopt: "code dependencies"). A 150,000-event drain after a
 * warm-up: 345 -> 245 ns per event (median of 15 fresh processes each).
 */
function fileOpen(
  this: FileOpenEvent,
  timeNs: number, pid: number, tid: number, child: boolean, result: number, errno: string | undefined, epoch: number, truncated: boolean,
  path: string, requestedPath: string, requested: string, unresolved: boolean, fsView: FsView | undefined, flags: number, mode: number,
) {
  this.kind = 'file_open';
  this.timeNs = timeNs;
  this.pid = pid;
  this.tid = tid;
  this.child = child;
  this.result = result;
  this.errno = errno;
  this.epoch = epoch;
  this.truncated = truncated;
  this.path = path;
  this.requestedPath = requestedPath;
  this.requested = requested;
  this.unresolved = unresolved;
  this.fsView = fsView;
  this.flags = flags;
  this.mode = mode;
  this.access = ACCESS[flags & O_ACCMODE]!;
  this.create = (flags & O_CREAT) !== 0;
  this.truncate = (flags & O_TRUNC) !== 0;
  this.append = (flags & O_APPEND) !== 0;
}
fileOpen.prototype = Object.prototype;
const FileOpen = fileOpen as unknown as new (...fields: Parameters<typeof fileOpen>) => FileOpenEvent;

/** Decodes the record at `view[offset, offset + length)`. Throws DecodeError
 * on malformed input. `http2`: the HPACK state of the worker's HTTP/2
 * connections, which each decoded write updates (a fresh one by default).
 * A write on a DNS-over-TCP stream is a DnsSegment, for the worker's
 * DnsStreams to frame. */
export function decodeEvent(view: DataView, offset: number, length: number, http2?: Http2Connections): VivariumEvent | DnsSegment {
  if (length < E.size) throw new DecodeError(`decode: record of ${length} bytes is shorter than the ${E.size}-byte header`);
  if (offset < 0 || offset + length > view.byteLength) throw new DecodeError(`decode: record at ${offset}+${length} is outside its buffer`);
  const kindCode = view.getUint16(offset + E.kind.offset, true);
  const kind = KIND_BY_CODE[kindCode];
  if (kind === undefined) throw new DecodeError(`decode: unknown event kind ${kindCode} (a newer daemon? check vivariumd status)`);

  // Field boundaries, as offsets into the backing store.
  const at0 = view.byteOffset + offset + E.size;
  const at1 = at0 + view.getUint16(offset + LEN0, true);
  const at2 = at1 + view.getUint16(offset + LEN1, true);
  const at3 = at2 + view.getUint16(offset + LEN2, true);
  const end = at3 + view.getUint16(offset + LEN3, true);
  if (end - view.byteOffset - offset > length)
    throw new DecodeError(`decode: fields need ${end - view.byteOffset - offset} bytes, record has ${length}`);
  const backing = backingOf(view);
  const buffer = backing.buffer;

  const result = view.getInt32(offset + E.result.offset, true);
  const flags = view.getUint16(offset + E.flags.offset, true);
  const aux = view.getUint32(offset + E.aux.offset, true);
  const timeNs = view.getUint32(offset + TS_LOW, true) + view.getUint32(offset + TS_HIGH, true) * 2 ** 32;
  const pid = view.getUint32(offset + E.tgid.offset, true);
  const tid = view.getUint32(offset + E.tid.offset, true);
  const child = (flags & EventFlag.CHILD) !== 0;
  const errno = result < 0 ? errnoName(result) : undefined;
  const epoch = view.getUint32(offset + E.epoch.offset, true);
  const truncated = (flags & TRUNCATED) !== 0;
  const requested = internedText(backing, at1, at2);
  let requestedPath: string;
  let resolved: string;
  if (at3 === at2 && at1 - at0 === at2 - at1 && sameBytes(backing.view, at0, backing.view, at1, at1 - at0)) {
    // The common case: an absolute path opened as is. One string, and no
    // normalising when the kernel walked it (its walk writes normal paths).
    requestedPath = (flags & (TRUNCATED | EventFlag.UNRESOLVED)) === 0 || isNormalAbsolute(requested) ? requested : absoluteRequested(requested, '');
    resolved = requested;
  } else {
    requestedPath = absoluteRequested(requested, at3 > at2 ? internedText(backing, at2, at3) : '');
    resolved = at1 > at0 ? internedText(backing, at0, at1) : requestedPath;
  }

  const mode = view.getUint32(offset + E.mode.offset, true);
  const openFlags = view.getUint32(offset + E.open_flags.offset, true);
  const unresolved = (flags & EventFlag.UNRESOLVED) !== 0;
  // Paths reached through another view than the worker's: within their filesystem (placed by Worker.drain).
  const fsView = flags & FS_RELATIVE ? fsViewOf(flags, view.getUint32(offset + E.dev.offset, true)) : undefined;

  // Object literals with every field, per kind: one shape each, no spreads (hot path).
  switch (kind) {
    case 'file_open':
      return new FileOpen(timeNs, pid, tid, child, result, errno, epoch, truncated, resolved, requestedPath, requested, unresolved, fsView, openFlags, mode);
    case 'exec': {
      const argv = end > at3 ? textOf(buffer, at3, end).split('\0') : [];
      if (argv.length && argv[argv.length - 1] === '') argv.pop();
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath, requested, unresolved, fsView, argv };
    }
    case 'unlink':
    case 'rmdir':
    case 'mkdir':
    case 'chmod':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, mode };
    case 'truncate':
    case 'utime':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, syscall: syscallName(aux) };
    case 'xattr':
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, name: textOf(buffer, at3, end), remove: aux === 1,
      };
    case 'mknod':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, mode, device: aux };
    case 'chown':
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, uid: aux | 0, gid: mode | 0,
      };
    case 'rename':
    case 'link':
      // PATH: the old path, EXTRA: the new one, both walked.
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: walkedRequested(requested, resolved), requested, unresolved, fsView, to: textOf(buffer, at3, end), flags: openFlags };
    case 'symlink':
      // PATH: the new link, walked; REQUESTED: its target, verbatim; EXTRA: the link as passed.
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: resolved, requested: textOf(buffer, at3, end), unresolved, fsView, target: requested };
    case 'mount':
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        path: requestedPath, requestedPath, requested, unresolved, fsView,
        op: MOUNT_OPS.get(aux) ?? 'mount',
        source: textOf(buffer, at3, end),
        fstype: textOf(buffer, at0, at1),
        unmount: aux === MountOp.UMOUNT,
        flags: openFlags,
      };
    case 'connect':
    case 'send':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, endpoint: decodeSockaddr(bytesOf(buffer, at3, end)), fd: aux };
    case 'dns': {
      if (mode === DnsMode.SEGMENT) {
        const server = decodeSockaddr(bytesOf(buffer, at2, at3));
        // A copy: the ring's bytes are reused once consumed.
        return { kind: 'dns_segment', timeNs, pid, tid, child, result, errno, epoch, truncated, server, stream: aux, seq: openFlags, bytes: new Uint8Array(bytesOf(buffer, at3, end)) };
      }
      const question = decodeDnsQuestion(bytesOf(buffer, at3, end));
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        name: question?.name ?? '',
        type: question?.type ?? '',
        server: decodeSockaddr(bytesOf(buffer, at2, at3)),
        addressed: mode === DnsMode.ADDRESSED,
      };
    }
    case 'unobservable':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, syscall: aux === BlindReason.COMPAT_SYSCALL ? `i386 syscall ${mode}` : syscallName(mode), reason: blindReason(aux) };
    case 'setuid':
    case 'setgid':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, ids: [aux | 0, mode | 0, openFlags | 0].filter((id) => id !== -1) };
    case 'ptrace':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, request: aux, targetPid: mode | 0 };
    case 'kill':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, targetPid: aux | 0, signal: mode };
    case 'env': {
      const op = ENV_OPS.get(aux) ?? 'getenv';
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, name: internedText(backing, at3, end), op, write: op !== 'getenv' && op !== 'secure_getenv' };
    }
    case 'load':
      // A bare name is searched for by the loader: kept as passed.
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        path: requested.includes('/') ? requestedPath : requested, requested, flags: openFlags, how: aux === LoadHow.DLMOPEN ? 'dlmopen' : 'dlopen',
      };
    case 'list':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, path: resolved, requestedPath: resolved, requested, unresolved, fsView };
    case 'socket':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, family: SOCKET_FAMILIES[aux] ?? `family ${aux}`, type: SOCKET_TYPES[openFlags & 0xf] ?? `type ${openFlags & 0xf}`, protocol: mode };
    case 'fork':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, childPid: aux };
    case 'exit':
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, status: aux };
    case 'http': {
      // The connection: the process and its SSL object's address.
      const connection = `${pid}:${(mode * 2 ** 32 + openFlags).toString(16)}`;
      if (aux & HttpFlag.H1) {
        const cut = { line: (flags & EventFlag.TRUNCATED_REQUESTED) !== 0, host: (flags & EventFlag.TRUNCATED_BASE) !== 0 };
        const head = decodeHttp1(requested, textOf(buffer, at2, at3), cut);
        return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, protocol: head.protocol, requests: [head.request] };
      }
      const start = (aux & HttpFlag.H2_START) !== 0;
      const connections = http2 ?? new Http2Connections();
      const requests =
        aux & HttpFlag.H2_LOST
          ? connections.lost(connection)
          : connections.requests(connection, bytesOf(buffer, at3, end), start, (flags & EventFlag.TRUNCATED_EXTRA) !== 0);
      return { kind, timeNs, pid, tid, child, result, errno, epoch, truncated, protocol: 'HTTP/2', requests };
    }
    case 'capset':
    case 'setgroups':
    case 'unshare':
    case 'setns':
    case 'chroot':
    case 'pivot_root':
    case 'bpf':
    case 'module':
    case 'process_vm':
    case 'perf_event':
    case 'kexec':
    case 'reboot':
    case 'pidfd_getfd':
      return {
        kind, timeNs, pid, tid, child, result, errno, epoch, truncated,
        syscall: syscallName(mode), args: valueArgs(syscallName(mode), [aux | 0, openFlags | 0]), path: at1 > at0 ? textOf(buffer, at0, at1) : '', tampers: (flags & EventFlag.OWN_MAPS) !== 0,
      };
  }
}

// Helpers of decodeEvent's cases, at module level: no closure is made per
// record (V8 may or may not optimise those away).
function bytesOf(buffer: Buffer, from: number, to: number): Uint8Array {
  return new Uint8Array(buffer.buffer, from, to - from);
}

function textOf(buffer: Buffer, from: number, to: number): string {
  return buffer.toString('utf8', from, to);
}

/** Path arguments the kernel walked (resolve.bpf.h): PATH is where they led;
 * the requested path, when relative, cannot be made absolute without it. */
function walkedRequested(requested: string, resolved: string): string {
  return requested.startsWith('/') ? absoluteRequested(requested, '') : resolved;
}

/** Which of a privileged call's first two arguments are values (flags, a
 * pid, a length), by syscall. Addresses in the caller's memory, fds and
 * registers a one-argument call leaves unused differ each run: left out. */
const VALUE_ARGS: Record<string, readonly number[]> = {
  capset: [], setgroups: [0], unshare: [0], setns: [1], chroot: [], pivot_root: [], bpf: [0],
  init_module: [1], finit_module: [], delete_module: [1], process_vm_readv: [0], process_vm_writev: [0],
  perf_event_open: [1], kexec_load: [1], kexec_file_load: [], reboot: [0, 1], pidfd_getfd: [1],
};

function valueArgs(syscall: string, args: number[]): number[] {
  return (VALUE_ARGS[syscall] ?? [0, 1]).map((i) => args[i]!);
}

const FS_RELATIVE_SHIFT = Math.log2(EventFlag.FS_RELATIVE_PATH);
const FS_RELATIVE = 0xf * EventFlag.FS_RELATIVE_PATH;

/** Which fields of a record are paths within the filesystem `dev`. */
function fsViewOf(flags: number, dev: number): FsView {
  const fields = (flags & FS_RELATIVE) >> FS_RELATIVE_SHIFT;
  return { dev, path: (fields & (1 << Field.PATH)) !== 0, base: (fields & (1 << Field.BASE)) !== 0, to: (fields & (1 << Field.EXTRA)) !== 0 };
}

const SYSCALL_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Syscall).map(([name, nr]) => [nr, name]));

/** A syscall's name from its number ('syscall 999' for one not in the table). */
export function syscallName(nr: number): string {
  return SYSCALL_NAMES.get(nr) ?? `syscall ${nr}`;
}

const ENV_OPS: ReadonlyMap<number, EnvOperation> = new Map(Object.entries(EnvOp).map(([name, code]) => [code, name.toLowerCase() as EnvOperation]));

const SOCKET_FAMILIES: Record<number, string> = { 1: 'unix', 2: 'inet', 10: 'inet6', 16: 'netlink', 17: 'packet' };
const SOCKET_TYPES: Record<number, string> = { 1: 'stream', 2: 'dgram', 3: 'raw', 5: 'seqpacket' };

const MOUNT_OPS: ReadonlyMap<number, MountOpName> = new Map(
  Object.entries(MountOp).map(([name, code]) => [code, name.toLowerCase() as MountOpName]),
);

/** Why the backend could not observe it, and what would. */
function blindReason(reason: number): string {
  if (reason === BlindReason.IO_URING)
    return 'io_uring runs file and network operations inside the kernel, where the syscalls backend cannot see them (vivariumd --backend lsm sees them)';
  if (reason === BlindReason.PRIVILEGED_EXEC)
    return 'the program gained privileges by exec (setuid, setgid or file capabilities) and is no longer observed for a worker registered by a user other than root: what it did next is unknown (run the tests as root to observe it)';
  if (reason === BlindReason.COMPAT_EXEC)
    return 'a 32-bit program: Vivarium decodes the 64-bit system call ABI only, so what it did is unknown (build it for x86-64)';
  if (reason === BlindReason.COMPAT_SYSCALL)
    return 'a 64-bit program made an i386 system call (int 0x80): Vivarium decodes the 64-bit system call ABI only, so what it did is unknown (use the syscall instruction)';
  if (reason === BlindReason.DNS_UNDECODED)
    return 'bytes to a DNS port sent by TCP fast open, with MSG_ZEROCOPY, by sendfile or splice, by io_uring on a stream, by sendmmsg with several messages on a stream, or on a stream protocol other than TCP: Vivarium does not read the queries in them (connect, then write each query)';
  if (reason === BlindReason.SENDMMSG)
    return 'its messages go to different destinations or ask different names (or are more than 8): one event cannot stand for them (send them one by one)';
  return 'not observable by this backend (vivariumd --backend lsm)';
}
