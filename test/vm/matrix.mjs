#!/usr/bin/env node
// The VM matrix: {syscalls, lsm} × Debian's 6.1 and 6.12 kernels. Each cell
// boots the kernel under qemu (test/vm/vm.mjs) and runs test/vm/cell.test.ts
// there with the real Vitest: vivariumd with the cell's backend, its status,
// the shared e2e scenarios under every runner of test/e2e/runners.ts, the
// deliberate failure, the differential probe, and the reliability suite's
// attacks on the trust model (attacks, tamper, unprivileged). Back on the host, each
// kernel's two probe results are compared: the backends must report the same
// events. See test/vm/README.md.
//
//   node test/vm/matrix.mjs [--kernels 6.1,6.12] [--backends syscalls,lsm]
//        [--scenarios all|opens,kinds,...] [--parallel 2]
//        [--timeout SEC] [--out DIR] [--summary FILE] [--object PATH] [--verbose]
//
// Exit 0 when every cell passed; --summary writes one Jest-shaped aggregate
// report (numPassedTests, numFailedTests, …) of every cell and comparison.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUEST_OUT_DIR, KERNELS, VmError, ensureKernel, runInVm } from './vm.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULTS = {
  kernels: ['6.1', '6.12'],
  backends: ['syscalls', 'lsm'],
  // Every scenario file (the 4 cells on 2 cores: 18-44 min). To focus (TCG
  // runs Node ~20× slower): kinds covers every event kind, opens the failed
  // and relative attempts, children fork/exec/exit attribution.
  scenarios: ['all'],
  parallel: 2,
  // Per cell. A cell took 460-640 s on the machine of an earlier CI run and
  // 1100-1510 s on another, where the daemon alone needed 30-60 s to start.
  timeoutSec: 2400,
};

function parseArgs(argv) {
  const opts = { ...DEFAULTS, verbose: false };
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new VmError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--kernels') opts.kernels = list(value());
    else if (a === '--backends') opts.backends = list(value());
    else if (a === '--scenarios') opts.scenarios = list(value());
    else if (a === '--parallel') opts.parallel = Number(value());
    else if (a === '--timeout') opts.timeoutSec = Number(value());
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--summary') opts.summary = path.resolve(value());
    else if (a === '--object') opts.object = path.resolve(value());
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new VmError(`unknown option ${a} (see --help)`);
  }
  for (const k of opts.kernels) if (!KERNELS[k] && !k.startsWith('linux-image-')) throw new VmError(`unknown kernel ${k} (${Object.keys(KERNELS).join(', ')})`);
  for (const b of opts.backends) if (b !== 'syscalls' && b !== 'lsm') throw new VmError(`unknown backend ${b} (syscalls, lsm)`);
  if (!(opts.parallel >= 1)) throw new VmError('--parallel must be at least 1');
  if (!(opts.timeoutSec > 0)) throw new VmError('--timeout must be a positive number of seconds');
  return opts;
}

const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
const assertion = (title, status, failureMessages = [], ancestorTitles = []) => ({
  ancestorTitles,
  fullName: [...ancestorTitles, title].join(' '),
  title,
  status,
  failureMessages,
});

