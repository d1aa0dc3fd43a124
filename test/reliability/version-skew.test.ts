// Version skew, both ways and on both channels: pins left by a vivariumd of
// another ABI are refused by `vivariumd` and `vivariumd status`; a client of
// another ABI is refused by the daemon over the socket; a daemon answering
// with another ABI (or not answering like vivariumd) is refused by the
// worker. Every refusal names both versions. Foreign pins are crafted here
// with the libbpf calls the daemon uses.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Abi, AbiMismatchError, DaemonNotRunningError, MetaCodec, U32Codec, VivariumError, Worker, encode } from '@vivarium/core';
import { MapType, closeFd, loadLibbpf } from '@vivarium/core/kernel';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, socketOf, startDaemon, vivariumd, wipe } from './lib/daemon.js';
import { FIXTURES } from './lib/worker.js';

const PIN_DIR = pinDirFor('skew');
const ABI = Abi.ABI_VERSION;
const FIX = `vivariumd stop --pin-dir ${PIN_DIR}, then start again`;
const skip = skipKernelTests();

/** Pins a fresh map at PIN_DIR/name, optionally with `value` at key 0. */
function pinMap(name: string, type: number, keySize: number, valueSize: number, maxEntries: number, value?: Uint8Array): void {
  const lib = loadLibbpf();
  const fd = lib.bpf_map_create(type, name.replace(/\W/g, '_'), keySize, valueSize, maxEntries, null);
  expect(fd, 'bpf_map_create').toBeGreaterThanOrEqual(0);
  try {
    if (value) expect(lib.bpf_map_update_elem(fd, encode(U32Codec, 0), value, 0)).toBe(0);
    expect(lib.bpf_obj_pin(fd, `${PIN_DIR}/${name}`)).toBe(0);
  } finally {
    closeFd(fd);
  }
}

/** meta as a daemon of `abi` would write it, in this ABI's layout. */
const metaOf = (abi: number) => encode(MetaCodec, { abiVersion: abi, backend: 1, maxSlots: 4, ringSize: 1 << 20, maxTargets: 1024, dnsPorts: [53, 0, 0, 0], flags: 0 });

function makeDir(): void {
  rmSync(PIN_DIR, { recursive: true, force: true });
  mkdirSync(PIN_DIR, { mode: 0o700 });
}

/** One request line over node:net, one reply line back. */
function rawRequest(socket: string, line: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let text = '';
    conn.on('error', reject);
    conn.on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        conn.destroy();
        resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
      }
    });
    conn.write(`${line}\n`);
  });
}

const refusal = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('not refused');
};

describe.skipIf(skip)('pins of another ABI', () => {
  afterEach(async () => {
    await wipe(PIN_DIR);
  });

  test(`meta says ABI 999: status and vivariumd refuse, naming 999 and ${ABI}; the fix they name works`, async () => {
    makeDir();
    pinMap('meta', MapType.ARRAY, 4, MetaCodec.size, 1, metaOf(999));

    const st = vivariumd(['status', '--pin-dir', PIN_DIR]);
    expect({ code: st.code, stderr: st.stderr }).toEqual({
      code: 1,
      stderr: `vivarium: these pins are of vivariumd ABI 999, this client ABI ${ABI} (run vivariumd from the same Vivarium version)\n`,
    });
    const run = vivariumd(['--pin-dir', PIN_DIR]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `vivariumd: ${PIN_DIR} holds the pins of a vivariumd speaking ABI 999; this vivariumd speaks ABI ${ABI} (${FIX})\n`,
    });
    expect(readdirSync(PIN_DIR)).toContain('meta'); // refused, the foreign pins left alone

    expect(vivariumd(['stop', '--pin-dir', PIN_DIR]).code).toBe(0);
    const daemon = await startDaemon(PIN_DIR, ['--rings', '2', '--ring-size', '65536']);
    // (Retried: a registration right after `ready:` may meet slots still being
    // made — restarts.test.ts proves that case on its own.)
    const worker = await eventually(() => Worker.register({ pinDir: PIN_DIR }), 2000);
    expect(worker.slot).toBeGreaterThanOrEqual(0);
    worker.unregister();
    await daemon.kill();
  });

  test('the pins vivariumd ABI 1 left (meta, stats, ring_N): refused naming both versions; stop removes them all', async () => {
    makeDir();
    // ABI 1's meta: abi_version, backend, ring_count, ring_size, daemon_pid, dns_port, …, daemon_start_time.
    const meta = new Uint8Array(32);
    const view = new DataView(meta.buffer);
    [1, 1, 4, 1 << 20, 999_999].forEach((v, i) => view.setUint32(4 * i, v, true));
    view.setUint16(20, 53, true);
    pinMap('meta', MapType.ARRAY, 4, 32, 1, meta);
    pinMap('config_targets', MapType.HASH, 8, 16, 1024);
    pinMap('ring_owner', MapType.HASH, 4, 16, 4);
    pinMap('stats', MapType.ARRAY, 4, 32, 4);
    for (const slot of [0, 1]) pinMap(`ring_${slot}`, MapType.RINGBUF, 0, 0, 1 << 16);

    expect(vivariumd(['status', '--pin-dir', PIN_DIR]).stderr).toBe(
      `vivarium: these pins are of vivariumd ABI 1, this client ABI ${ABI} (run vivariumd from the same Vivarium version)\n`,
    );
    expect(vivariumd(['--pin-dir', PIN_DIR]).stderr).toBe(`vivariumd: ${PIN_DIR} holds the pins of a vivariumd speaking ABI 1; this vivariumd speaks ABI ${ABI} (${FIX})\n`);

    const stopped = vivariumd(['stop', '--pin-dir', PIN_DIR]);
    expect(stopped.code).toBe(0);
    const left = (() => {
      try {
        return readdirSync(PIN_DIR).sort();
      } catch {
        return [];
      }
    })();
    expect(left, 'pins of ABI 1 that `vivariumd stop` left behind (each ring keeps its memory while pinned)').toEqual([]);
  });

  test('meta of another layout: refused, naming every difference', () => {
    makeDir();
    pinMap('meta', MapType.ARRAY, 4, MetaCodec.size + 8, 2, new Uint8Array(MetaCodec.size + 8));
    const differences = `value size ${MetaCodec.size + 8}, expected ${MetaCodec.size}; max entries 2, expected 1`;

    expect(vivariumd(['status', '--pin-dir', PIN_DIR]).stderr).toBe(
      `vivarium: ${PIN_DIR}/meta does not match this version of Vivarium: ${differences} (run vivariumd and the test packages from the same Vivarium version)\n`,
    );
    const run = vivariumd(['--pin-dir', PIN_DIR]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `vivariumd: ${PIN_DIR} holds the pins of another Vivarium ABI: its meta map has ${differences}; this vivariumd speaks ABI ${ABI} (${FIX})\n`,
    });
  });

  test('a current meta but config_targets of another layout: refused, naming the map and the difference', () => {
    makeDir();
    pinMap('meta', MapType.ARRAY, 4, MetaCodec.size, 1, metaOf(ABI));
    pinMap('config_targets', MapType.HASH, 4, 16, 64);
    const message = `vivarium: ${PIN_DIR}/config_targets does not match this version of Vivarium: key size 4, expected 8 (run vivariumd and the test packages from the same Vivarium version)\n`;
    expect(vivariumd(['status', '--pin-dir', PIN_DIR]).stderr).toBe(message);
    const run = vivariumd(['--pin-dir', PIN_DIR]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: message });
    expect(readdirSync(PIN_DIR)).toEqual(expect.arrayContaining(['config_targets', 'meta']));
  });
});

