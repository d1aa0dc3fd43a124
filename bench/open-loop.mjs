// One measured workload, run in its own process so attaching and
// registering never leak between measurements. Prints one JSON line.
//   node bench/open-loop.mjs plain|registered|decode ITERATIONS
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@vivarium/core';

const [mode, raw] = process.argv.slice(2);
const iterations = Number(raw);
const file = join(tmpdir(), `vivarium-bench-${process.pid}`);
writeFileSync(file, 'x');

function loop(n, drainEvery, worker) {
  for (let i = 1; i <= n; i++) {
    closeSync(openSync(file, 'r'));
    if (worker && i % drainEvery === 0) worker.drain();
  }
}

let result;
if (mode === 'plain') {
  loop(1000);
  const start = process.hrtime.bigint();
  loop(iterations);
  result = { ns: Number(process.hrtime.bigint() - start) };
} else if (mode === 'registered') {
  const worker = Worker.register();
  loop(1000, 1000, worker);
  worker.drain();
  const start = process.hrtime.bigint();
  loop(iterations, 4096, worker);
  const { dropped } = worker.drain();
  result = { ns: Number(process.hrtime.bigint() - start), dropped };
  worker.unregister();
} else if (mode === 'decode') {
  // Fill the ring, then time draining + decoding it alone.
  const worker = Worker.register();
  worker.drain();
  loop(iterations);
  const start = process.hrtime.bigint();
  const { events, dropped } = worker.drain();
  result = { ns: Number(process.hrtime.bigint() - start), events: events.length, dropped };
  worker.unregister();
} else {
  throw new Error(`open-loop: unknown mode ${mode}`);
}
console.log(JSON.stringify(result));