/** Runs one cell; never throws: harness failures become failed assertions. */
async function runCell(kernel, backend, opts, log) {
  const name = `${kernel}/${backend}`;
  const dir = path.join(opts.out, `${kernel}-${backend}`);
  fs.mkdirSync(dir, { recursive: true });
  const cellLog = fs.openSync(path.join(dir, 'output.log'), 'w');
  const t0 = Date.now();
  const cell = { kernel, backend, name, dir, harness: [], report: undefined, probe: undefined, timings: {}, wallMs: 0 };
  try {
    const r = await runInVm({
      kernel,
      cwd: REPO,
      // A checkout under /tmp (CI clones anywhere) must stay visible in the guest.
      tmp: REPO.startsWith('/tmp/') ? 'host' : 'empty',
      timeoutSec: opts.timeoutSec,
      logPath: path.join(dir, 'console.log'),
      env: {
        VIVARIUM_VM_BACKEND: backend,
        VIVARIUM_TEST_BACKEND: backend,
        VIVARIUM_VM_RESULTS: GUEST_OUT_DIR,
        VIVARIUM_VM_SCENARIOS: opts.scenarios.join(','),
        ...(opts.object ? { VIVARIUM_VM_OBJECT: opts.object } : {}),
      },
      command: [
        process.execPath,
        path.join(REPO, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        path.join(REPO, 'test/vm/vitest.cell.config.mjs'),
        '--reporter=json',
        `--outputFile=${GUEST_OUT_DIR}/report.json`,
      ],
      onLine: (line, kind) => {
        fs.writeSync(cellLog, `${kind === 'vm' ? '[vm] ' : ''}${line}\n`);
        if (opts.verbose || /^\[cell /.test(line)) log(`[${name}] ${line}`);
      },
    });
    cell.vm = { code: r.code, release: r.release, timings: r.timings, outDir: r.outDir };
    for (const file of fs.readdirSync(r.outDir)) fs.copyFileSync(path.join(r.outDir, file), path.join(dir, file));
    fs.rmSync(r.outDir, { recursive: true, force: true }); // everything is in `dir` now
    const read = (file) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      } catch {
        return undefined;
      }
    };
    cell.report = read('report.json');
    cell.probe = read('probe.json');
    cell.timings = read('timings.json') ?? {};
    const rep = cell.report;
    // The harness must not report green on a crashed or empty run.
    if (!rep) cell.harness.push(assertion('the cell wrote its report', 'failed', [`no report.json; exit ${r.code}; see ${path.join(dir, 'output.log')}`]));
    else if (!(rep.numTotalTests > 0)) cell.harness.push(assertion('the cell ran tests', 'failed', [`the report holds no tests (${rep.testResults?.[0]?.message ?? 'no message'})`]));
    else if ((r.code === 0) !== (rep.numFailedTests === 0 && rep.success !== false))
      cell.harness.push(assertion('the cell exit status agrees with its report', 'failed', [`vitest exited ${r.code} with ${rep.numFailedTests} failed tests`]));
    else cell.harness.push(assertion(`the VM booted ${r.release} and the cell reported`, 'passed'));
  } catch (err) {
    const message = err instanceof VmError ? `vm.mjs: ${err.message}` : err.stack;
    cell.harness.push(assertion('the VM ran the cell', 'failed', [message]));
  } finally {
    fs.closeSync(cellLog);
    cell.wallMs = Date.now() - t0;
  }
  return cell;
}

/** Per kernel: the probe's events under lsm equal those under syscalls (superset where marked). */
function compareProbes(kernel, cells) {
  const by = Object.fromEntries(cells.filter((c) => c.kernel === kernel).map((c) => [c.backend, c.probe]));
  const title = `backends agree on ${kernel}`;
  if (!by.syscalls || !by.lsm) return [assertion(`${title}: both probes ran`, 'failed', ['a probe result is missing (see the cells)'], ['probe'])];
  const out = [];
  for (const name of Object.keys(by.syscalls)) {
    const s = by.syscalls[name];
    const l = by.lsm[name];
    if (!l) {
      out.push(assertion(name, 'failed', ['missing under lsm'], ['probe', kernel]));
      continue;
    }
    // Where lsm sees more, syscalls says what it could not see instead.
    const missing = multisetMinus(s.events, l.events).filter((e) => !(s.lsmSeesMore && JSON.parse(e).kind === 'unobservable'));
    const extra = multisetMinus(l.events, s.events);
    const problems = [];
    if (missing.length) problems.push(`seen by syscalls only:\n  ${missing.join('\n  ')}`);
    if (extra.length && !s.lsmSeesMore) problems.push(`seen by lsm only:\n  ${extra.join('\n  ')}`);
    if (s.lsmSeesMore && !extra.length) problems.push('lsm was expected to see more than syscalls here, and did not');
    const entry = assertion(name, problems.length ? 'failed' : 'passed', problems, ['probe', kernel]);
    if (s.lsmSeesMore && extra.length) entry.note = `lsm only: ${extra.join(' | ')}`;
    out.push(entry);
  }
  return out;
}

function multisetMinus(a, b) {
  const left = new Map();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(x) ?? 0;
    if (n === 0) return true;
    left.set(x, n - 1);
    return false;
  });
}

