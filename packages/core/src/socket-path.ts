// Where vivariumd listens: one Unix socket per pin dir, under /run/vivarium
// (bpffs holds no sockets), named after the pin dir so daemons on several
// pin dirs live side by side. A container that bind-mounts the socket
// elsewhere names it with VIVARIUM_SOCKET (or Worker.register's `socket` option).
import { posix } from 'node:path';

export const DEFAULT_PIN_DIR = '/sys/fs/bpf/vivarium';
export const SOCKET_DIR = '/run/vivarium';
export const SOCKET_ENV = 'VIVARIUM_SOCKET';
export const PIN_DIR_ENV = 'VIVARIUM_BPF_PIN_DIR';

/** `--pin-dir` / `pinDir`, then `VIVARIUM_BPF_PIN_DIR`, then the default. */
export function resolvePinDir(explicit?: string): string {
  return explicit ?? process.env[PIN_DIR_ENV] ?? DEFAULT_PIN_DIR;
}

/** The socket of the daemon serving `pinDir`: /run/vivarium/vivarium.sock for /sys/fs/bpf/vivarium. */
export function socketPathFor(pinDir: string): string {
  const name = posix
    .normalize(pinDir)
    .replace(/^\/sys\/fs\/bpf\//, '')
    .replace(/^\/+|\/+$/g, '')
    .replace(/\//g, '-');
  return `${SOCKET_DIR}/${name || 'vivarium'}.sock`;
}

/** An explicit socket, then `VIVARIUM_SOCKET`, then the pin dir's. */
export function resolveSocket(options: { socket?: string; pinDir?: string } = {}): string {
  return options.socket ?? process.env[SOCKET_ENV] ?? socketPathFor(resolvePinDir(options.pinDir));
}
