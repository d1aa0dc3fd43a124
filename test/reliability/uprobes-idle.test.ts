// Uprobes while nobody is registered: a uprobe is a breakpoint in every
// process that maps the file (each getenv on the machine traps, each fork of
// a Node process copies node's page tables), and with no worker registered
// it feeds nothing. vivariumd --uprobes-idle SECONDS detaches them once no
// worker has been registered for that long, attaches them again before it
// answers the next registration (whose events are then seen in full), and
// never detaches them under a registered worker, whether it registered with
// this daemon or was adopted from one that died.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Worker } from '@vivarium/core';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('uprobes-idle');
const ARGS = ['--rings', '2', '--ring-size', String(1 << 20), '--uprobes-idle', '1'];
const skip = skipKernelTests();

const uprobePins = () => readdirSync(join(PIN_DIR, 'links')).filter((l) => l.startsWith('uprobe-')).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The env events of `name` a registered worker's drain holds. */
function envReads(worker: Worker, name: string): number {
  return worker.drain().events.filter((e) => e.kind === 'env' && e.name === name).length;
}

describe.skipIf(skip)('uprobes detached while no worker is registered', () => {
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    await wipe(PIN_DIR);
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
  });

  test('attached ahead, detached when idle, attached again for the next worker, kept while one is registered', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const ahead = uprobePins();
    expect(ahead.length).toBeGreaterThan(0); // attached before ready, so the first worker does not wait

    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    expect(uprobePins()).toEqual([]);
    const said = `detached ${ahead.length} uprobe(s): no worker registered for 1 s: attached again at the next registration`;
    await eventually(() => daemon!.output().includes(said));
    expect(status(PIN_DIR).uprobes).toMatchObject({ files: [], idle: 'no worker registered for 1 s: attached again at the next registration' });

    // Registering attaches them before the answer: the worker's first read is seen.
    const worker = Worker.register({ pinDir: PIN_DIR });
    try {
      expect(uprobePins()).toEqual(ahead);
      worker.drain();
      void process.env.VIVARIUM_IDLE_PROBE;
      expect(envReads(worker, 'VIVARIUM_IDLE_PROBE')).toBe(1);
      expect(status(PIN_DIR).uprobes?.idle).toBeUndefined();

      // Registered for longer than the idle time: nothing is detached.
      await sleep(2500);
      expect(uprobePins()).toEqual(ahead);
      void process.env.VIVARIUM_IDLE_PROBE;
      expect(envReads(worker, 'VIVARIUM_IDLE_PROBE')).toBe(1);
    } finally {
      worker.unregister();
    }
    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    expect(uprobePins()).toEqual([]);
  });

  test('a worker adopted from a daemon that died keeps them; once it is gone they go', async () => {
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    try {
      expect(hello, hello.message).toMatchObject({ registered: true });
      const attached = uprobePins();
      expect(attached.length).toBeGreaterThan(0);
      await daemon!.kill('SIGKILL');
      daemon = await startDaemon(PIN_DIR, ARGS);
      expect(daemon.output()).toContain('adopted the pins');
      // Past the idle time and a sweep: the adopted worker is alive, so nothing goes.
      await sleep(3500);
      expect(uprobePins()).toEqual(attached);
      expect(status(PIN_DIR).uprobes?.idle).toBeUndefined();
    } finally {
      await worker.kill();
    }
    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    expect(uprobePins()).toEqual([]);
  });
});
