// A worker's process may be full of signals: a profiler's SIGPROF (node
// --cpu-prof), a runner's timers. Registering blocks on the daemon's socket;
// a signal that interrupts it (EINTR) must not fail the registration. So may
// the daemon's: a program load interrupted by a signal fails with EAGAIN,
// which libbpf retries only a few times.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Worker } from '@vivarium/core';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, vivariumd, wipe } from './lib/daemon.js';

const VIVARIUMD = join(REPO, 'packages/daemon/bin/vivariumd.js');

const PIN_DIR = pinDirFor('signals');
const PROFILES = join(tmpdir(), `vivarium-rel-signals-${process.pid}`);
const skip = skipKernelTests();

// Registers, drains, unregisters; SIGPROF arrives every 10 µs meanwhile.
const PROBE = `const { Worker } = await import('@vivarium/core');
for (let i = 0; i < 20; i++) { const w = Worker.register(); w.drain(); w.unregister(); }
console.log('registered 20 times');`;

describe.skipIf(skip)('signals while registering', () => {
  let daemon: Daemon;

  beforeAll(async () => {
    daemon = await startDaemon(PIN_DIR);
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
    rmSync(PROFILES, { recursive: true, force: true });
  });

  test('a worker profiled with --cpu-prof (SIGPROF every 10 µs) registers every time', () => {
    for (let run = 0; run < 5; run++) {
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--cpu-prof-interval', '10', '--input-type=module', '-e', PROBE], {
        cwd: REPO,
        env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIR },
        encoding: 'utf8',
      });
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('registered 20 times');
    }
  });
});

describe.skipIf(skip)('signals while vivariumd loads', () => {
  const pinDir = pinDirFor('signals-daemon');

  afterAll(async () => {
    vivariumd(['stop', '--pin-dir', pinDir]);
    await wipe(pinDir);
  });

  // Before its loads held signals, such a daemon failed every start with
  // "EWOULDBLOCK (the kernel's verifier refused a program ...)".
  test('a daemon profiled with --cpu-prof (SIGPROF every 100 µs) loads, serves and stops', async () => {
    await wipe(pinDir);
    const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--cpu-prof-interval', '100', VIVARIUMD, '--pin-dir', pinDir, '--rings', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ready = new Promise<boolean>((resolve) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes('ready:')) resolve(true);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => resolve(false));
    });
    try {
      expect(await ready, output).toBe(true);
      const worker = Worker.register({ pinDir, kinds: ['env'] });
      worker.unregister();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 120_000);
});
