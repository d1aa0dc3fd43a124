// A worker's process may be full of signals: a profiler's SIGPROF (node
// --cpu-prof), a runner's timers. Registering blocks on the daemon's socket;
// a signal that interrupts it (EINTR) must not fail the registration.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, wipe } from './lib/daemon.js';

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
