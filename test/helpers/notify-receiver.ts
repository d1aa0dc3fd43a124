// What systemd holds for a Type=notify unit: a Unix datagram socket bound at
// $NOTIFY_SOCKET. Made through libc (koffi), as Node has no Unix datagrams.
import { closeFd, koffi, libcLibrary } from '@vivarium/core/kernel';
import { notifyAddress, notifyLibc } from '../../packages/daemon/src/notify.js';

export interface NotifyReceiver {
  path: string;
  /** Datagrams received so far, without waiting. */
  take(): string[];
  close(): void;
}

export function notifyReceiver(path: string): NotifyReceiver {
  notifyLibc(); // declares vivarium_notify_sockaddr
  const lib = libcLibrary();
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bind = lib.func('int bind(int fd, const vivarium_notify_sockaddr *addr, uint32_t len)');
  const recv = lib.func('intptr_t recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)');
  const fd = socket(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */ | 0o2000000, 0) as number;
  const { path: sunPath, length } = notifyAddress(path);
  if ((bind(fd, { family: 1, path: sunPath }, length) as number) < 0) throw new Error(`bind ${path}: errno ${koffi.errno()}`);
  return {
    path,
    take: () => {
      const got: string[] = [];
      for (;;) {
        const buf = Buffer.alloc(4096);
        const n = recv(fd, buf, buf.length, 0x40 /* MSG_DONTWAIT */) as number;
        if (n < 0) return got;
        got.push(buf.subarray(0, n).toString('utf8'));
      }
    },
    close: () => closeFd(fd),
  };
}