/** One Jest-shaped aggregate over every cell and comparison. */
function aggregate(cells, comparisons, startTime) {
  const testResults = cells.map((c) => {
    const inner = (c.report?.testResults ?? []).flatMap((f) =>
      f.assertionResults.map((a) => ({ ...a, ancestorTitles: [c.name, ...(a.ancestorTitles ?? [])] })),
    );
    const assertionResults = [...c.harness.map((h) => ({ ...h, ancestorTitles: [c.name] })), ...inner];
    const failed = assertionResults.some((a) => a.status === 'failed');
    return { name: `vm ${c.name}`, status: failed ? 'failed' : 'passed', message: '', startTime, endTime: Date.now(), assertionResults };
  });
  for (const [kernel, list] of comparisons)
    testResults.push({
      name: `vm ${kernel} probe: syscalls vs lsm`,
      status: list.some((a) => a.status === 'failed') ? 'failed' : 'passed',
      message: '',
      startTime,
      endTime: Date.now(),
      assertionResults: list,
    });
  const all = testResults.flatMap((f) => f.assertionResults);
  const count = (status) => all.filter((a) => a.status === status).length;
  const numFailedTests = count('failed');
  return {
    numTotalTestSuites: testResults.length,
    numPassedTestSuites: testResults.filter((f) => f.status === 'passed').length,
    numFailedTestSuites: testResults.filter((f) => f.status === 'failed').length,
    numPendingTestSuites: 0,
    numTotalTests: all.length,
    numPassedTests: count('passed'),
    numFailedTests,
    numPendingTests: count('skipped') + count('pending'),
    numTodoTests: count('todo'),
    startTime,
    success: numFailedTests === 0,
    testResults,
  };
}

/**
 * Where the guest kernel died at an int3 in its own text, if that is how the
 * cell's VM crashed. The kernel patches its text through a temporary int3
 * (text_poke_bp: a BPF trampoline attached while another vCPU runs the
 * function); under qemu's TCG a vCPU can still run the int3 after the patch
 * is done (seen once: bpf_lsm_file_open+0x5 while `sh` exec'd, 6.12). A race
 * of the emulator, not of what the cell tests: such a cell runs once more.
 */
function textPokeCrash(cell) {
  if (!cell.harness.some((a) => a.title === 'the VM ran the cell' && a.status === 'failed')) return undefined;
  let consoleLog;
  try {
    consoleLog = fs.readFileSync(path.join(cell.dir, 'console.log'), 'utf8');
  } catch {
    return undefined;
  }
  const oops = consoleLog.indexOf('Oops: int3');
  if (oops < 0) return undefined;
  return /RIP: 0010:(\S+)/.exec(consoleLog.slice(oops))?.[1];
}

