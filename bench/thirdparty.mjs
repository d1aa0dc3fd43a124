// A real third-party suite: zod's own tests (src/v3, 59 files, 548 tests
// under Vitest), from the tarball the npm registry serves for a pinned
// version, checked against its published integrity, fetched at bench time
// into bench/build (never committed). Run plain (our daemon detached), with
// Vivarium (the setup file, daemon attached) and under strace, as the
// generated suite is; wall time of the runner command, rounds interleaved.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BUILD, PIN_DIRS, REPO, foreignHooks, median, slotTotals, startReal, withDaemon } from './lib.mjs';
import { STRACE, installPackages } from './suite.mjs';

export const THIRD_PARTY = {
  name: 'zod',
  version: '4.6.7',
  integrity: 'sha512-g8W2D2kU6a8untc053fX1uVBKzM7yqAxW/3zwk83+6RyF2+SKOuV+c0wBDhUwzV1PaGapmZH+rmcUzPf+3CGwg==',
  tests: 'src/v3/**/*.test.ts',
};
const DIR = `${BUILD}thirdparty/${THIRD_PARTY.name}-${THIRD_PARTY.version}/`;
const VITEST = `${REPO}node_modules/vitest/vitest.mjs`;

/** The pinned tarball from the registry, unpacked once; a mismatch in integrity is an error. */
function fetchSuite(log) {
  if (existsSync(`${DIR}.fetched`)) return;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const spec = `${THIRD_PARTY.name}@${THIRD_PARTY.version}`;
  log(`thirdparty: fetching ${spec} from the npm registry`);
  const pack = spawnSync('npm', ['pack', spec, '--pack-destination', DIR, '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`bench: npm pack ${spec} failed (is the npm registry reachable?): ${pack.stderr.trim()}`);
  const tarball = `${DIR}${pack.stdout.trim().split('\n').pop()}`;
  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== THIRD_PARTY.integrity) throw new Error(`bench: ${spec} from the registry has integrity ${digest}, pinned ${THIRD_PARTY.integrity}`);
  const untar = spawnSync('tar', ['xzf', tarball, '-C', DIR, '--strip-components=1']);
  if (untar.status !== 0) throw new Error(`bench: unpacking ${tarball} failed: ${untar.stderr}`);
  // The tests import the package by name ('zod/v3'): from its sources.
  const config = (setup) => `import { fileURLToPath } from 'node:url';
const src = fileURLToPath(new URL('./src/', import.meta.url));
export default {
  resolve: { alias: [{ find: /^zod$/, replacement: \`\${src}index.ts\` }, { find: /^zod\\/(.+)$/, replacement: \`\${src}$1/index.ts\` }] },
  test: { include: ['${THIRD_PARTY.tests}'], pool: 'forks'${setup ? ", setupFiles: ['@vivarium/vitest/setup']" : ''} },
};
`;
  writeFileSync(`${DIR}plain.config.mjs`, config(false));
  writeFileSync(`${DIR}vivarium.config.mjs`, config(true));
  writeFileSync(`${DIR}.fetched`, `${spec}\n`);
}

/** One timed run; returns { ms, tests, events?, dropped? }. */
function runOnce(variant) {
  let [cmd, args] = [process.execPath, [VITEST, 'run', '--config', `${DIR}${variant === 'vivarium' ? 'vivarium' : 'plain'}.config.mjs`, '--root', DIR]];
  if (variant === 'strace') [cmd, args] = [STRACE[0], [...STRACE.slice(1), cmd, ...args]];
  const before = variant === 'vivarium' ? slotTotals(PIN_DIRS.real) : undefined;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: DIR, env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real, CI: '1', FORCE_COLOR: '0' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const output = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  if (r.status !== 0) throw new Error(`bench: ${THIRD_PARTY.name}'s suite ${variant} failed (${r.status ?? r.signal}):\n${output.slice(-3000)}`);
  const tests = Number(/Tests\s+(\d+) passed/.exec(output)?.[1] ?? NaN);
  if (!before) return { ms, tests };
  const after = slotTotals(PIN_DIRS.real);
  const events = after.emitted - before.emitted;
  if (!events) throw new Error(`bench: ${THIRD_PARTY.name}'s suite with Vivarium recorded no events: did the workers register?`);
  return { ms, tests, events, dropped: after.dropped - before.dropped };
}

export async function runThirdParty(options, log) {
  fetchSuite(log);
  const installed = installPackages(DIR);
  // attached: the plain suite with vivariumd beside it, nobody registered (suite.mjs).
  const variants = ['plain', 'attached', 'vivarium', 'strace'];
  const samples = {};
  const raw = [];
  const contamination = [];
  runOnce('plain'); // warm-up: Vite's transform of the sources, file caches
  for (let round = 1; round <= options.suiteRounds; round++) {
    contamination.push(...foreignHooks());
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round - 1) % variants.length];
      const r = variant === 'vivarium' || variant === 'attached' ? await withDaemon(() => startReal(options.ringSize, 64), async () => runOnce(variant)) : runOnce(variant);
      (samples[variant] ??= []).push(r.ms);
      raw.push({ round, variant, ...r });
      if (r.dropped) log(`warning: ${THIRD_PARTY.name}'s suite with Vivarium dropped ${r.dropped} events`);
    }
    log(`thirdparty round ${round}/${options.suiteRounds}: ${variants.map((v) => `${v} ${(samples[v].at(-1) / 1000).toFixed(2)} s`).join(', ')}`);
  }
  const base = median(samples.plain);
  const medians = variants.map((variant) => {
    const events = raw.filter((r) => r.variant === variant && r.events !== undefined).map((r) => r.events);
    return { variant, ms: median(samples[variant]), ratio: median(samples[variant]) / base, target: variant === 'vivarium' ? 1.03 : undefined, events: events.length ? median(events) : undefined };
  });
  const tests = median(raw.map((r) => r.tests));
  return { package: { ...THIRD_PARTY, installed }, tests, samples, raw, contamination, medians };
}
