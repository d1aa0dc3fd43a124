// Bad input to vivariumd: on its command line, one line on stderr naming the
// problem, a usage exit code, and nothing pinned or attached; on its socket,
// a one-line refusal (or a closed connection), no slot taken, and the
// daemon keeps serving.
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Abi, Worker } from '@vivarium/core';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, socketOf, startDaemon, status, vivariumd, wipe } from './lib/daemon.js';

const PIN_DIR = pinDirFor('bad-input');

describe('vivariumd refuses bad options in one line', () => {
  test.each([
    [['--rings', '0'], 'vivariumd: --rings must be between 1 and 65536, got 0'],
    [['--rings', '70000'], 'vivariumd: --rings must be between 1 and 65536, got 70000'],
    [['--rings', 'many'], "vivariumd: --rings must be a whole number, got 'many'"],
    [['--ring-size', '1000'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 1000'],
    [['--max-targets', '8'], 'vivariumd: --max-targets must be between 16 and 1048576, got 8'],
    [['--dns-port', '70000'], 'vivariumd: --dns-port ports must be between 1 and 65535, got 70000'],
    [['--dns-port', '1,2,3,4,5'], 'vivariumd: --dns-port takes at most 4 ports, got 5'],
    [['--dns-port', 'x'], "vivariumd: --dns-port must be a whole number, got 'x'"],
    [['--backend', 'foo'], "vivariumd: --backend must be auto, syscalls or lsm, got 'foo'"],
    [['--group=bad name'], "vivariumd: --group must be a group name or number, got 'bad name'"],
    [['restart'], "vivariumd: unknown command 'restart' (run, status or stop)"],
  ])('vivariumd %j', (args, message) => {
    const r = vivariumd(['--pin-dir', PIN_DIR, ...args]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    expect(existsSync(PIN_DIR)).toBe(false);
  });

  test('a multi-line parseArgs complaint still comes out as one line', () => {
    const r = vivariumd(['--pin-dir', PIN_DIR, '--rings', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vivariumd: Option '--rings' argument is ambiguous\. [^\n]+ \(see vivariumd --help\)\n$/);
  });
});

describe.skipIf(skipKernelTests())('vivariumd refuses what it cannot use, as root, before touching the kernel', () => {
  test.each([
    [['--group', 'vivarium-no-such-group'], 'vivariumd: --group vivarium-no-such-group: no such group (groupadd vivarium-no-such-group, then usermod -aG vivarium-no-such-group USER)'],
    [['--object', '/nonexistent/vivarium.bpf.o'], 'vivariumd: BPF object /nonexistent/vivarium.bpf.o not found (check --object)'],
  ])('vivariumd %j', (args, message) => {
    const r = vivariumd(['--pin-dir', PIN_DIR, ...args]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `${message}\n` });
    expect(existsSync(PIN_DIR)).toBe(false);
    expect(existsSync(socketOf(PIN_DIR))).toBe(false);
  });

  test('a pin dir that is not on bpffs', () => {
    const r = vivariumd(['--pin-dir', '/tmp/vivarium-rel-bad-input']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: 'vivariumd: pin dir /tmp/vivarium-rel-bad-input is not on a bpf filesystem (mount -t bpf bpf /tmp, or use --pin-dir /sys/fs/bpf/NAME)\n',
    });
    expect(existsSync('/tmp/vivarium-rel-bad-input')).toBe(false);
  });

  test('status and stop of a pin dir nobody serves say so in one line', () => {
    const st = vivariumd(['status', '--pin-dir', PIN_DIR]);
    expect({ code: st.code, stderr: st.stderr }).toEqual({
      code: 1,
      stderr: `vivarium: nothing pinned at ${PIN_DIR}/meta: vivariumd is not running there (start it as root: npx vivariumd)\n`,
    });
    const stop = vivariumd(['stop', '--pin-dir', PIN_DIR]);
    expect({ code: stop.code, stdout: stop.stdout }).toEqual({ code: 0, stdout: `vivariumd: nothing pinned at ${PIN_DIR}\n` });
  });
});

/** Sends `data` on a new connection; resolves with the first reply line, or null when the daemon closed it. */
function exchange(socket: string, data: string | Buffer, { close = false } = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let text = '';
    conn.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? resolve(null) : reject(err)));
    conn.on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        conn.destroy();
        resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
      }
    });
    conn.on('close', () => resolve(null));
    conn.write(data, () => {
      if (close) conn.end();
    });
  });
}

describe.skipIf(skipKernelTests())('hostile input on the socket', () => {
  let daemon: Daemon;
  let socket: string;

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '2', '--ring-size', '65536']);
    socket = socketOf(PIN_DIR);
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
  });

  test.each([
    ['a line that is not JSON', 'GET / HTTP/1.1\n', { ok: false, error: 'VivariumError', message: 'vivarium: the request is not a JSON object (a client of another Vivarium version?)' }],
    ['an unknown request', `${JSON.stringify({ op: 'unregister', abi: Abi.ABI_VERSION, pid: 1 })}\n`, { ok: false, error: 'VivariumError', message: "vivarium: unknown request 'unregister'" }],
    ['JSON that is not an object', 'null\n', { ok: false, error: 'VivariumError', message: expect.stringMatching(/^vivarium: /) }],
    ['a line longer than 64 KiB', Buffer.alloc(70 * 1024, 'x'), null],
  ])('%s: refused, and no slot is taken', async (_, data, expected) => {
    expect(await exchange(socket, data)).toEqual(expected);
    expect(status(PIN_DIR).slots.filter((s) => s.owner)).toEqual([]);
  });

  test('a client that leaves in the middle of its request, or right after it, holds no slot', async () => {
    expect(await exchange(socket, '{"op":"regis', { close: true })).toBeNull();
    // A spare slot ready, so the answer is written before the daemon reads the leave (a daemon
    // makes its first slot at its first registration, which takes an RCU grace period).
    Worker.register({ pinDir: PIN_DIR }).unregister();
    await eventually(() => status(PIN_DIR).slots.some((s) => !s.owner), 5000);
    expect(await exchange(socket, `${JSON.stringify({ op: 'register', abi: Abi.ABI_VERSION, followChildren: true })}\n`, { close: true })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(status(PIN_DIR).slots.filter((s) => s.owner)).toEqual([]);
    expect(status(PIN_DIR).targets).toEqual([]);
  });

  test('after all that, the daemon still registers workers', () => {
    expect(daemon.process.exitCode).toBeNull();
    const worker = Worker.register({ pinDir: PIN_DIR });
    expect(worker.drain().tampered).toBeUndefined();
    worker.unregister();
  });
});
