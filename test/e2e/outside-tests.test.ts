// What runs outside every test is checked too: a test file's collection and
// its beforeAll hooks (the file's record, 'outside its tests'), and the
// runner's own process (globalSetup: the '(runner)' record). Each reads a file
// the policy does not allow while every test stays in the sandbox: the run
// must fail, naming the file and where it was read, and so must the CI gate.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '@vivarium/core';
import { REPO, skipKernelTests } from '../helpers/kernel.js';

const skip = skipKernelTests();
const VIVARIUM = join(REPO, 'packages/core/bin/vivarium.js');
const RUNNERS = {
  vitest: [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run'],
  jest: [join(REPO, 'node_modules/jest/bin/jest.js'), '--ci'],
} as const;

function run(runner: keyof typeof RUNNERS, evil: string, policy = 'vivarium.policy.json') {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-outside-tests-'));
  cpSync(join(REPO, 'test/e2e/fixtures/outside-tests-project'), dir, { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const result = spawnSync(process.execPath, [...RUNNERS[runner]], { cwd: dir, env: { ...process.env, EVIL: evil, VIVARIUM_POLICY: policy, FORCE_COLOR: '0' }, encoding: 'utf8', timeout: 120_000 });
  const reportFile = join(dir, 'vivarium-report.json');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const gate = spawnSync(process.execPath, [VIVARIUM, 'check', reportFile, '--policy', join(dir, policy)], { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''), report, gate };
}

const records = (report: Report) => report.files.flatMap((f) => f.tests.map((t) => ({ file: f.file, ...t })));

describe.skipIf(skip).each(['vitest', 'jest'] as const)('outside any test, under %s', (runner) => {
  test('a clean run: the records outside tests are there, and pass', () => {
    const { code, output, report, gate } = run(runner, '');
    expect(code, output).toBe(0);
    expect(records(report).map((r) => [r.file, r.name, r.scope, r.status, r.violations.length])).toEqual([
      ['(runner)', "the runner's own process", 'run', 'passed', 0],
      ['app.test.cjs', 'stays in the sandbox', undefined, 'passed', 0],
      ['app.test.cjs', 'outside its tests', 'file', 'passed', 0],
    ]);
    expect(report.totals.tests).toBe(1);
    expect(gate.status, gate.stdout).toBe(0);
  });

  test.each(['collect', 'hook'])('FAILS: a read while the file is %s-ing is the file\'s violation', (evil) => {
    const { code, output, report, gate } = run(runner, evil);
    expect(code).toBe(1);
    expect(output).toContain('violation(s) in this test file outside its tests');
    expect(output).toContain('open (read) /etc/hostname: not in allow.read');
    const outside = records(report).find((r) => r.scope === 'file')!;
    expect(outside).toMatchObject({ file: 'app.test.cjs', status: 'failed', violations: [expect.objectContaining({ rule: 'read', subject: '/etc/hostname' })] });
    // The test itself stayed in the sandbox.
    expect(records(report).find((r) => !r.scope)).toMatchObject({ status: 'passed', violations: [] });
    expect(gate.status).toBe(1);
    expect(gate.stdout).toContain('app.test.cjs outside its tests');
  });

  test("the runner's record is audited unless the policy says \"runner\": \"enforce\": reported, not failing", () => {
    const { code, output, report, gate } = run(runner, 'global', 'runner-audit.policy.json');
    expect(code, output).toBe(0);
    expect(records(report).find((r) => r.scope === 'run')).toMatchObject({ violations: [expect.objectContaining({ subject: '/etc/hostname' })] });
    expect(gate.status, gate.stdout).toBe(0);
    expect(gate.stdout).toContain('1 audited violation(s) not enforced');
  });

  test("FAILS: a read in globalSetup is the runner's own violation", () => {
    const { code, output, report, gate } = run(runner, 'global');
    expect(code).toBe(1);
    expect(output).toContain("violation(s) in the runner's own process");
    expect(output).toContain('open (read) /etc/hostname: not in allow.read');
    expect(records(report).find((r) => r.scope === 'run')).toMatchObject({
      file: '(runner)',
      status: 'failed',
      violations: [expect.objectContaining({ rule: 'read', subject: '/etc/hostname' })],
    });
    expect(gate.status).toBe(1);
    expect(gate.stdout).toContain("the runner's own process");
  });
});
