// What Node's net module cannot do on a Unix socket, through libc: a
// blocking client connection (registration happens synchronously, before the
// first test), passing file descriptors (SCM_RIGHTS) and reading the peer's
// credentials as the kernel recorded them (SO_PEERCRED). Layouts are
// declared as C structs to koffi, which computes them.
import type { TypeObject } from 'koffi';
import { koffi } from './koffi.js';
import { Layout } from './abi.generated.js';
import { errnoName, syscallError } from './errors.js';
import { closeFd, lastErrno, libcLibrary } from './native.js';

/** Linux's (x86-64) socket constants, for the libc calls here and vivariumd's
 * (notify.ts); struct sockaddr_un as the BPF object's BTF lays it out. */
export const SOCKET = {
  AF_UNIX: 1,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_CLOEXEC: 0o2000000,
  MSG_NOSIGNAL: 0x4000,
  /** sizeof and offsetof sockaddr_un.sun_path */
  SUN_PATH: Layout.sockaddr_un.sun_path.size,
  SUN_PATH_OFFSET: Layout.sockaddr_un.sun_path.offset,
} as const;

const { AF_UNIX, SOCK_STREAM, SOCK_CLOEXEC, MSG_NOSIGNAL, SUN_PATH } = SOCKET;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const SO_PEERCRED = 17;
const SO_PEERPIDFD = 77;
const SO_RCVTIMEO = 20;
const SO_SNDTIMEO = 21;
const MSG_CMSG_CLOEXEC = 0x40000000;
/** File descriptors one message carries, at most. */
export const MAX_FDS = 4;

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

interface SocketApi {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, addr: Record<string, unknown>, len: number): number;
  sendmsg(fd: number, msg: Record<string, unknown>, flags: number): number;
  recvmsg(fd: number, msg: Record<string, unknown>, flags: number): number;
  getsockopt(fd: number, level: number, name: number, value: Record<string, unknown>, len: number[]): number;
  getsockoptInt(fd: number, level: number, name: number, value: number[], len: number[]): number;
  setsockopt(fd: number, level: number, name: number, value: Record<string, unknown>, len: number): number;
  sizes: { sockaddr: number; cmsg: number; cmsgHeader: number; ucred: number; timeval: number };
  cmsgType: TypeObject;
}

let api: SocketApi | undefined;

function load(): SocketApi {
  if (api) return api;
  const lib = libcLibrary();
  const sockaddr = koffi.struct('vivarium_sockaddr_un', { family: 'uint16_t', path: koffi.array('char', SUN_PATH, 'String') });
  const iovec = koffi.struct('vivarium_iovec', { base: 'void *', len: 'size_t' });
  koffi.struct('vivarium_msghdr', {
    name: 'void *',
    namelen: 'uint32_t',
    iov: koffi.pointer(iovec),
    iovlen: 'size_t',
    control: 'void *',
    controllen: 'size_t',
    flags: 'int',
  });
  const cmsgHeader = koffi.struct('vivarium_cmsghdr', { len: 'size_t', level: 'int', type: 'int' });
  // One SCM_RIGHTS control message: the header, then the descriptors.
  const cmsg = koffi.struct('vivarium_cmsg_fds', { len: 'size_t', level: 'int', type: 'int', fds: koffi.array('int', MAX_FDS) });
  const ucred = koffi.struct('vivarium_ucred', { pid: 'int32_t', uid: 'uint32_t', gid: 'uint32_t' });
  const timeval = koffi.struct('vivarium_timeval', { sec: 'int64_t', usec: 'int64_t' });
  api = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    connect: lib.func('int connect(int fd, const vivarium_sockaddr_un *addr, uint32_t len)'),
    sendmsg: lib.func('intptr_t sendmsg(int fd, const vivarium_msghdr *msg, int flags)'),
    recvmsg: lib.func('intptr_t recvmsg(int fd, _Inout_ vivarium_msghdr *msg, int flags)'),
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, _Out_ vivarium_ucred *value, _Inout_ uint32_t *len)'),
    getsockoptInt: lib.func('getsockopt', 'int', ['int', 'int', 'int', koffi.out(koffi.pointer('int')), koffi.inout(koffi.pointer('uint32_t'))]),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const vivarium_timeval *value, uint32_t len)'),
    sizes: {
      sockaddr: koffi.sizeof(sockaddr),
      cmsg: koffi.sizeof(cmsg),
      cmsgHeader: koffi.sizeof(cmsgHeader),
      ucred: koffi.sizeof(ucred),
      timeval: koffi.sizeof(timeval),
    },
    cmsgType: cmsg,
  };
  return api;
}

/** -errno of the last failed libc call, as libbpf-style return values are. */
const failure = () => -lastErrno();

const EINTR = 4;
const EISCONN = 106;

/** A blocking call, again when a signal interrupted it (a profiler's SIGPROF, a runner's timers). */
function uninterrupted(call: () => number): number {
  for (;;) {
    const r = call();
    if (r >= 0 || lastErrno() !== EINTR) return r;
  }
}

