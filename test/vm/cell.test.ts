// One cell of the VM matrix, run inside the VM by test/vm/matrix.mjs (never
// on the host): start vivariumd with the cell's backend on a pin dir of its
// own, check that status reports it (and, for lsm, that `--backend auto`
// picks lsm), run the selected shared scenarios plus the canary under every
// runner test/e2e/runners.ts exports, and run the differential probe. What
// the host needs (probe events, daemon logs, timings) goes to the results
// share; this file's JSON report is the cell's result.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as e2e from '../e2e/runners.js';
import type { RunResult, Runner } from '../e2e/runners.js';
import { startDaemon, vivariumd } from '../helpers/daemon.js';
import { REPO } from '../helpers/kernel.js';

const env = process.env;
if (env.VIVARIUM_IN_VM !== '1') throw new Error('test/vm/cell.test.ts runs inside the VM only (node test/vm/matrix.mjs)');
const backend = env.VIVARIUM_VM_BACKEND ?? '';
const results = env.VIVARIUM_VM_RESULTS ?? '';
const scenarios = (env.VIVARIUM_VM_SCENARIOS ?? '').split(',').filter(Boolean);
const kernel = env.VIVARIUM_VM_KERNEL;
const PIN = `/sys/fs/bpf/vivarium-lsm-matrix-${backend}`;
const PIN_AUTO = '/sys/fs/bpf/vivarium-lsm-matrix-auto';
const CANARY = 'vm-canary.test.cjs';
const objectArgs = env.VIVARIUM_VM_OBJECT ? ['--object', env.VIVARIUM_VM_OBJECT] : [];

const isRunner = (value: unknown): value is Runner =>
  typeof value === 'object' && value !== null && typeof (value as Runner).name === 'string' && typeof (value as Runner).run === 'function';
const runners = Object.values(e2e).filter(isRunner);

