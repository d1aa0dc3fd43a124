// Run-wide policy end to end: a fresh project outside the repo, the real
// daemon, real Vitest runs; enforce, audit, reports, learn, check.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '@vivarium/core';
import { REPO, skipKernelTests } from '../helpers/kernel.js';

const skip = skipKernelTests();
const VIVARIUM = join(REPO, 'packages/core/bin/vivarium.js');

function freshProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-policy-project-'));
  cpSync(join(REPO, 'test/e2e/fixtures/policy-project'), dir, { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const RUNNERS = {
  vitest: [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run'],
  jest: [join(REPO, 'node_modules/jest/bin/jest.js'), '--ci'],
} as const;

function runTests(runner: keyof typeof RUNNERS, dir: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [...RUNNERS[runner]], {
    cwd: dir,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const report = JSON.parse(readFileSync(join(dir, 'vivarium-report.json'), 'utf8')) as Report;
  return { code: run.status, output: `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''), report };
}

/** The tests alone (no file's record outside its tests, no runner's record). */
const testsOf = (report: Report) => report.files.flatMap((f) => f.tests.filter((t) => !t.scope));

describe.skipIf(skip).each(['vitest', 'jest'] as const)('policy under %s', (runner) => {
  let dir: string;
  beforeAll(() => {
    dir = freshProject();
  });
  const vitest = (d: string, env: Record<string, string> = {}) => runTests(runner, d, env);

  test('enforce: an allowed test passes, a write outside the globs fails naming the rule', () => {
    const run = vitest(dir, { VIVARIUM_POLICY: 'enforce.policy.json' });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/✓ reads its input and writes its output inside the project/);
    expect(run.output).toMatch(/writes a scratch file in a temp dir/);
    expect(run.output).toContain('vivarium policy (');
    expect(run.output).toMatch(/open \(write\+create\+truncate\) \/tmp\/vivarium-policy-\w+\/scratch.txt: not in allow.write/);
    const tests = testsOf(run.report);
    expect(tests.map((t) => [t.name, t.status, t.violations.length])).toEqual([
      ['reads its input and writes its output inside the project', 'passed', 0],
      ['writes a scratch file in a temp dir', 'failed', 2], // mkdtemp's mkdir and the write
      ['reads the password file (new behaviour)', 'skipped', 0],
    ]);
    expect(run.report.policy).toMatchObject({ mode: 'enforce' });
  });

  test('audit: every test passes and the report keeps the violation', () => {
    const run = vitest(dir, { VIVARIUM_POLICY: 'audit.policy.json' });
    expect(run.code, run.output).toBe(0);
    const scratch = testsOf(run.report).find((t) => t.name.startsWith('writes a scratch'))!;
    expect(scratch.violations).toEqual([
      expect.objectContaining({ rule: 'write', kind: 'mkdir' }),
      expect.objectContaining({ rule: 'write', kind: 'file_open' }),
    ]);
  });

  test('the JSON and HTML reports list every test with its events', () => {
    const run = vitest(dir);
    expect(run.code, run.output).toBe(0);
    expect(run.report).toMatchObject({ runner: { name: runner }, vivarium: { backend: expect.stringMatching(/syscalls|lsm/) } });
    const first = testsOf(run.report)[0]!;
    expect(first.events).toContainEqual(expect.objectContaining({ kind: 'file_open', subject: join(dir, 'data/input.txt'), detail: 'read' }));
    expect(first.events).toContainEqual(expect.objectContaining({ kind: 'mkdir', subject: join(dir, 'out') }));
    const html = readFileSync(join(dir, 'vivarium-report.html'), 'utf8');
    expect(html).toContain('reads its input and writes its output inside the project');
  });

  test('learn: the learned policy passes the same run, and a new out-of-policy open fails', () => {
    vitest(dir);
    const learned = join(dir, 'learned.policy.json');
    const learn = spawnSync(process.execPath, [VIVARIUM, 'learn', join(dir, 'vivarium-report.json'), '-o', learned], { encoding: 'utf8' });
    expect(learn.status, learn.stderr).toBe(0);
    const policy = JSON.parse(readFileSync(learned, 'utf8'));
    expect(policy.allow.write).toEqual(expect.arrayContaining(['<tmp>/**']));
    expect(JSON.stringify(policy)).not.toMatch(/"\/\*\*"|"\/etc\/\*\*"/);

    const again = vitest(dir, { VIVARIUM_POLICY: learned });
    expect(again.code, again.output).toBe(0);

    const extra = vitest(dir, { VIVARIUM_POLICY: learned, EXTRA: '1' });
    expect(extra.code).toBe(1);
    expect(extra.output).toContain('open (read) /etc/passwd: not in allow.read');
  });

  test('check: the gate exits non-zero on violations with a readable summary, zero when clean', () => {
    vitest(dir, { VIVARIUM_POLICY: 'audit.policy.json' });
    const report = join(dir, 'vivarium-report.json');
    const gate = spawnSync(process.execPath, [VIVARIUM, 'check', report, '--policy', join(dir, 'enforce.policy.json')], { encoding: 'utf8' });
    expect(gate.status).toBe(1);
    expect(gate.stdout).toMatch(/vivarium check: 2 violation\(s\) in 1 of 3 tests/);
    expect(gate.stdout).toContain('writes a scratch file in a temp dir');
    const clean = spawnSync(process.execPath, [VIVARIUM, 'check', report, '--policy', join(dir, 'audit.policy.json')], { encoding: 'utf8' });
    expect(clean.status, clean.stdout).toBe(0);
    expect(existsSync(report)).toBe(true);
  });

  test('merge: shard reports join into one', () => {
    const a = vitest(dir, { VIVARIUM_POLICY: 'audit.policy.json' });
    expect(a.report.totals.tests).toBe(3);
    const merged = join(dir, 'merged.json');
    const first = join(dir, 'shard-1.json');
    const second = join(dir, 'shard-2.json');
    cpSync(join(dir, 'vivarium-report.json'), first);
    cpSync(join(dir, 'vivarium-report.json'), second);
    const run = spawnSync(process.execPath, [VIVARIUM, 'merge', first, second, '-o', merged], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(merged, 'utf8')) as Report;
    expect(report.totals.tests).toBe(6);
  });
});
