// Root test code against its own observation. Root can open every pin, so
// nothing stops it from deleting or rewriting its worker's config_targets
// entry; what matters is that the test cannot then pass unobserved. Every
// drain probes the entry (kill(own pid, 0), answered by the BPF program in
// the worker's counters) and reports what changed; meta and the counters
// are frozen, so not even root can rewrite the ABI, the DNS ports or the
// loss accounting.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ControlCodec, CountersCodec, MetaCodec, U32Codec, encode } from '@vivarium/core';
import { PinDir, PinnedMap, WORKER_MAP_SPECS, loadLibbpf } from '@vivarium/core/kernel';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { FIXTURES, WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('tamper');
const skip = skipKernelTests();
const GONE = "this worker's config_targets entry is gone or no longer sends its events here (the kernel no longer observes it)";
/** Every `entry` command opens the pins read-write while its worker is still observed. */
const OPENED = /pid \d+ opened Vivarium's own maps for writing with bpf\(\)/;
const goneAndOpened = new RegExp(`^${GONE.replace(/[()]/g, '\\$&')}; ${OPENED.source}$`);

/** Opens the inner map `id` of an array of maps (root: BPF_MAP_GET_FD_BY_ID). */
function innerMap(id: number, spec: (typeof WORKER_MAP_SPECS)[keyof typeof WORKER_MAP_SPECS], what: string): PinnedMap {
  const fd = loadLibbpf().bpf_map_get_fd_by_id(id);
  expect(fd, `opening ${what}`).toBeGreaterThanOrEqual(0);
  return PinnedMap.adopt(fd, spec, what);
}

/** The errno name a write to `map` fails with, or 'ok'. */
function writeOutcome(map: PinnedMap, value: Uint8Array): string {
  try {
    map.update(encode(U32Codec, 0), value);
    return 'ok';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

describe.skipIf(skip)('root test code tampering with its own observation', () => {
  let daemon: Daemon;
  let dir: string;
  let marker: string;
  let pins: PinDir;
  const workers: WorkerProcess[] = [];

  const start = async () => {
    const started = await WorkerProcess.start(PIN_DIR);
    workers.push(started.worker);
    expect(started.hello, started.hello.message).toMatchObject({ registered: true });
    const baseline = await started.worker.drain();
    expect(baseline.tampered).toBeNull();
    return started;
  };
  const markerOpens = (events: Array<{ path: string | null }>) => events.filter((e) => e.path === marker).length;

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '4', '--ring-size', String(1 << 20)]);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-tamper-'));
    marker = join(dir, 'unobserved.txt');
    writeFileSync(marker, 'x');
    pins = PinDir.open(PIN_DIR);
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });

  afterAll(async () => {
    pins?.close();
    for (const w of workers) await w.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a worker that deletes its own config_targets entry: the drain says so, and nothing it did afterwards is seen', async () => {
    const { worker, hello } = await start();
    expect(await worker.send({ cmd: 'entry', op: 'get' })).toEqual({ entry: { slot: hello.slot, flags: 1, epoch: 1, mntnsInum: statSync('/proc/self/ns/mnt').ino } });
    expect(await worker.send({ cmd: 'entry', op: 'delete' })).toEqual({ deleted: true });
    await worker.send({ cmd: 'open', path: marker, times: 3 });
    const drained = await worker.drain();
    expect(drained.tampered).toMatch(goneAndOpened);
    expect(markerOpens(drained.events)).toBe(0);
    expect(drained.dropped).toBe(0); // 0 events, 0 lost: only the probe tells
    // It stays detected on every later drain.
    expect((await worker.drain()).tampered).toBe(GONE);
    expect(status(PIN_DIR).targets.filter((t) => t.pid === hello.pid)).toEqual([]);
    await worker.send({ cmd: 'exit' });
  });

  test('a worker that clears its own bit of observed_tgids: the drain says so, and nothing it did afterwards is seen', async () => {
    const { worker } = await start();
    expect(await worker.send({ cmd: 'entry', op: 'unmark' })).toEqual({ unmarked: true });
    await worker.send({ cmd: 'open', path: marker, times: 3 });
    const drained = await worker.drain();
    expect(drained.tampered).toMatch(goneAndOpened);
    expect(markerOpens(drained.events)).toBe(0);
    await worker.send({ cmd: 'exit' });
  });

  test('a worker that clears its bit through a mapping of observed_tgids, opens, and sets it back (no bpf() write): taking the writable fd is reported', async () => {
    const { worker, hello } = await start();
    expect(await worker.send({ cmd: 'entry', op: 'hide', path: marker, times: 3 })).toEqual({ hidden: true });
    const drained = await worker.drain();
    expect(markerOpens(drained.events)).toBe(0); // the opens were never seen
    expect(drained.tampered, `slot ${hello.slot}: 3 opens unobserved, and the drain reported nothing`).toMatch(new RegExp(`^pid ${hello.pid} opened Vivarium's own maps for writing with bpf\\(\\)$`));
    await worker.send({ cmd: 'exit' });
  });

  test('read-only fds of the pins are no tampering; writable ones taken by id are', async () => {
    const { worker, hello } = await start();
    expect(await worker.send({ cmd: 'pins', flags: 'read-only' })).toEqual({ opened: 7 });
    expect((await worker.drain()).tampered).toBeNull();
    expect(await worker.send({ cmd: 'pins', flags: 'by-id' })).toEqual({ opened: 7 });
    expect((await worker.drain()).tampered).toBe(`pid ${hello.pid} opened Vivarium's own maps for writing with bpf()`);
    await worker.send({ cmd: 'exit' });
  });

  test('through the adapters’ path, such a test fails: “observation of this test was tampered with”', () => {
    const out = execFileSync(process.execPath, [`${FIXTURES}tampered-test.mjs`, PIN_DIR, marker], { encoding: 'utf8' });
    const { name, message } = JSON.parse(out);
    expect(name).toBe('TamperedError');
    expect(message).toMatch(new RegExp(`^vivarium: observation of this test was tampered with \\(${goneAndOpened.source.slice(1, -1)}\\)$`));
  });

  test('a worker that deletes its entry and puts it back before draining: the window is still reported', async () => {
    const { worker, hello } = await start();
    const { entry } = await worker.send<{ entry: object }>({ cmd: 'entry', op: 'get' });
    expect(await worker.send({ cmd: 'entry', op: 'delete' })).toEqual({ deleted: true });
    await worker.send({ cmd: 'open', path: marker, times: 3 });
    expect(await worker.send({ cmd: 'entry', op: 'set', value: entry })).toEqual({ set: true });
    const drained = await worker.drain();
    expect(markerOpens(drained.events)).toBe(0); // the opens were never seen
    expect(drained.tampered, `slot ${hello.slot}: 3 opens unobserved, and the drain reported nothing`).toEqual(expect.any(String));
    await worker.send({ cmd: 'exit' });
  });

  test('a rewrite of the entry’s slot sends its events elsewhere: detected (its probe answers in the other slot)', async () => {
    const { worker, hello } = await start();
    const other = (hello.slot! + 1) % 4;
    expect(await worker.send({ cmd: 'entry', op: 'set', value: { slot: other, flags: 1, epoch: 1, mntnsInum: statSync('/proc/self/ns/mnt').ino } })).toEqual({ set: true });
    await worker.send({ cmd: 'open', path: marker });
    const drained = await worker.drain();
    expect(markerOpens(drained.events)).toBe(0);
    expect(drained.tampered).toMatch(goneAndOpened);
    await worker.send({ cmd: 'exit' });
  });

  test('a rewrite of the entry’s flags (children no longer followed): detected', async () => {
    const { worker, hello } = await start();
    expect(await worker.send({ cmd: 'entry', op: 'set', value: { slot: hello.slot, flags: 0, epoch: 1, mntnsInum: statSync('/proc/self/ns/mnt').ino } })).toEqual({ set: true });
    // The bpf() call that rewrote it is named too: it ran while the entry still observed the worker.
    expect((await worker.drain()).tampered).toMatch(new RegExp(`^this worker's config_targets flags changed from 1 to 0; ${OPENED.source}; pid \\d+ wrote Vivarium's own maps with bpf\\(\\)$`));
    await worker.send({ cmd: 'exit' });
  });

  test('another root process moving the worker’s window: detected', async () => {
    const { worker, hello } = await start();
    const control = innerMap(pins.controls.get(hello.slot!)!, WORKER_MAP_SPECS.control, `control of slot ${hello.slot}`);
    try {
      control.update(encode(U32Codec, 0), encode(ControlCodec, { epoch: 77, reserved: 0 }));
    } finally {
      control.close();
    }
    expect((await worker.drain()).tampered).toBe("this worker's window was moved from 1 to 77");
    await worker.send({ cmd: 'exit' });
  });

  test('meta and every worker’s counters are frozen: not even root can write them (EPERM)', async () => {
    const { worker, hello } = await start();
    expect(writeOutcome(pins.maps.meta, encode(MetaCodec, { ...pins.meta, backend: 1, dnsPorts: [5353, 0, 0, 0], flags: 0 }))).toBe('EPERM');
    const counters = innerMap(pins.counters.get(hello.slot!)!, WORKER_MAP_SPECS.counters, `counters of slot ${hello.slot}`);
    try {
      // Zero every counter: the drops, the probe's answers.
      expect(writeOutcome(counters, new Uint8Array(CountersCodec.size))).toBe('EPERM');
    } finally {
      counters.close();
    }
    const reopened = PinDir.open(PIN_DIR);
    expect(reopened.meta).toEqual(pins.meta);
    reopened.close();
    await worker.send({ cmd: 'exit' });
  });
});