const timings: Record<string, number> = {};
async function timed<T>(step: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[step] = Date.now() - t0;
    process.stderr.write(`[cell ${backend}] ${step}: ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  }
}
const statusOf = (pinDir: string) => JSON.parse(vivariumd(['status', '--json', '--pin-dir', pinDir])) as { backend: string; hooks: string[] };

/** The selected scenario files, their lib, and the canary, in a dir of the VM's overlay. */
function cellDir(): string {
  const source = join(REPO, 'test/e2e/scenarios');
  const dir = join(REPO, 'test/vm/cell-scenarios');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(source, 'lib'), join(dir, 'lib'), { recursive: true });
  const all = readdirSync(source).filter((f) => f.endsWith('.test.cjs'));
  const picked = scenarios.includes('all') ? all : all.filter((f) => scenarios.some((s) => f.startsWith(s)));
  for (const file of picked) cpSync(join(source, file), join(dir, file));
  cpSync(join(REPO, 'test/vm/canary.test.cjs'), join(dir, CANARY));
  return dir;
}

let fatal: Error | undefined;
let auto: { log: string; backend: string } | undefined;
let status: { backend: string; hooks: string[] } | undefined;
let files: string[] = [];
const runs: Array<{ name: string; run: RunResult }> = [];
let probe: { code: number | null; events: Record<string, { dropped: number; blind?: Record<string, unknown>; events: string[] }> | undefined; stderr: string } | undefined;
const daemonLogs: Record<string, string> = {};

try {
  if (!backend || !results) throw new Error('VIVARIUM_VM_BACKEND and VIVARIUM_VM_RESULTS must be set (node test/vm/matrix.mjs sets them)');
  if (backend === 'lsm') {
    // auto must pick lsm here: probed by loading, the kernel accepts it.
    const d = await timed('vivariumd --backend auto', () => startDaemon(PIN_AUTO, ['--backend', 'auto', '--rings', '2', ...objectArgs]));
    try {
      auto = { log: d.output(), backend: statusOf(PIN_AUTO).backend };
    } finally {
      await timed('vivariumd stop (auto)', () => d.stop());
      daemonLogs.auto = d.output();
    }
  }
  let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
  try {
    daemon = await timed(`vivariumd --backend ${backend}`, () => startDaemon(PIN, ['--backend', backend, '--rings', '16', ...objectArgs]));
    status = await timed('vivariumd status --json', () => statusOf(PIN));
    const dir = cellDir();
    files = readdirSync(dir).filter((f) => f.endsWith('.test.cjs'));
    for (const runner of runners) {
      const run = await timed(`${runner.name} scenarios`, () =>
        runner.run({ dir, env: { VIVARIUM_BPF_PIN_DIR: PIN, VIVARIUM_E2E_BACKEND: backend, VIVARIUM_EVADE: `${REPO}test/e2e/evasion/build/evade` } }),
      );
      runs.push({ name: runner.name, run });
      writeFileSync(join(results, `${runner.name}.log`), run.output);
    }
    const p = await timed('probe', () =>
      spawnSync(process.execPath, [join(REPO, 'test/vm/probe.mjs')], {
        cwd: REPO,
        env: { ...env, VIVARIUM_BPF_PIN_DIR: PIN },
        encoding: 'utf8',
        timeout: 600_000,
      }),
    );
    let events;
    try {
      events = JSON.parse(p.stdout);
    } catch {
      events = undefined;
    }
    probe = { code: p.status, events, stderr: p.stderr };
    writeFileSync(join(results, 'probe.json'), p.stdout);
  } finally {
    if (daemon) await timed(`vivariumd stop`, () => daemon!.stop());
    if (daemon) daemonLogs[backend] = daemon.output();
  }
} catch (err) {
  fatal = err as Error;
} finally {
  if (results) {
    for (const [name, log] of Object.entries(daemonLogs)) writeFileSync(join(results, `vivariumd-${name}.log`), log);
    writeFileSync(join(results, 'timings.json'), JSON.stringify(timings, null, 1));
  }
}

describe(`${backend} backend on ${kernel}`, () => {
  test('the cell ran to the end (daemon started, runners ran, probe ran)', () => {
    if (fatal) throw fatal;
    expect(runners.map((r) => r.name)).toContain('vitest');
  });

  test(`vivariumd status --json reports the ${backend} backend`, () => {
    expect(status?.backend).toBe(backend);
    if (backend === 'lsm') expect(status?.hooks.some((h) => h.startsWith('viv_lsm_file_open'))).toBe(true);
  });

  // bpf_rdonly_cast is 6.2+: Debian's 6.1 walks paths by helper reads, 6.12 by direct loads.
  test('vivariumd walks paths by direct loads where the kernel has bpf_rdonly_cast, by helper reads before', () => {
    const [major = 0, minor = 0] = release().split('.').map(Number);
    const direct = major > 6 || (major === 6 && minor >= 2);
    expect(daemonLogs[backend]).toContain(direct ? 'paths: walked by direct loads (bpf_rdonly_cast)' : 'paths: walked by helper reads (this kernel has no bpf_rdonly_cast, 6.2+)');
  });

  if (backend === 'lsm')
    test('vivariumd --backend auto picks lsm here and says why', () => {
      expect(auto?.backend).toBe('lsm');
      expect(auto?.log).toContain('backend lsm: the kernel loaded and attached the BPF LSM programs');
    });

  test('every scenario asked for exists (an empty selection is not a pass)', () => {
    const shared = files.filter((f) => f !== CANARY);
    expect(shared.length).toBeGreaterThan(0);
    if (!scenarios.includes('all')) for (const s of scenarios) expect(shared.some((f) => f.startsWith(s)), `no scenario file starts with '${s}'`).toBe(true);
  });

  test('the differential probe ran without losing events, every window seeing', () => {
    expect(probe?.code, probe?.stderr).toBe(0);
    const cases = Object.entries(probe?.events ?? {});
    expect(cases.length).toBeGreaterThan(20);
    expect(cases.filter(([, c]) => c.dropped > 0).map(([name]) => name)).toEqual([]);
    expect(cases.filter(([, c]) => c.blind).map(([name, c]) => `${name}: ${JSON.stringify(c.blind)}`)).toEqual([]);
    // Empty results would agree with nothing but themselves: the plainest case must be seen.
    expect(probe?.events?.['open: read']?.events.join('\n')).toContain('"path":"/etc/hostname"');
  });

  describe.each(runs.map((r) => [r.name, r.run] as const))('%s', (_name, run) => {
    test('every selected scenario file ran, the canary included', () => {
      expect([...new Set(run.results.map((r) => r.file))].sort(), run.output).toEqual([...files].sort());
    });

    test('the deliberate failure (vm canary) failed inside the VM, naming the file', () => {
      const canary = run.results.find((r) => r.file === CANARY);
      expect(canary?.status, run.output).toBe('failed');
      expect(canary?.failure).toContain('/etc/hostname');
    });

    const shared = run.results.filter((r) => r.file !== CANARY);
    test.each(shared.map((r) => [`${r.file} › ${r.title}`, r] as const))('%s', (_label, r) => {
      const { fails, mentions } = e2e.expectationOf(r.title);
      if (!fails) {
        expect(r.status, r.failure).toBe('passed');
        return;
      }
      expect(r.status, 'a FAILS[…] scenario must fail').toBe('failed');
      for (const mention of mentions) expect(r.failure).toContain(mention);
    });
  });
});
