#!/usr/bin/env node
// npm run bench: overhead of Vivarium on an open+close loop, and decode
// throughput, as ratios against a baseline measured in the same run.
// Interleaved rounds; medians. Root only (it attaches the real daemon).
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const VIVARIUMD = `${repo}packages/daemon/bin/vivariumd.js`;
const PIN_DIR = '/sys/fs/bpf/vivarium-bench';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const DECODE_EVENTS = Number(process.env.BENCH_DECODE_EVENTS ?? 150_000);

if (process.getuid() !== 0) {
  console.error('bench: run as root (it loads BPF programs)');
  process.exit(1);
}

const env = { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIR };
const measure = (mode, n) => JSON.parse(execFileSync(process.execPath, [`${repo}bench/open-loop.mjs`, mode, String(n)], { env, encoding: 'utf8' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

execFileSync('make', ['-s', '-C', `${repo}bpf`, 'build/floor.bpf.o'], { stdio: 'inherit' });
const FLOOR_OBJECT = `${repo}bpf/build/floor.bpf.o`;

async function startDaemon(extraArgs = []) {
  try {
    execFileSync(process.execPath, [VIVARIUMD, 'stop', '--pin-dir', PIN_DIR], { stdio: 'ignore' });
  } catch {}
  const child = spawn(process.execPath, [VIVARIUMD, '--pin-dir', PIN_DIR, '--ring-size', String(1 << 26), '--rings', '4', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`vivariumd exited ${code}: ${out}`)));
  });
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
}

const samples = { detached: [], floor: [], unregistered: [], registered: [], decode: [] };
let dropped = 0;
for (let round = 1; round <= ROUNDS; round++) {
  samples.detached.push(measure('plain', ITERATIONS).ns);
  const stopFloor = await startDaemon(['--object', FLOOR_OBJECT]);
  try {
    samples.floor.push(measure('plain', ITERATIONS).ns);
  } finally {
    await stopFloor();
  }
  const stop = await startDaemon();
  try {
    samples.unregistered.push(measure('plain', ITERATIONS).ns);
    const reg = measure('registered', ITERATIONS);
    samples.registered.push(reg.ns);
    dropped += reg.dropped;
    const dec = measure('decode', DECODE_EVENTS);
    if (dec.dropped) throw new Error(`bench: ${dec.dropped} events dropped while filling the ring`);
    samples.decode.push(dec.events / (dec.ns / 1e9));
  } finally {
    await stop();
  }
  process.stderr.write(`round ${round}/${ROUNDS} done\n`);
}

const base = median(samples.detached);
const perOp = (ns) => `${(ns / ITERATIONS).toFixed(0)} ns/op`;
const rows = [
  ['open+close, hooks detached (baseline)', perOp(base), '1.000×', ''],
  ['open+close, empty sys_exit program attached (floor)', perOp(median(samples.floor)), `${(median(samples.floor) / base).toFixed(3)}×`, ''],
  ['open+close, hooks attached, unregistered', perOp(median(samples.unregistered)), `${(median(samples.unregistered) / base).toFixed(3)}×`, '≤ 1.03×'],
  ['open+close, registered (events emitted + drained)', perOp(median(samples.registered)), `${(median(samples.registered) / base).toFixed(3)}×`, '≤ 1.25×'],
  ['ring drain + decode in Node', `${(median(samples.decode) / 1e6).toFixed(2)} M events/s`, '', '≥ 1 M/s'],
];
const report = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  iterations: ITERATIONS,
  node: process.version,
  kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
  medians: {
    detachedNsPerOp: base / ITERATIONS,
    floorRatio: median(samples.floor) / base,
    unregisteredRatio: median(samples.unregistered) / base,
    registeredRatio: median(samples.registered) / base,
    decodeEventsPerSecond: median(samples.decode),
  },
  droppedDuringRegisteredLoops: dropped,
  samples,
};
console.log(`\nVivarium benchmarks — ${ROUNDS} interleaved rounds, ${ITERATIONS} iterations, medians (${report.kernel}, Node ${process.version})\n`);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
if (dropped) console.log(`\nwarning: ${dropped} events dropped during registered loops`);
writeFileSync(`${repo}bench/last-run.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log('\nraw samples: bench/last-run.json');
