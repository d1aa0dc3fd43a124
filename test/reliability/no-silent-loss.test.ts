// No silent loss: with rings far too small, several workers at once each
// open their own file a known number of times. For every slot the kernel's
// counters, what the worker decoded and what it was told it lost must agree
// exactly, and a test that lost events fails naming the count and the flag.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { FIXTURES } from './lib/worker.js';

const PIN_DIR = pinDirFor('loss');
const WORKERS = 4;
const OPENS_PER_WORKER = 250_000; // 1,000,000 hook hits in total
const RING_SIZE = 65_536;

interface StressResult {
  mode: 'worker' | 'session';
  slot: number;
  opens: number;
  decoded: number;
  decodedOwnFile: number;
  other: Record<string, number>;
  reportedDropped: number;
  drains: number;
  emitted: string;
  dropped: string;
  ms: number;
  testDropped?: number;
  testError?: { name: string; dropped: number; message: string } | null;
  tampered: number;
  probes: number;
}

const skip = skipKernelTests();

describe.skipIf(skip)('no silent loss', () => {
  let daemon: Daemon;
  let dir: string;

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '8', '--ring-size', String(RING_SIZE)]);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-loss-'));
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`${WORKERS} parallel workers, ${WORKERS * OPENS_PER_WORKER} events, ${RING_SIZE}-byte rings: every event is decoded or counted as lost, exactly`, async () => {
    const started = Date.now();
    const workers = Array.from({ length: WORKERS }, (_, i) => {
      // Long names make ~230-byte records: ~280 fit a ring, drains come every 50–1,000 opens.
      const file = join(dir, `worker-${i}-${'x'.repeat(64)}.txt`);
      writeFileSync(file, 'x');
      const mode = i % 2 === 0 ? 'worker' : 'session';
      const child = spawn(process.execPath, [`${FIXTURES}stress-worker.mjs`, PIN_DIR, file, String(OPENS_PER_WORKER), String(1000 + i), mode], {
        stdio: ['pipe', 'pipe', 'inherit'],
        // One malloc arena: glibc opens /proc/sys/vm/overcommit_memory the
        // first time it shrinks another thread's heap, at a moment of its
        // choosing, which would be a hook hit besides the worker's own opens.
        env: { ...process.env, MALLOC_ARENA_MAX: '1' },
      });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      return { child, lines };
    });
    const ready = await Promise.all(workers.map(async (w) => JSON.parse((await w.lines.next()).value as string) as { slot: number }));
    expect(new Set(ready.map((r) => r.slot)).size).toBe(WORKERS);
    for (const w of workers) w.child.stdin!.end('go\n'); // all at once
    const results = await Promise.all(workers.map(async (w) => JSON.parse((await w.lines.next()).value as string) as StressResult));
    const wallMs = Date.now() - started;

    const kernel = new Map(status(PIN_DIR).slots.map((s) => [s.slot, s]));
    const rows = results.map((r) => {
      const k = kernel.get(r.slot)!;
      return {
        slot: r.slot,
        mode: r.mode,
        opens: r.opens,
        kernelEmitted: Number(k.emitted),
        kernelDropped: Number(k.dropped),
        decoded: r.decoded,
        reportedDropped: r.reportedDropped,
        drains: r.drains,
        ms: Math.round(r.ms),
      };
    });
    console.table(rows);
    console.log(`wall time ${wallMs} ms for ${WORKERS * OPENS_PER_WORKER} events`);

    for (const [i, r] of results.entries()) {
      const row = rows[i]!;
      // The kernel's counters are the truth: one record per hook hit, written or lost.
      expect(row.kernelEmitted + row.kernelDropped, `slot ${r.slot}: hook hits`).toBe(OPENS_PER_WORKER);
      expect(row.decoded, `slot ${r.slot}: decoded = emitted`).toBe(row.kernelEmitted);
      expect(row.reportedDropped, `slot ${r.slot}: reported lost = dropped`).toBe(row.kernelDropped);
      expect(r.decodedOwnFile, `slot ${r.slot}: every record is one of its own opens`).toBe(r.decoded);
      expect(r.other).toEqual({});
      // The workload really overflowed the ring, and really got events through.
      expect(row.kernelDropped).toBeGreaterThan(0);
      expect(row.kernelEmitted).toBeGreaterThan(0);
      // The worker's own view of its slot agrees with the status command's.
      expect([Number(r.emitted), Number(r.dropped)]).toEqual([row.kernelEmitted, row.kernelDropped]);
      // Every drain found the worker's entry intact, and under this load the kernel answered every probe.
      expect(r.tampered).toBe(0);
      if (r.mode === 'worker') expect(r.probes).toBe(r.drains + 1);
      if (r.mode === 'session') {
        // The adapters' path: the test fails with the count and the flag to raise.
        expect(r.testDropped).toBe(row.kernelDropped);
        expect(r.testError).toMatchObject({ name: 'EventsDroppedError', dropped: row.kernelDropped });
        expect(r.testError!.message).toContain(`${row.kernelDropped} event(s) of this test were lost`);
        expect(r.testError!.message).toContain('--ring-size');
      }
    }
    expect(wallMs).toBeLessThan(60_000);
  });
});
