// observed_tgids: the kernel lets a task go after one load when its host
// tgid's bit is clear, so a target whose bit were missing would be unseen.
// The bits of workers and of the children they are followed into are set
// while they are targets and cleared when they end; a daemon in a child pid
// namespace (which cannot name host tgids) keeps every bit set and still
// sees its workers; and such a daemon refuses pins made in the host's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MetaFlag, U32Codec, encode } from '@vivarium/core';
import { MAP_SPECS, PIN, PinDir, PinnedMap, tgidWord } from '@vivarium/core/kernel';
import { VIVARIUMD } from '../helpers/daemon.js';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, startDaemon, status, vivariumd, wipe } from './lib/daemon.js';
import { FIXTURES, LineProcess, WorkerProcess, type Hello } from './lib/worker.js';

const PIN_DIR = pinDirFor('tgids');
const ARGS = ['--rings', '2', '--ring-size', String(1 << 20), '--no-uprobes'];
const skip = skipKernelTests();

/** Whether host tgid `tgid`'s bit is set in PIN_DIR's observed_tgids. */
function marked(tgid: number): boolean {
  const map = PinnedMap.open(join(PIN_DIR, PIN.observedTgids), MAP_SPECS.observed_tgids);
  try {
    const word = Buffer.from(map.lookup(encode(U32Codec, tgidWord(tgid)))!).readBigUInt64LE(0);
    return ((word >> BigInt(tgid % 64)) & 1n) === 1n;
  } finally {
    map.close();
  }
}

/** observed_tgids' word 0: the generation vivariumd bumps after setting bits. */
function generation(): bigint {
  const map = PinnedMap.open(join(PIN_DIR, PIN.observedTgids), MAP_SPECS.observed_tgids);
  try {
    return Buffer.from(map.lookup(encode(U32Codec, 0))!).readBigUInt64LE(0);
  } finally {
    map.close();
  }
}

describe.skipIf(skip)('observed_tgids', () => {
  let daemon: Daemon | undefined;
  let dir: string;
  const processes: LineProcess[] = [];
  const strays: number[] = [];

  beforeAll(async () => {
    await wipe(PIN_DIR);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-tgids-'));
  });

  afterAll(async () => {
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const p of processes) await p.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a worker and its followed child are marked while they are targets, and unmarked when they end; other processes never are', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const pins = PinDir.open(PIN_DIR);
    expect(pins.meta.flags & MetaFlag.EVERY_TGID).toBe(0);
    pins.close();
    const marker = join(dir, 'marker.txt');
    writeFileSync(marker, 'x');
    const stranger = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
    expect(marked(Number(stranger.stdout.trim()))).toBe(false);
    expect(marked(process.pid)).toBe(false);

    const before = generation();
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    processes.push(worker);
    expect(hello).toMatchObject({ registered: true });
    expect(marked(hello.pid!)).toBe(true);
    // A CPU that last ran it unregistered decides again (bpf/lib/running.bpf.h).
    expect(generation()).toBeGreaterThan(before);
    expect(await worker.opensOf(marker)).toBe(1);

    const { pid: child } = await worker.send<{ pid: number }>({ cmd: 'spawn', args: ['sleep', '60'] });
    strays.push(child);
    await eventually(() => status(PIN_DIR).targets.some((t) => t.pid === child && t.child));
    expect(marked(child)).toBe(true);
    process.kill(child, 'SIGKILL');
    await eventually(() => !marked(child));

    await worker.kill(); // SIGKILL, no unregister: the exit hook alone clears it
    await eventually(() => !marked(hello.pid!));
    expect(status(PIN_DIR).targets).toEqual([]);
  });

  test('a daemon in a child pid namespace refuses the pins of one in the host’s, naming the fix', async () => {
    await daemon!.kill('SIGKILL'); // pins (host-made) stay
    const r = spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, VIVARIUMD, '--pin-dir', PIN_DIR, ...ARGS], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/runs in a child pid namespace and cannot name its workers there \(.*stop/);
    expect(vivariumd(['stop', '--pin-dir', PIN_DIR]).code).toBe(0);
  });

  test('a daemon in a child pid namespace keeps every bit set, and sees a worker of its namespace', async () => {
    const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, VIVARIUMD, '--pin-dir', PIN_DIR, ...ARGS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    unshare.stdout.on('data', (d) => (output += d));
    unshare.stderr.on('data', (d) => (output += d));
    try {
      await eventually(() => output.includes('ready:'), 30_000);
      const pins = PinDir.open(PIN_DIR);
      expect(pins.meta.flags & MetaFlag.EVERY_TGID).toBe(MetaFlag.EVERY_TGID);
      pins.close();
      expect(marked(process.pid)).toBe(true);

      // The daemon's namespace: nsenter into it by its pid 1 (unshare's child).
      const init = Number(spawnSync('pgrep', ['-P', String(unshare.pid)], { encoding: 'utf8' }).stdout.trim());
      const marker = join(dir, 'in-namespace.txt');
      writeFileSync(marker, 'x');
      const inside = spawn('nsenter', ['--target', String(init), '--pid', '--mount', process.execPath, `${FIXTURES}worker.mjs`, PIN_DIR], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const worker = new WorkerProcess(inside);
      processes.push(worker);
      const hello = await worker.json<Hello>();
      expect(hello, hello.message).toMatchObject({ registered: true });
      expect(await worker.opensOf(marker, 2)).toBe(2);
      await worker.send({ cmd: 'exit' });
    } finally {
      // /proc/locks names the daemon by its host pid: stop works from here.
      const exited = new Promise((resolve) => unshare.once('exit', resolve));
      expect(vivariumd(['stop', '--pin-dir', PIN_DIR]).code).toBe(0);
      await exited;
    }
  });
});
