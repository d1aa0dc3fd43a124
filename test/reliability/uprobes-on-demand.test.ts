// http's uprobes sit in node itself, and a breakpoint there makes every fork
// of every Node process on the machine copy node's page tables. vivariumd
// attaches them only once a worker asks: a matcher of http before it runs fn,
// a run with a policy or a reporter at registration. A window that began
// before the ask is reported blind to http, so a check of it fails instead of
// passing on what it could not see.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Abi, Worker } from '@vivarium/core';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, socketOf, startDaemon, status, wipe } from './lib/daemon.js';
import { RawClient } from './lib/worker.js';

const PIN_DIR = pinDirFor('uprobes-on-demand');
const ARGS = ['--rings', '3', '--ring-size', String(1 << 20), '--uprobes-idle', 'off'];
const skip = skipKernelTests();

const attachedSymbols = () => status(PIN_DIR).uprobes!.files.flatMap((f) => f.symbols);
const tlsSymbols = () => attachedSymbols().filter((s) => s.startsWith('SSL_'));

describe.skipIf(skip)('http attached on demand', () => {
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ARGS);
  }, 60_000);

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
  });

  test('a worker that does not ask: nothing of http attached, and every window blind to it', () => {
    expect(status(PIN_DIR).uprobes).toMatchObject({ onDemand: ['http'] });
    expect(attachedSymbols()).toEqual(expect.arrayContaining(['getenv', 'dlopen']));
    expect(tlsSymbols()).toEqual([]);
    const worker = Worker.register({ pinDir: PIN_DIR });
    try {
      expect(tlsSymbols()).toEqual([]);
      for (let i = 0; i < 2; i++) expect(worker.drain().unavailable?.http).toMatch(/^vivariumd attaches their uprobes only when asked/);
      // env and load are not deferred: asking for them costs no request.
      worker.attach(['env', 'load']);
      expect(worker.drain().unavailable).toEqual({ http: expect.stringMatching(/only when asked/) });
    } finally {
      worker.unregister();
    }
  });

  test('asking attaches them before the answer; the window open meanwhile stays blind, the next sees', () => {
    const worker = Worker.register({ pinDir: PIN_DIR });
    try {
      worker.drain();
      worker.attach(['http']);
      // Node's own OpenSSL (a static build) or the system's libssl (Debian's nodejs).
      expect(tlsSymbols()).toContain('SSL_write');
      expect(worker.drain().unavailable?.http).toMatch(/only when asked/);
      expect(worker.drain().unavailable).toBeUndefined();
      worker.attach(['http']); // attached already: nothing to ask
      expect(worker.drain().unavailable).toBeUndefined();
    } finally {
      worker.unregister();
    }
  });

  test('a worker that asks at registration sees http from its first window', () => {
    const worker = Worker.register({ pinDir: PIN_DIR, kinds: ['http'] });
    try {
      expect(worker.drain().unavailable).toBeUndefined();
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
    expect((await registered.request({ op: 'register', abi: Abi.ABI_VERSION, followChildren: true })).reply).toMatchObject({ ok: true, deferred: ['http'] });
    expect((await registered.request({ op: 'attach', kinds: 'http' })).reply).toEqual(refused('vivarium: attach takes kinds, a list of event kinds'));
    expect((await registered.request({ op: 'attach', kinds: ['http', 'nonsense'] })).reply).toEqual({ ok: true, unavailable: {} });
    expect(tlsSymbols()).toContain('SSL_write');
    await registered.send({ cmd: 'exit' });
    Worker.register({ pinDir: PIN_DIR }).unregister();
  });
});
