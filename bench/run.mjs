#!/usr/bin/env node
// npm run bench: Vivarium's overhead against the alternatives, as ratios to
// baselines measured in the same run, medians of interleaved rounds.
//   micro    open+close (1 and 2 processes), exec, connect loops: detached /
//            floor / unregistered / registered
//   decode   Node drain+decode vs a C libbpf consumer of the same ring
//   suite    a generated suite under Vitest (and Jest when installed):
//            plain / with Vivarium / under strace
//   thirdparty  a real suite from the registry (zod's, pinned): plain / with
//            Vivarium / under strace
//   profile  causes: BPF run time per program, perf top symbols, decoder
//            self time, set-up cost
// Env: BENCH_ROUNDS, BENCH_ITERATIONS, BENCH_QUICK=1, BENCH_ONLY=micro,decode,suite,thirdparty,profile,
// BENCH_SUITE_ROUNDS, BENCH_DECODE_EVENTS, BENCH_SUITE_FILES, BENCH_SUITE_TESTS,
// BENCH_RING_SIZE, BENCH_PERF=0, BENCH_PUBLISH=1|0, BENCH_WORKLOADS=getenv,open×1 (micro rows). Root only. See BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BENCH, BUILD, FLOOR_OBJECT, REPO, ensureBuildDir, foreignHooks, readOptions, run, warnIfContaminated } from './lib.mjs';
import { runMicro } from './micro.mjs';
import { runDecode } from './decode.mjs';
import { runSuite } from './suite.mjs';
import { runThirdParty } from './thirdparty.mjs';
import { runProfile } from './profile.mjs';
import { renderMarkdown, renderText } from './report.mjs';
import { renderSvg } from './plot.mjs';

const log = (line) => process.stderr.write(`${line}\n`);

function preflight() {
  if (process.getuid() !== 0) throw new Error('bench: run as root (it loads BPF programs)');
  if (!existsSync('/sys/fs/bpf/') || !run('stat', ['-f', '-c', '%T', '/sys/fs/bpf']).includes('bpf'))
    throw new Error('bench: bpffs is not mounted (mount -t bpf bpf /sys/fs/bpf)');
  if (!existsSync(`${REPO}packages/daemon/bpf/syscalls.bpf.o`) || !existsSync(`${REPO}packages/core/dist/index.js`))
    throw new Error('bench: build first (npm run build)');
  run('make', ['-s', '-C', `${REPO}bpf`, 'build/floor.bpf.o']);
  if (!existsSync(FLOOR_OBJECT)) throw new Error(`bench: ${FLOOR_OBJECT} was not built`);
}

function version(pkg) {
  try {
    return JSON.parse(readFileSync(`${REPO}node_modules/${pkg}/package.json`, 'utf8')).version;
  } catch {
    return undefined;
  }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: cpus().length,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: run('uname', ['-r']).trim(),
    node: process.version,
    vitest: version('vitest'),
    jest: version('jest'),
  };
}

/** Unique foreign programs seen at any check during the run. */
function uniqueHooks(lists) {
  const seen = new Map();
  for (const h of lists.flat()) seen.set(h.progId, h);
  return [...seen.values()];
}

const RESULTS_START = '<!-- bench:results:start -->';
const RESULTS_END = '<!-- bench:results:end -->';

function publish(report, markdown, svg) {
  writeFileSync(`${BENCH}overhead.svg`, svg);
  const docPath = `${REPO}BENCHMARKS.md`;
  if (!existsSync(docPath)) return;
  const doc = readFileSync(docPath, 'utf8');
  const a = doc.indexOf(RESULTS_START);
  const b = doc.indexOf(RESULTS_END);
  if (a < 0 || b < a) return log('bench: BENCHMARKS.md has no results markers; not updated');
  writeFileSync(docPath, `${doc.slice(0, a + RESULTS_START.length)}\n${markdown}\n${doc.slice(b)}`);
  log('bench: updated bench/overhead.svg and the results in BENCHMARKS.md');
}

/** `node bench/run.mjs --render`: re-renders the report, plot and results from bench/last-run.json. */
function render() {
  const report = JSON.parse(readFileSync(`${BENCH}last-run.json`, 'utf8'));
  ensureBuildDir();
  const markdown = renderMarkdown(report);
  const svg = renderSvg(report);
  console.log(renderText(report));
  writeFileSync(`${BUILD}overhead.svg`, svg);
  writeFileSync(`${BUILD}results.md`, `${markdown}\n`);
  if (process.env.BENCH_PUBLISH === '1') publish(report, markdown, svg);
}

async function main() {
  if (process.argv.includes('--render')) return render();
  const options = readOptions();
  preflight();
  ensureBuildDir();
  const atStart = foreignHooks();
  warnIfContaminated(atStart, 'at start');
  const report = { date: new Date().toISOString(), options, machine: machine(), contaminated: [] };
  const sections = { micro: runMicro, decode: runDecode, suite: runSuite, thirdparty: runThirdParty, profile: runProfile };
  for (const name of options.sections) {
    log(`== ${name}`);
    report[name] = await sections[name](options, log);
  }
  report.contaminated = uniqueHooks([atStart, foreignHooks(), ...options.sections.map((s) => report[s]?.contamination ?? [])]);

  const text = renderText(report);
  const markdown = renderMarkdown(report);
  const svg = renderSvg(report);
  console.log(`\nVivarium benchmarks — ${report.machine.cpu} × ${report.machine.nproc}, Linux ${report.machine.kernel}, Node ${process.version}${options.quick ? ' (BENCH_QUICK)' : ''}`);
  console.log(text);
  writeFileSync(`${BENCH}last-run.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${BUILD}overhead.svg`, svg);
  writeFileSync(`${BUILD}results.md`, `${markdown}\n`);
  const full = options.sections.length === 5 && !options.quick;
  if (options.publish === '1' || (options.publish !== '0' && full)) publish(report, markdown, svg);
  console.log('\nraw samples: bench/last-run.json; plot: bench/build/overhead.svg; Markdown: bench/build/results.md');
  warnIfContaminated(report.contaminated, 'during this run');
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
