// sd_notify without libsystemd: the datagram systemd would receive on
// $NOTIFY_SOCKET, a path or an abstract name, read here by a receiver made
// the same way (libc through koffi).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, describe, expect, test } from 'vitest';
import { closeFd, libcLibrary } from '@vivarium/core/kernel';
import { notifyAddress, notifyLibc, notifyReady, notifySystemd } from '../src/notify.js';

const dir = mkdtempSync(join(tmpdir(), 'vivariumd-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bound Unix datagram socket, as systemd holds one for a Type=notify unit. */
function receiver(name: string): { receive(): string; close(): void } {
  notifyLibc(); // declares vivarium_notify_sockaddr
  const lib = libcLibrary();
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bind = lib.func('int bind(int fd, const vivarium_notify_sockaddr *addr, uint32_t len)');
  const recv = lib.func('intptr_t recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)');
  const fd = socket(1, 2 | 0o2000000, 0) as number;
  const { path, length } = notifyAddress(name);
  if ((bind(fd, { family: 1, path }, length) as number) < 0) throw new Error(`bind ${name}: errno ${koffi.errno()}`);
  return {
    receive: () => {
      const buf = Buffer.alloc(4096);
      const n = recv(fd, buf, buf.length, 0x40 /* MSG_DONTWAIT */) as number;
      return n < 0 ? `(nothing: errno ${koffi.errno()})` : buf.subarray(0, n).toString('utf8');
    },
    close: () => closeFd(fd),
  };
}

describe('notifySystemd', () => {
  test.each([
    ['a path', () => join(dir, 'notify.sock')],
    ['an abstract name', () => `@vivariumd-test-${process.pid}`],
  ])('sends the state to %s', (_, name) => {
    const socket = name();
    const r = receiver(socket);
    try {
      expect(notifySystemd('READY=1\nSTATUS=ok', socket)).toBe(true);
      expect(r.receive()).toBe('READY=1\nSTATUS=ok');
    } finally {
      r.close();
    }
  });

  test('no $NOTIFY_SOCKET (not a notify unit): nothing sent', () => {
    expect(notifySystemd('READY=1', undefined)).toBe(false);
    expect(notifySystemd('READY=1', '')).toBe(false);
  });

  test('addresses: a path is NUL-terminated, an abstract name is not', () => {
    expect(notifyAddress('/run/systemd/notify').length).toBe(2 + 19 + 1);
    expect(notifyAddress('@abc')).toMatchObject({ length: 2 + 4 });
    expect(notifyAddress('@abc').path.slice(0, 5)).toEqual([0, 97, 98, 99, 0]);
    expect(() => notifyAddress('relative')).toThrow("NOTIFY_SOCKET=relative is neither a path nor an abstract name ('@…')");
    expect(() => notifyAddress(`/${'x'.repeat(200)}`)).toThrow('is longer than a socket address holds');
  });

  test('notifyReady says READY=1 with a status line; a socket that is gone is logged, not fatal', () => {
    const socket = join(dir, 'ready.sock');
    const r = receiver(socket);
    const logged: string[] = [];
    const saved = process.env.NOTIFY_SOCKET;
    try {
      process.env.NOTIFY_SOCKET = socket;
      notifyReady('syscalls', { socket: '/run/vivarium/x.sock' }, (l) => logged.push(l));
      expect(r.receive()).toBe(`READY=1\nSTATUS=backend syscalls, workers register on /run/vivarium/x.sock\nMAINPID=${process.pid}`);
      process.env.NOTIFY_SOCKET = join(dir, 'gone.sock');
      notifyReady('syscalls', { socket: '/run/vivarium/x.sock' }, (l) => logged.push(l));
    } finally {
      r.close();
      if (saved === undefined) delete process.env.NOTIFY_SOCKET;
      else process.env.NOTIFY_SOCKET = saved;
    }
    expect(logged).toEqual(['told systemd: ready (READY=1)', `cannot notify systemd on ${join(dir, 'gone.sock')}: ENOENT`]);
  });
});