/** A blocking, close-on-exec connection to the socket at `path`. Throws an
 * Error whose `code` is the errno name (ENOENT, ECONNREFUSED, EACCES, ...). */
export function connectUnix(path: string, timeoutMs: number): number {
  const s = load();
  if (Buffer.byteLength(path) >= SUN_PATH) throw new Error(`socket path ${path} is longer than ${SUN_PATH - 1} bytes`);
  const fd = s.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw syscallError('socket', failure());
  try {
    const timeout = { sec: Math.floor(timeoutMs / 1000), usec: (timeoutMs % 1000) * 1000 };
    s.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, s.sizes.timeval);
    s.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, timeout, s.sizes.timeval);
    let connected = s.connect(fd, { family: AF_UNIX, path }, s.sizes.sockaddr);
    // Interrupted, the connection goes on in the kernel: wait for it by connecting again.
    while (connected < 0 && lastErrno() === EINTR) connected = s.connect(fd, { family: AF_UNIX, path }, s.sizes.sockaddr);
    if (connected < 0 && lastErrno() !== EISCONN) throw syscallError(`connect to ${path}`, failure());
    return fd;
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}

/** Sends `data` (whole) with `fds` attached to its first byte. */
export function sendWithFds(fd: number, data: Uint8Array, fds: readonly number[] = []): void {
  const s = load();
  if (fds.length > MAX_FDS) throw new RangeError(`at most ${MAX_FDS} descriptors per message`);
  let sent = 0;
  while (sent < data.length) {
    const rest = data.subarray(sent);
    const control = sent === 0 && fds.length ? koffi.alloc(s.cmsgType, 1) : null;
    if (control) {
      const list = [...fds, ...Array<number>(MAX_FDS - fds.length).fill(-1)];
      koffi.encode(control, s.cmsgType, { len: s.sizes.cmsgHeader + 4 * fds.length, level: SOL_SOCKET, type: SCM_RIGHTS, fds: list });
    }
    const msg = {
      name: null,
      namelen: 0,
      iov: [{ base: rest, len: rest.length }],
      iovlen: 1,
      control,
      controllen: control ? align8(s.sizes.cmsgHeader + 4 * fds.length) : 0,
      flags: 0,
    };
    const n = uninterrupted(() => s.sendmsg(fd, msg, MSG_NOSIGNAL));
    if (control) koffi.free(control);
    if (n < 0) throw syscallError('sendmsg', failure());
    sent += n;
  }
}

export interface Received {
  /** Bytes read; empty at end of stream. */
  data: Uint8Array;
  /** Descriptors that came with them (close-on-exec). */
  fds: number[];
}

/** One blocking read of at most `max` bytes and the descriptors sent with them. */
export function receiveWithFds(fd: number, max = 4096): Received {
  const s = load();
  const data = new Uint8Array(max);
  const control = koffi.alloc(s.cmsgType, 1);
  try {
    const msg: Record<string, unknown> = { name: null, namelen: 0, iov: [{ base: data, len: max }], iovlen: 1, control, controllen: s.sizes.cmsg, flags: 0 };
    const n = uninterrupted(() => s.recvmsg(fd, msg, MSG_CMSG_CLOEXEC));
    if (n < 0) {
      const code = errnoName(failure());
      throw syscallError(code === 'EAGAIN' ? 'recvmsg: no answer in time' : 'recvmsg', failure());
    }
    const fds: number[] = [];
    if ((msg.controllen as number) >= s.sizes.cmsgHeader) {
      const cmsg = koffi.decode(control, s.cmsgType) as { len: number; level: number; type: number; fds: number[] };
      if (cmsg.level === SOL_SOCKET && cmsg.type === SCM_RIGHTS)
        fds.push(...cmsg.fds.slice(0, Math.max(0, (cmsg.len - s.sizes.cmsgHeader) / 4)));
    }
    return { data: data.subarray(0, n), fds };
  } finally {
    koffi.free(control);
  }
}

/** Who is at the other end of a connected Unix socket, as the kernel saw it
 * connect (pid in this process's pid namespace). */
export function peerCredentials(fd: number): PeerCredentials {
  const s = load();
  const value: Record<string, unknown> = {};
  if (s.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, value, [s.sizes.ucred]) < 0) throw syscallError('getsockopt(SO_PEERCRED)', failure());
  return { pid: value.pid as number, uid: value.uid as number, gid: value.gid as number };
}

const align8 = (n: number) => (n + 7) & ~7;

/** A pidfd of the process that connected (SO_PEERPIDFD, Linux 6.5+): it
 * names that very process, never one that reuses its pid; undefined where
 * the kernel has no such option. */
export function peerPidfd(fd: number): number | undefined {
  const s = load();
  const value = [0];
  return s.getsockoptInt(fd, SOL_SOCKET, SO_PEERPIDFD, value, [4]) < 0 ? undefined : value[0];
}
