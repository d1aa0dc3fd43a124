// Suite level: a generated suite (bench/suite/generate.mjs) run end to end by
// the real runners — plain (no Vivarium, our daemon detached), with Vivarium
// (setup file / test environment, daemon attached) and under
// `strace -f -e trace=%file` (what one would reach for otherwise). Wall time
// of the whole runner command; variants interleaved, rotating per round.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BENCH, PIN_DIRS, REPO, foreignHooks, median, slotTotals, startReal, withDaemon } from './lib.mjs';
import { generateSuite } from './suite/generate.mjs';

export const SUITE_DIR = `${BENCH}suite/generated/`;
const VITEST = `${REPO}node_modules/vitest/vitest.mjs`;
const JEST = `${REPO}node_modules/jest/bin/jest.js`;

/**
 * The suite gets the @vivarium packages as an npm install would give them:
 * real directories under its node_modules (package.json + dist), not the
 * workspace symlinks. It matters: Vite inlines (transforms and evaluates
 * through its module runner, in every test file) packages whose real path
 * is outside node_modules, which made the set-up cost about twice as much.
 */
export function installPackages(project = SUITE_DIR) {
  const installed = [];
  for (const dir of ['core', 'vitest-plugin', 'jest-env']) {
    const from = `${REPO}packages/${dir}/`;
    if (!existsSync(`${from}package.json`) || !existsSync(`${from}dist`)) continue;
    const { name, files = ['dist'] } = JSON.parse(readFileSync(`${from}package.json`, 'utf8'));
    const to = `${project}node_modules/${name}/`;
    mkdirSync(to, { recursive: true });
    cpSync(`${from}package.json`, `${to}package.json`);
    // What the package ships (dist, core's bundle, …), as npm would install it.
    for (const entry of files.filter((f) => existsSync(`${from}${f}`)))
      cpSync(`${from}${entry}`, `${to}${entry}`, { recursive: true, filter: (src) => !/\.(map|d\.[cm]?ts)$|\/\.v8-cache$/.test(src) });
    installed.push(name);
  }
  return installed;
}

/** Jest runs only when another engineer's Jest 30 and @vivarium/jest are both there. */
export function jestAvailability() {
  if (!existsSync(JEST)) return { available: false, reason: 'node_modules/jest is not installed' };
  if (!existsSync(`${REPO}packages/jest-env/package.json`)) return { available: false, reason: 'packages/jest-env (@vivarium/jest) is not there yet' };
  try {
    createRequire(`${SUITE_DIR}package.json`).resolve('@vivarium/jest');
  } catch {
    return { available: false, reason: '@vivarium/jest does not resolve (not linked by npm install, or not built)' };
  }
  return { available: true };
}

function runnerCommand(runner, config) {
  if (runner === 'vitest') return [process.execPath, [VITEST, 'run', '--config', `${SUITE_DIR}${config}.config.mjs`, '--root', SUITE_DIR]];
  return [process.execPath, [JEST, '--config', `${SUITE_DIR}${config}.config.cjs`, '--ci']];
}

/** With Vivarium / plain, per runner (issue 14). */
const SUITE_TARGETS = { vitest: 1.05, jest: 1.03 };

export const STRACE = ['strace', '-f', '-e', 'trace=%file', '-o', '/dev/null'];

/** Variants run with the bench's daemon attached, and the daemon's extra flags. `attached`
 * runs the plain suite beside it, nobody registered: what every process pays while vivariumd
 * runs (the sys_exit tracepoint on each system call, the uprobes' breakpoints on each fork), the
 * floor of the runs with Vivarium. */
const DAEMON_VARIANTS = new Map([['attached', []], ['vivarium', []], ['no-uprobes', ['--no-uprobes']], ['provenance', []], ['linked', []], ['registered', []], ['vivarium-shared', []]]);
/** Vitest only: the per-file set-up in steps (a fresh process per test file there; Jest runs its files in one),
 * and both variants again with processes shared by test files (isolate: false), where it is paid once per worker. */
const SETUP_STEPS = ['ffi', 'registered', 'plain-shared', 'vivarium-shared'];
/** Variants measured against another baseline than `plain`. */
const BASELINE_OF = { 'vivarium-shared': 'plain-shared' };

const SETUP_NOTES = {
  ffi: 'set-up file loading koffi only (its binary, as core loads it), no daemon: the FFI every registering test process needs',
  registered: 'set-up file importing @vivarium/core and registering, daemon attached; no matcher, no drain',
  'plain-shared': 'isolate: false (test files share worker processes), no Vivarium: the baseline of the next row',
  'vivarium-shared': 'isolate: false, with Vivarium: the set-up once per worker process; ratio against plain with isolate: false',
};

