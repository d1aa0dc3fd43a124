// A uprobe is a breakpoint in every process that maps its file: each getenv
// on the machine traps, and each fork of a process mapping a probed file
// copies the page tables of its text (node's: 0.7-1.8 ms a spawn). vivariumd
// attaches each uprobe-fed kind (env, load, http) only once a worker asks: a
// matcher of it before it runs fn, a run with a policy or a reporter at
// registration. A window that began before the ask is reported blind to the
// kind, so a check of it fails instead of passing on what it could not see.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Abi, Worker } from '@vivarium/core';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, socketOf, startDaemon, status, wipe } from './lib/daemon.js';
import { RawClient } from './lib/worker.js';

const PIN_DIR = pinDirFor('uprobes-on-demand');
const ARGS = ['--rings', '3', '--ring-size', String(1 << 20), '--uprobes-idle', 'off'];
const KINDS = ['env', 'load', 'http'];
const NOT_ASKED = /^vivariumd attaches their uprobes only when asked/;
const skip = skipKernelTests();

const attachedSymbols = () => status(PIN_DIR).uprobes!.files.flatMap((f) => f.symbols);
const tlsSymbols = () => attachedSymbols().filter((s) => s.startsWith('SSL_'));

/** The env events of `name` a registered worker's drain holds, and what it was blind to. */
function reads(worker: Worker, name: string) {
  const { events, unavailable } = worker.drain();
  return { reads: events.filter((e) => e.kind === 'env' && e.name === name).length, blind: Object.keys(unavailable ?? {}).sort() };
}

describe.skipIf(skip)('uprobes attached on demand', () => {
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ARGS);
  }, 60_000);

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
  });

  test('a worker that does not ask: no uprobe attached, and every window blind to every kind they feed', () => {
    expect(status(PIN_DIR).uprobes).toMatchObject({ onDemand: KINDS });
    expect(attachedSymbols()).toEqual([]);
    const worker = Worker.register({ pinDir: PIN_DIR });
    try {
      expect(attachedSymbols()).toEqual([]);
      for (let i = 0; i < 2; i++) {
        void process.env.VIVARIUM_ON_DEMAND_PROBE;
        const { unavailable } = worker.drain();
        expect(unavailable).toEqual(Object.fromEntries(KINDS.map((k) => [k, expect.stringMatching(NOT_ASKED)])));
      }
      worker.attach([]); // nothing asked: no request
      expect(attachedSymbols()).toEqual([]);
    } finally {
      worker.unregister();
    }
  });

  test('asking attaches a kind before the answer; the window open meanwhile stays blind to it, the next sees', () => {
    const worker = Worker.register({ pinDir: PIN_DIR });
    try {
      worker.drain();
      worker.attach(['env']);
      expect(attachedSymbols()).toEqual(expect.arrayContaining(['getenv', 'setenv']));
      expect(attachedSymbols()).not.toContain('dlopen');
      expect(tlsSymbols()).toEqual([]);
      void process.env.VIVARIUM_ON_DEMAND_PROBE;
      expect(reads(worker, 'VIVARIUM_ON_DEMAND_PROBE')).toEqual({ reads: 1, blind: [...KINDS].sort() }); // seen, but the window began blind
      void process.env.VIVARIUM_ON_DEMAND_PROBE;
      expect(reads(worker, 'VIVARIUM_ON_DEMAND_PROBE')).toEqual({ reads: 1, blind: ['http', 'load'] });
      worker.attach(['load', 'http']);
      expect(attachedSymbols()).toContain('dlopen');
      // Node's own OpenSSL (a static build) or the system's libssl (Debian's nodejs).
      expect(tlsSymbols()).toContain('SSL_write');
      expect(worker.drain().unavailable).toEqual({ load: expect.stringMatching(NOT_ASKED), http: expect.stringMatching(NOT_ASKED) });
      expect(worker.drain().unavailable).toBeUndefined();
      worker.attach(KINDS); // attached already: nothing to ask
      expect(worker.drain().unavailable).toBeUndefined();
    } finally {
      worker.unregister();
    }
  });

  test('a worker that asks at registration sees them from its first window', () => {
    const worker = Worker.register({ pinDir: PIN_DIR, kinds: KINDS });
    try {
      void process.env.VIVARIUM_ON_DEMAND_PROBE;
      expect(reads(worker, 'VIVARIUM_ON_DEMAND_PROBE')).toEqual({ reads: 1, blind: [] });
    } finally {
      worker.unregister();
    }
  });

  test('attach before registering, or without a list, is refused saying why; the daemon goes on', async () => {
    const refused = (message: string) => ({ ok: false, error: 'VivariumError', message });
    const { client } = await RawClient.connect(socketOf(PIN_DIR));
    expect((await client.request({ op: 'attach', kinds: ['http'] })).reply).toEqual(refused('vivarium: attach asks for kinds for a registered worker: register first'));
    await client.send({ cmd: 'exit' });
    const { client: registered } = await RawClient.connect(socketOf(PIN_DIR));
    expect((await registered.request({ op: 'register', abi: Abi.ABI_VERSION, followChildren: true })).reply).toMatchObject({ ok: true, deferred: KINDS });
    expect((await registered.request({ op: 'attach', kinds: 'http' })).reply).toEqual(refused('vivarium: attach takes kinds, a list of event kinds'));
    expect((await registered.request({ op: 'attach', kinds: ['http', 'nonsense'] })).reply).toEqual({ ok: true, unavailable: {} });
    await registered.send({ cmd: 'exit' });
    Worker.register({ pinDir: PIN_DIR }).unregister();
  });
});
