#!/usr/bin/env node
// Where a suite run with Vivarium spends Vivarium's time: runs the generated
// suite (bench/suite/generated, written by `BENCH_ONLY=suite npm run bench`)
// once with Vivarium, every process profiled (cpu-profile-preload.cjs: Node 20
// refuses --cpu-prof in NODE_OPTIONS), then sums, over every
// process's profile, the samples whose stack goes through @vivarium/* (and,
// inside those, through koffi, picomatch, the module loader, the decoder...).
//   node bench/experiments/suite-profile.mjs vitest|jest
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { BENCH, BUILD, PIN_DIRS, REPO, startReal, withDaemon } from '../lib.mjs';
import { SUITE_DIR } from '../suite.mjs';

const runner = process.argv[2] ?? 'vitest';
const dir = `${BUILD}suite-cpuprof-${runner}`;
rmSync(dir, { recursive: true, force: true });
const args =
  runner === 'vitest'
    ? [`${REPO}node_modules/vitest/vitest.mjs`, 'run', '--config', `${SUITE_DIR}vitest.vivarium.config.mjs`, '--root', SUITE_DIR]
    : [`${REPO}node_modules/jest/bin/jest.js`, '--config', `${SUITE_DIR}jest.vivarium.config.cjs`, '--ci'];
await withDaemon(
  () => startReal(4 << 20, 64),
  async () => {
    const env = { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real, NODE_OPTIONS: `--require ${BENCH}experiments/cpu-profile-preload.cjs`, BENCH_CPUPROF_DIR: dir };
    const r = spawnSync(process.execPath, args, { cwd: SUITE_DIR, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  },
);

const buckets = [
  ['koffi', /node_modules\/koffi\//],
  ['picomatch', /node_modules\/picomatch\//],
  // Core is one file (bundle/core.cjs): its decoder is told apart by function name.
  ['decoder', /@vivarium\/core\/dist\/(decode|ring-reader)\.js/, /^(decodeEvent|consume|internedText|sameBytes|fileOpen|backingOf)$/],
  ['policy/report', /@vivarium\/core\/dist\/(policy|report)\//],
];
let total = 0;
let vivarium = 0;
let processes = 0;
const byBucket = new Map();
const byTop = new Map();
for (const file of readdirSync(dir)) {
  const prof = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  processes++;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const interval = (prof.endTime - prof.startTime) / prof.samples.length / 1000; // ms
  for (const id of prof.samples) {
    total += interval;
    const stack = [];
    for (let x = id; x !== undefined; x = parent.get(x)) stack.push(byId.get(x).callFrame);
    const outer = stack.findLast((f) => /@vivarium\//.test(f.url));
    if (!outer) continue;
    vivarium += interval;
    const bucket = buckets.find(([, re, names]) => stack.some((f) => re.test(f.url) || (names?.test(f.functionName) && /@vivarium\/core\/bundle\/core\.cjs$/.test(f.url))))?.[0] ?? (stack.some((f) => f.url === '' && /compile|Module|resolve|load/i.test(f.functionName)) ? 'module loading' : 'other');
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + interval);
    const inner = stack.find((f) => /@vivarium\//.test(f.url));
    const top = `${inner.functionName || '(anonymous)'} ${inner.url.replace(/^.*@vivarium\//, '@vivarium/')}:${inner.lineNumber + 1} <- ${stack[0].functionName || '(anonymous)'} ${stack[0].url.replace(/^.*\//, '')}`;
    byTop.set(top, (byTop.get(top) ?? 0) + interval);
  }
}
console.log(`${runner}: ${processes} processes, ${(total / 1000).toFixed(2)} s of samples, ${(vivarium / 1000).toFixed(2)} s (${((100 * vivarium) / total).toFixed(1)}%) under @vivarium/*`);
for (const [k, v] of [...byBucket].sort((a, b) => b[1] - a[1])) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
console.log('innermost @vivarium frame <- the sampled frame:');
for (const [k, v] of [...byTop].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