/** One timed run of a variant; returns { ms, events?, dropped? }. */
function runOnce(runner, variant) {
  // The config file each variant runs (vitest.CONFIG.config.mjs, jest.CONFIG.config.cjs).
  const config = { 'no-uprobes': 'vivarium', provenance: 'vivarium', strace: 'plain', attached: 'plain' }[variant] ?? variant;
  let [cmd, args] = runnerCommand(runner, `${runner}.${config}`);
  const registers = DAEMON_VARIANTS.has(variant) && variant !== 'attached';
  if (variant === 'strace') [cmd, args] = [STRACE[0], [...STRACE.slice(1), cmd, ...args]];
  const env = { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real, CI: '1', FORCE_COLOR: '0', VIVARIUM_PROVENANCE: variant === 'provenance' ? '1' : '0' };
  const before = registers ? slotTotals(PIN_DIRS.real) : undefined;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: SUITE_DIR, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`bench: ${runner} ${variant} failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  if (!before) return { ms };
  const after = slotTotals(PIN_DIRS.real);
  const events = after.emitted - before.emitted;
  const dropped = after.dropped - before.dropped;
  if (!events) throw new Error(`bench: ${runner} with Vivarium recorded no events: did the workers register?`);
  return { ms, events, dropped };
}

export async function runSuite(options, log) {
  const linkedSetup = `${REPO}packages/vitest-plugin/bundle/setup.js`;
  const suite = generateSuite(SUITE_DIR, options.suite.files, options.suite.tests, { linkedSetup });
  suite.installed = installPackages();
  const jest = jestAvailability();
  const runners = jest.available ? ['vitest', 'jest'] : ['vitest'];
  if (!jest.available) log(`suite: Jest skipped — ${jest.reason}; Vitest only`);
  const variants = ['plain', 'attached', 'vivarium', 'no-uprobes', 'provenance', 'strace'];
  // BENCH_SUITE_LINKED=1: also Vitest with the setup file loaded from the workspace (symlinked) packages.
  const variantsOf = (runner) => (runner === 'vitest' ? [...variants, ...SETUP_STEPS, ...(options.suiteLinked ? ['linked'] : [])] : variants);
  const samples = {};
  const raw = [];
  const contamination = [];
  // Warm-up: one unmeasured plain run per runner (module caches, transform caches).
  for (const runner of runners) runOnce(runner, 'plain');
  for (let round = 1; round <= options.suiteRounds; round++) {
    contamination.push(...foreignHooks());
    for (const runner of runners) {
      const vs = variantsOf(runner);
      for (let i = 0; i < vs.length; i++) {
        const variant = vs[(i + round - 1) % vs.length];
        const r = DAEMON_VARIANTS.has(variant) ? await withDaemon(() => startReal(options.ringSize, 64, DAEMON_VARIANTS.get(variant)), async () => runOnce(runner, variant)) : runOnce(runner, variant);
        (samples[`${runner}/${variant}`] ??= []).push(r.ms);
        raw.push({ round, runner, variant, ...r });
        if (r.dropped) log(`warning: ${runner} with Vivarium dropped ${r.dropped} events`);
      }
    }
    log(`suite round ${round}/${options.suiteRounds}: ${runners.map((rn) => variantsOf(rn).map((v) => `${rn}/${v} ${(samples[`${rn}/${v}`].at(-1) / 1000).toFixed(2)} s`).join(', ')).join('; ')}`);
  }
  const rows = [];
  for (const runner of runners) {
    for (const variant of variantsOf(runner)) {
      const base = median(samples[`${runner}/${BASELINE_OF[variant] ?? 'plain'}`]);
      const ms = median(samples[`${runner}/${variant}`]);
      const events = raw.filter((r) => r.runner === runner && r.variant === variant && r.events !== undefined).map((r) => r.events);
      rows.push({ runner, variant, ms, ratio: ms / base, target: variant === 'vivarium' ? SUITE_TARGETS[runner] : undefined, note: SETUP_NOTES[variant] ?? (variant === 'linked' ? 'setup file and @vivarium/core loaded from the workspace symlinks: Vite inlines them' : variant === 'provenance' ? 'with VIVARIUM_PROVENANCE=1: every event attributed to its JS call site' : variant === 'no-uprobes' ? 'vivariumd --no-uprobes: no env, load or TLS uprobes (their kinds unavailable)' : undefined), events: events.length ? median(events) : undefined, n: samples[`${runner}/${variant}`].length });
    }
  }
  return { suite: { files: suite.files, tests: suite.tests, total: suite.total, installed: suite.installed }, jest, samples, raw, contamination, medians: rows };
}