describe.skipIf(skip)('a client of another ABI, over the socket', () => {
  const SKEW_DIR = pinDirFor('skew-socket');
  let daemon: Daemon;

  beforeAll(async () => {
    await wipe(SKEW_DIR);
    daemon = await startDaemon(SKEW_DIR, ['--rings', '2', '--ring-size', '65536']);
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(SKEW_DIR);
  });

  test.each([ABI - 1, ABI + 1, 999])('a register request of ABI %i is refused naming both versions', async (abi) => {
    expect(await rawRequest(socketOf(SKEW_DIR), JSON.stringify({ op: 'register', abi, followChildren: true }))).toEqual({
      ok: false,
      error: 'AbiMismatchError',
      message: `vivarium: vivariumd speaks ABI ${ABI}, this client ABI ${abi} (run vivariumd from the same Vivarium version as the test packages)`,
    });
  });
});

describe.skipIf(skip)('a daemon of another ABI, or not vivariumd at all', () => {
  let dir: string;
  const servers: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vivarium-skew-'));
  });

  afterAll(() => {
    for (const server of servers) server.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fake daemon answering `answer`; resolves with its socket once it listens. */
  const fakeDaemon = async (name: string, answer: string): Promise<string> => {
    const socket = join(dir, `${name}.sock`);
    const server = spawn(process.execPath, [`${FIXTURES}fake-daemon.mjs`, socket, answer], { stdio: ['ignore', 'pipe', 'inherit'] });
    servers.push(server);
    await createInterface({ input: server.stdout! })[Symbol.asyncIterator]().next();
    return socket;
  };

  test.each([
    [
      'an answer of ABI 999',
      `${JSON.stringify({ ok: true, abi: 999, backend: 'syscalls', slot: 0, ringSize: 65536, targetFlags: 1, epoch: 1 })}\n`,
      AbiMismatchError,
      () => `vivarium: vivariumd speaks ABI 999, this client ABI ${ABI} (run vivariumd from the same Vivarium version as the test packages)`,
    ],
    ['an answer that is not JSON', 'HTTP/1.1 400 Bad Request\r\n\r\n', VivariumError, (socket: string) => `vivarium: vivariumd's answer on ${socket} is not JSON`],
    ['no answer: the connection is closed', '', DaemonNotRunningError, (socket: string) => `vivarium: vivariumd closed ${socket} without answering (check its log)`],
  ])('the worker refuses %s', async (name, answer, type, message) => {
    const socket = await fakeDaemon(name.replace(/\W+/g, '-'), answer);
    const err = refusal(() => Worker.register({ socket }));
    expect(err).toBeInstanceOf(type);
    expect(err.message).toBe(message(socket));
  });
});
