// Uprobes while nobody is registered: a uprobe is a breakpoint in every
// process that maps the file (each getenv on the machine traps, each fork of
// a Node process copies node's page tables), and with no worker registered
// it feeds nothing. They are attached when a worker first asks for their
// kinds; vivariumd --uprobes-idle SECONDS detaches them once no worker has
// been registered for that long, attaches them again before it answers the
// next ask (whose window is then seen in full), and never detaches them
// under a registered worker, whether it registered with this daemon or was
// adopted from one that died.
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

  test('attached when asked, kept while a worker is registered, detached when idle, attached again at the next ask', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    expect(uprobePins()).toEqual([]); // nothing asked yet
    const first = Worker.register({ pinDir: PIN_DIR, kinds: ['env', 'load', 'http'] });
    let asked: string[];
    try {
      asked = uprobePins();
      expect(asked.length).toBeGreaterThan(0);
      void process.env.VIVARIUM_IDLE_PROBE;
      expect(envReads(first, 'VIVARIUM_IDLE_PROBE')).toBe(1);
      // Registered for longer than the idle time: nothing is detached.
      await sleep(2500);
      expect(uprobePins()).toEqual(asked);
      void process.env.VIVARIUM_IDLE_PROBE;
      expect(envReads(first, 'VIVARIUM_IDLE_PROBE')).toBe(1);
    } finally {
      first.unregister();
    }

    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    expect(uprobePins()).toEqual([]);
    const said = `detached ${asked.length} uprobe(s): no worker registered for 1 s: attached again when a worker asks`;
    await eventually(() => daemon!.output().includes(said));
    expect(status(PIN_DIR).uprobes).toMatchObject({ files: [], idle: 'no worker registered for 1 s: attached again when a worker asks' });

    // Asking attaches them before the answer: the worker's first read is seen.
    const worker = Worker.register({ pinDir: PIN_DIR, kinds: ['env', 'load', 'http'] });
    try {
      expect(uprobePins()).toEqual(asked);
      expect(status(PIN_DIR).uprobes?.idle).toBeUndefined();
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
      await worker.send({ cmd: 'attach', kinds: ['env', 'load', 'http'] });
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
