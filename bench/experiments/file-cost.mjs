#!/usr/bin/env node
// What a Vitest test file costs Vivarium, step by step, timed inside the
// workers of the generated suite (bench/suite/generated, written by
// `BENCH_ONLY=suite npm run bench`): a set-up file of its own times
// importing @vivarium/core, then importing @vivarium/vitest/setup (the
// registration inside it timed apart), and every test's beginTest and
// complete; each worker writes its figures when Vitest's SIGTERM arrives.
// Medians over the files of RUNS runs after one not counted, beside a warm
// vivariumd with the default ring (the figures of BENCHMARKS.md, "What a Vitest test file
// costs now, by cause").
//   node bench/experiments/file-cost.mjs [RUNS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIN_DIRS, REPO, median, startReal, withDaemon } from '../lib.mjs';
import { SUITE_DIR, installPackages } from '../suite.mjs';

const runs = Number(process.argv[2] ?? 3);
const out = mkdtempSync(join(tmpdir(), 'vivarium-file-cost-'));
const setup = `${SUITE_DIR}file-cost-setup.mjs`;
const config = `${SUITE_DIR}vitest.file-cost.config.mjs`;
writeFileSync(
  setup,
  `// Written by bench/experiments/file-cost.mjs.
import { writeFileSync } from 'node:fs';
const t = { core: 0, setup: 0, register: 0, beginTest: 0, complete: 0, tests: 0 };
const timed = (holder, name, key) => {
  const original = holder[name];
  holder[name] = function (...args) {
    const t0 = performance.now();
    try { return original.apply(this, args); } finally { t[key] += performance.now() - t0; }
  };
};
let t0 = performance.now();
const core = await import('@vivarium/core');
t.core = performance.now() - t0;
timed(core.Session, 'get', 'register');
timed(core.Session.prototype, 'beginTest', 'beginTest');
timed(core.TestVerdicts.prototype, 'complete', 'complete');
const countTests = core.Session.prototype.beginTest;
core.Session.prototype.beginTest = function (...args) { t.tests++; return countTests.apply(this, args); };
t0 = performance.now();
await import('@vivarium/vitest/setup');
t.setup = performance.now() - t0;
process.once('SIGTERM', () => { writeFileSync(${JSON.stringify(out)} + '/' + process.pid + '.json', JSON.stringify(t)); process.exit(0); });
`,
);
writeFileSync(config, `export default { test: { include: ['vitest/**/*.test.mjs'], pool: 'forks', setupFiles: ['./file-cost-setup.mjs'] } };\n`);
installPackages();
try {
  await withDaemon(
    () => startReal(4 << 20, 64),
    async () => {
      // A run first, not counted: the daemon makes its slots' rings and a worker core's code cache.
      for (let i = -1; i < runs; i++) {
        if (i === 0) for (const f of readdirSync(out)) rmSync(join(out, f));
        const r = spawnSync(process.execPath, [`${REPO}node_modules/vitest/vitest.mjs`, 'run', '--config', config, '--root', SUITE_DIR], {
          cwd: SUITE_DIR,
          env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real },
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(r.stdout + r.stderr);
      }
    },
  );
  const files = readdirSync(out).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  const ms = (key) => median(files.map((f) => f[key])).toFixed(2);
  console.log(`${files.length} test files (${runs} runs), medians per file:`);
  console.log(`  import @vivarium/core            ${ms('core')} ms`);
  console.log(`  import @vivarium/vitest/setup    ${ms('setup')} ms (of which Session.get, the registration, ${ms('register')} ms)`);
  console.log(`  beginTest, all the file's tests  ${ms('beginTest')} ms`);
  console.log(`  complete, all the file's tests   ${ms('complete')} ms (${ms('tests')} tests a file)`);
} finally {
  rmSync(out, { recursive: true, force: true });
  rmSync(setup, { force: true });
  rmSync(config, { force: true });
}
