// Sharded runs across machines: each shard runs `--shard=i/2` against a
// daemon of its own (its own pin dir and socket) with its own HOME and
// TMPDIR, as two CI machines would; `vivarium merge` joins the reports,
// keeping each run (backend, runner and Vivarium versions, host, tokens),
// and `vivarium check --policy` judges each file with its own run's <tmp>
// and <home>. Under Vitest and Jest.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RUNNER_FILE, type Report } from '@vivarium/core';
import { type Daemon, autoBackend, startDaemon } from '../helpers/daemon.js';
import { REPO, skipKernelTests } from '../helpers/kernel.js';

const skip = skipKernelTests();
const VIVARIUM = join(REPO, 'packages/core/bin/vivarium.js');
const SHARDS = [1, 2].map((i) => ({ i, pinDir: `/sys/fs/bpf/vivarium-e2e-ci-shard-${i}` }));
const RUNNERS = {
  vitest: (shard: number) => [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', `--shard=${shard}/2`],
  jest: (shard: number) => [join(REPO, 'node_modules/jest/bin/jest.js'), '--ci', `--shard=${shard}/2`],
} as const;

const vivarium = (args: string[], cwd: string) => spawnSync(process.execPath, [VIVARIUM, ...args], { cwd, encoding: 'utf8' });
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;

describe.skipIf(skip)('sharded runs from two daemons and two environments, merged', () => {
  const root = mkdtempSync(join(tmpdir(), 'vivarium-shards-'));
  const project = join(root, 'project');
  const machines = SHARDS.map(({ i, pinDir }) => ({ i, pinDir, home: join(root, `home-${i}`), tmp: join(root, `tmp-${i}`) }));
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    cpSync(join(REPO, 'test/e2e/fixtures/shard-project'), project, { recursive: true });
    // A user's configs: the setup file (or environment) and the reporter.
    for (const config of ['vitest.config.mjs', 'jest.config.cjs']) copyFileSync(join(REPO, 'test/e2e/fixtures/policy-project', config), join(project, config));
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    for (const m of machines) {
      mkdirSync(m.tmp, { recursive: true });
      mkdirSync(m.home, { recursive: true });
      writeFileSync(join(m.home, '.shardrc'), `shard ${m.i}`);
      daemons.push(await startDaemon(m.pinDir, ['--rings', '8', '--ring-size', String(1 << 20)]));
    }
    for (const [runner, argv] of Object.entries(RUNNERS))
      for (const m of machines) {
        const run = spawnSync(process.execPath, argv(m.i), {
          cwd: project,
          env: { ...process.env, VIVARIUM_BPF_PIN_DIR: m.pinDir, HOME: m.home, TMPDIR: m.tmp, FORCE_COLOR: '0' },
          encoding: 'utf8',
          timeout: 120_000,
        });
        if (run.status !== 0) throw new Error(`${runner} shard ${m.i} failed:\n${run.stdout}${run.stderr}`);
        copyFileSync(join(project, 'vivarium-report.json'), join(root, `${runner}-${m.i}.json`));
      }
  }, 300_000);

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test.each(Object.keys(RUNNERS))('%s: each shard ran one file against its own daemon, with its own HOME and TMPDIR', (runner) => {
    const reports = machines.map((m) => read(join(root, `${runner}-${m.i}.json`)));
    const testFiles = (r: Report) => r.files.filter((f) => f.file !== RUNNER_FILE);
    expect(reports.map((r) => [r.tokens.home, r.tokens.tmp, r.vivarium.backend, testFiles(r).length])).toEqual(machines.map((m) => [m.home, m.tmp, autoBackend(), 1]));
    // The events are the daemons': the temp file each test wrote, under its own shard's TMPDIR.
    for (const [n, r] of reports.entries()) {
      const file = testFiles(r)[0]!;
      expect(file.tests[0]!.events.map((e) => e.subject)).toContain(join(machines[n]!.tmp, `out-${file.file[0]}.txt`));
    }
  });

  test.each(Object.keys(RUNNERS))('%s: vivarium merge keeps each run; check judges each file with its run’s tokens', (runner) => {
    const shards = machines.map((m) => join(root, `${runner}-${m.i}.json`));
    const merged = join(root, `${runner}-merged.json`);
    expect(vivarium(['merge', ...shards, '-o', merged], root).status).toBe(0);
    const report = read(merged);
    const own = shards.map(read);
    expect(report.shards!.map((s) => [s.runner, s.vivarium, s.tokens, s.host])).toEqual(own.map((r) => [r.runner, r.vivarium, r.tokens, r.host]));
    const files = report.files.filter((f) => f.file !== RUNNER_FILE);
    expect(files.map((f) => [f.file, f.shard, f.tests.filter((t) => !t.scope).map((t) => [t.status, t.line])])).toEqual([
      ['a.test.cjs', files[0]!.shard, [['passed', 7]]],
      ['b.test.cjs', files[1]!.shard, [['passed', 7]]],
    ]);
    expect(new Set(files.map((f) => f.shard))).toEqual(new Set([0, 1]));
    // Each run's own runner record, with its run.
    expect(report.files.filter((f) => f.file === RUNNER_FILE).map((f) => f.shard).sort()).toEqual([0, 1]);
    const check = vivarium(['check', merged, '--policy', 'shards.policy.json'], project);
    expect(check.stdout.trim(), check.stderr).toBe('vivarium check: 2 tests, no violations (policy: shards.policy.json)');
    expect(check.status).toBe(0);
    // Without its runs, the merged report is judged with the first run's tokens: the other run's files break the policy.
    const flat = join(root, `${runner}-flat.json`);
    writeFileSync(flat, JSON.stringify({ ...report, shards: undefined, files: report.files.map((f) => ({ ...f, shard: undefined })) }));
    const unfair = vivarium(['check', flat, '--policy', 'shards.policy.json'], project);
    expect(unfair.status).toBe(1);
    expect(unfair.stdout).toMatch(/not in allow\.(write|read)/);
  });

  test('vitest and jest shards merged together: four runs, each with its runner', () => {
    const merged = join(root, 'all.json');
    const inputs = Object.keys(RUNNERS).map((r) => join(root, `${r}-merged.json`));
    expect(vivarium(['merge', ...inputs, '-o', merged], root).status).toBe(0);
    const report = read(merged);
    expect(report.runner.name).toBe('merged');
    expect(report.shards!.map((s) => [s.runner.name, s.tokens.home])).toEqual([
      ['vitest', machines[0]!.home],
      ['vitest', machines[1]!.home],
      ['jest', machines[0]!.home],
      ['jest', machines[1]!.home],
    ]);
    expect(vivarium(['check', merged, '--policy', 'shards.policy.json'], project).status).toBe(0);
    const summary = vivarium(['summary', merged], project).stdout;
    expect(summary).toContain('### Runs merged (4)');
    expect(summary).toContain('| `<tmp>/out-a.txt` | 2 | 2 |');
  });
});
