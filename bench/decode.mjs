// Decode throughput: the Node worker's drain() (mmap ring reader + decoder)
// against a C consumer of the same ring built with libbpf. A registered Node
// worker fills its ring with N opens and pauses without draining; then either
// it drains and decodes the ring itself, or (in a separate fill) the C
// consumer empties the same slot's ring while the worker waits.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { BENCH, BUILD, PIN_DIRS, REPO, ensureBuildDir, foreignHooks, lineReader, median, run, startReal, withDaemon } from './lib.mjs';

export const C_CONSUMER = `${BUILD}c-consumer`;

export function buildCConsumer() {
  ensureBuildDir();
  run('cc', ['-O2', '-Wall', '-Werror', `-I${REPO}bpf`, '-o', C_CONSUMER, `${BENCH}c-consumer.c`, '-lbpf']);
  return C_CONSUMER;
}

/** Smallest power of two holding `events` records of up to 256 bytes. */
function ringSizeFor(events) {
  let size = 1 << 22;
  while (size < events * 256) size *= 2;
  return size;
}

/** One fill; `consumer` is 'node', 'c', 'floor' or 'floor-shared' (the JS floors, in a fill of their own). Returns { events, ns }. */
async function fillAndConsume(consumer, events) {
  const child = spawn(process.execPath, [`${BENCH}workload.mjs`, 'open', 'fill', String(events)], {
    env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const next = lineReader(child);
  try {
    const ready = await next();
    if (!ready.ready) throw new Error(`bench: decode fill failed: ${ready.error}`);
    if (ready.dropped) throw new Error(`bench: ${ready.dropped} events dropped while filling (ring too small)`);
    if (consumer !== 'c') {
      child.stdin.write(`${consumer}\n`);
      const r = await next();
      if (r.error) throw new Error(`bench: node ${consumer} failed: ${r.error}`);
      if (r.dropped) throw new Error(`bench: ${r.dropped} events dropped while filling`);
      return { events: r.events, ns: r.ns ?? r.floorNs };
    }
    const c = spawnSync(C_CONSUMER, [ready.pinDir, String(ready.slot)], { encoding: 'utf8' });
    if (c.status !== 0) {
      child.kill();
      throw new Error(`bench: c-consumer failed (${c.status}): ${c.stderr}`);
    }
    const r = JSON.parse(c.stdout);
    if (r.errors) throw new Error(`bench: c-consumer rejected ${r.errors} records`);
    child.stdin.write('release\n');
    const left = await next();
    if (left.left) throw new Error(`bench: ${left.left} events left in the ring after the C consumer`);
    return { events: r.events, ns: r.ns, bytes: r.bytes };
  } catch (err) {
    child.kill(); // it waits for a command that will not come
    throw err;
  } finally {
    if (child.exitCode === null) await once(child, 'exit');
  }
}

export async function runDecode(options, log) {
  buildCConsumer();
  const n = options.decodeEvents;
  const samples = { node: [], c: [], floor: [], 'floor-shared': [] };
  const raw = [];
  const contamination = [];
  for (let round = 1; round <= options.rounds; round++) {
    contamination.push(...foreignHooks());
    await withDaemon(
      () => startReal(ringSizeFor(n), 4),
      async () => {
        // Rotate which consumer goes first.
        const consumers = ['node', 'c', 'floor', 'floor-shared'];
        const order = consumers.map((_, i) => consumers[(i + round) % consumers.length]);
        for (const consumer of order) {
          const r = await fillAndConsume(consumer, n);
          if (Math.abs(r.events - n) > 64) throw new Error(`bench: ${consumer} consumed ${r.events} events, expected ${n}`);
          samples[consumer].push(r.events / (r.ns / 1e9));
          raw.push({ round, consumer, ...r });
        }
      },
    );
    log(`decode round ${round}/${options.rounds}: node ${(samples.node.at(-1) / 1e6).toFixed(2)} M/s, C ${(samples.c.at(-1) / 1e6).toFixed(2)} M/s, floor ${(samples.floor.at(-1) / 1e6).toFixed(2)} M/s, shared strings ${(samples['floor-shared'].at(-1) / 1e6).toFixed(2)} M/s`);
  }
  const node = median(samples.node);
  const c = median(samples.c);
  return {
    events: n,
    samples,
    raw,
    contamination,
    medians: { nodeEventsPerSecond: node, cEventsPerSecond: c, nodeOverC: node / c, floorEventsPerSecond: median(samples.floor), floorOverC: median(samples.floor) / c,
      sharedFloorEventsPerSecond: median(samples['floor-shared']), sharedFloorOverC: median(samples['floor-shared']) / c },
  };
}