async function pool(items, size, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function printSummary(cells, comparisons, totalMs, log) {
  log('');
  log('cell                 tests (pass/fail/skip)  boot    cell wall  steps');
  for (const c of cells) {
    const all = [...c.harness, ...(c.report?.testResults ?? []).flatMap((f) => f.assertionResults)];
    const n = (s) => all.filter((a) => a.status === s).length;
    const steps = Object.entries(c.timings).map(([k, v]) => `${k} ${secs(v)}`).join(', ');
    log(`${c.name.padEnd(20)} ${`${n('passed')}/${n('failed')}/${n('skipped') + n('pending')}`.padEnd(23)} ${(c.vm ? secs(c.vm.timings.bootMs) : '-').padEnd(7)} ${secs(c.wallMs).padEnd(10)} ${steps}`);
  }
  for (const [kernel, list] of comparisons) {
    const failed = list.filter((a) => a.status === 'failed');
    log(`probe ${kernel}: ${list.length - failed.length}/${list.length} cases agree between syscalls and lsm`);
    for (const a of list.filter((x) => x.note)) log(`  ${a.title}: ${a.note.slice(0, 400)}`);
  }
  for (const c of cells)
    for (const a of [...c.harness, ...(c.report?.testResults ?? []).flatMap((f) => f.assertionResults)].filter((x) => x.status === 'failed'))
      log(`FAILED ${c.name} › ${a.fullName ?? a.title}\n  ${(a.failureMessages ?? []).join('\n').split('\n').slice(0, 15).join('\n  ')}`);
  for (const [, list] of comparisons)
    for (const a of list.filter((x) => x.status === 'failed')) log(`FAILED ${a.fullName}\n  ${a.failureMessages.join('\n').split('\n').slice(0, 25).join('\n  ')}`);
  log(`total wall time ${secs(totalMs)}`);
}

async function main(argv) {
  const log = (line) => process.stdout.write(`${line}\n`);
  const opts = parseArgs(argv);
  if (opts.help) {
    log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return 0;
  }
  opts.out ??= fs.mkdtempSync(path.join(os.tmpdir(), 'vivarium-matrix-'));
  const startTime = Date.now();
  const writeSummary = (report) => {
    if (opts.summary) fs.writeFileSync(opts.summary, `${JSON.stringify(report, null, 1)}\n`);
  };
  try {
    const object = opts.object ?? path.join(REPO, 'packages/daemon/bpf');
    if (!fs.existsSync(object)) throw new VmError(`${object} missing (npm run build)`);
    if (!fs.existsSync(path.join(REPO, 'node_modules/vitest/vitest.mjs'))) throw new VmError('vitest is not installed (npm ci)');
    // The evasion scenarios' helper, built here: the guest sees the host's tree.
    execFileSync('make', ['-s', '-C', path.join(REPO, 'test/e2e/evasion')], { stdio: 'pipe' });
    const onPath = (bin) => (process.env.PATH || '').split(':').some((d) => d && fs.existsSync(path.join(d, bin)));
    if (!onPath('qemu-system-x86_64')) throw new VmError('qemu-system-x86_64 not found (apt-get install -y qemu-system-x86)');
    // Fetch and unpack every kernel first, once (cells of one kernel would race for it).
    for (const kernel of opts.kernels) ensureKernel(kernel, (m) => log(`[vm ${kernel}] ${m}`));
  } catch (err) {
    const message = err instanceof VmError ? err.message : err.stack;
    process.stderr.write(`matrix: ${message}\n`);
    writeSummary(aggregate([{ name: 'setup', harness: [assertion('the VM matrix can run here', 'failed', [message])], timings: {} }], [], startTime));
    return err.exitCode ?? 125;
  }
  const grid = opts.kernels.flatMap((kernel) => opts.backends.map((backend) => [kernel, backend]));
  log(`VM matrix: ${grid.map(([k, b]) => `${k}/${b}`).join(', ')}; scenarios ${opts.scenarios.join(', ')}; ${opts.parallel} at a time; results in ${opts.out}`);
  const cells = await pool(grid, opts.parallel, async ([kernel, backend]) => {
    let cell = await runCell(kernel, backend, opts, log);
    const poked = textPokeCrash(cell);
    if (poked) {
      log(`[${cell.name}] the guest kernel died at an int3 in its own text (${poked}: text being patched, under qemu's TCG): running the cell once more; the first run is in ${cell.dir}-crashed`);
      fs.rmSync(`${cell.dir}-crashed`, { recursive: true, force: true });
      fs.renameSync(cell.dir, `${cell.dir}-crashed`);
      cell = await runCell(kernel, backend, opts, log);
      cell.harness.push(assertion(`ran again after the guest kernel died patching its text (int3 in ${poked}, under qemu's TCG)`, 'passed'));
    }
    const failed = [...cell.harness, ...(cell.report?.testResults ?? []).flatMap((f) => f.assertionResults)].filter((a) => a.status === 'failed').length;
    log(`[${cell.name}] done in ${secs(cell.wallMs)}: ${failed ? `${failed} failed` : 'passed'} (${cell.dir})`);
    return cell;
  });
  const comparisons = opts.backends.includes('syscalls') && opts.backends.includes('lsm') ? opts.kernels.map((k) => [k, compareProbes(k, cells)]) : [];
  const report = aggregate(cells, comparisons, startTime);
  fs.writeFileSync(path.join(opts.out, 'summary.json'), `${JSON.stringify(report, null, 1)}\n`);
  writeSummary(report);
  printSummary(cells, comparisons, Date.now() - startTime, log);
  log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped (${path.join(opts.out, 'summary.json')})`);
  return report.success ? 0 : 1;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]])
    process.on(sig, () => {
      process.stderr.write(`matrix: interrupted by ${sig}; qemu killed\n`);
      process.exit(code);
    });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(err instanceof VmError ? `matrix: ${err.message}\n` : `matrix: internal error: ${err.stack}\n`);
      process.exitCode = err.exitCode ?? 125;
    },
  );
}
