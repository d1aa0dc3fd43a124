// systemd's readiness protocol without libsystemd (sd_notify(3)): one
// datagram, "READY=1" once attached and serving, "STOPPING=1" when asked to
// stop, sent to the Unix datagram socket systemd names in $NOTIFY_SOCKET (a
// path, or '@name' for an abstract one). Node's dgram has no Unix datagram
// sockets, so this goes through libc like core's unix-socket.ts. Outside a
// Type=notify unit $NOTIFY_SOCKET is unset and nothing is sent.
import { VivariumError, errnoName } from '@vivarium/core';
import { SOCKET, closeFd, koffi, lastErrno, libcLibrary } from '@vivarium/core/kernel';

const { AF_UNIX, SOCK_DGRAM, SOCK_CLOEXEC, MSG_NOSIGNAL, SUN_PATH, SUN_PATH_OFFSET } = SOCKET;

interface NotifyApi {
  socket(domain: number, type: number, protocol: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Record<string, unknown>, addrlen: number): number;
}

let api: NotifyApi | undefined;

/** libc's socket calls, and the `vivarium_notify_sockaddr` type they take. */
export function notifyLibc(): NotifyApi {
  if (api) return api;
  const lib = libcLibrary();
  // sun_path as bytes: an abstract name starts with NUL and is not NUL-terminated.
  koffi.struct('vivarium_notify_sockaddr', { family: 'uint16_t', path: koffi.array('uint8_t', SUN_PATH) });
  api = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    sendto: lib.func('intptr_t sendto(int fd, const void *buf, size_t len, int flags, const vivarium_notify_sockaddr *addr, uint32_t addrlen)'),
  };
  return api;
}

/** The socket address of $NOTIFY_SOCKET and its length. */
export function notifyAddress(socket: string): { path: number[]; length: number } {
  const abstract = socket.startsWith('@');
  const name = Buffer.from(abstract ? `\0${socket.slice(1)}` : socket);
  if (!socket.startsWith('/') && !abstract) throw new VivariumError(`vivariumd: NOTIFY_SOCKET=${socket} is neither a path nor an abstract name ('@…')`);
  if (name.length + (abstract ? 0 : 1) > SUN_PATH) throw new VivariumError(`vivariumd: NOTIFY_SOCKET=${socket} is longer than a socket address holds`);
  const path = new Array<number>(SUN_PATH).fill(0);
  name.forEach((byte, i) => (path[i] = byte));
  return { path, length: SUN_PATH_OFFSET + name.length + (abstract ? 0 : 1) };
}

/** Sends `state` ("READY=1", "STOPPING=1", "STATUS=…") to systemd; false when
 * not run by systemd as a notify service. */
export function notifySystemd(state: string, socket = process.env.NOTIFY_SOCKET): boolean {
  if (!socket) return false;
  const { path, length } = notifyAddress(socket);
  const s = notifyLibc();
  const fd = s.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new VivariumError(`vivariumd: cannot notify systemd: socket: ${errnoName(lastErrno())}`);
  try {
    const data = Buffer.from(state);
    if (s.sendto(fd, data, data.length, MSG_NOSIGNAL, { family: AF_UNIX, path }, length) < 0)
      throw new VivariumError(`vivariumd: cannot notify systemd on ${socket}: ${errnoName(lastErrno())}`);
  } finally {
    closeFd(fd);
  }
  return true;
}

/** A failure to notify is logged, never fatal: the daemon serves either way. */
function tell(state: string, log: (line: string) => void, said?: string): void {
  try {
    if (notifySystemd(state) && said) log(said);
  } catch (err) {
    log((err as Error).message.replace(/^vivariumd: /, ''));
  }
}

/** Once attached and serving: systemd's `start` returns, units ordered After= start. */
export function notifyReady(backend: string, options: { socket: string }, log: (line: string) => void): void {
  tell(`READY=1\nSTATUS=backend ${backend}, workers register on ${options.socket}\nMAINPID=${process.pid}`, log, 'told systemd: ready (READY=1)');
}

export function notifyStopping(log: (line: string) => void): void {
  tell('STOPPING=1', log);
}
