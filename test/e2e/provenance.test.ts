// Provenance end to end: with VIVARIUM_PROVENANCE=1, every offending event in
// a failure names the JS call site and npm package behind it, under both
// runners (the scenarios and their fixture dependencies: scenarios-provenance/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '@vivarium/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { jestRunner, vitestRunner, wrongOutcomes } from './runners.js';

const skip = skipKernelTests();

describe.skipIf(skip).each([vitestRunner, jestRunner])('$name adapter', (runner) => {
  test('failures name the package, its version and the file:line of the call', () => {
    const run = runner.run({ dir: 'scenarios-provenance', env: { VIVARIUM_PROVENANCE: '1' } });
    // Jest runs only the CommonJS file; Vitest also the TypeScript one (.test.mts).
    expect(run.results.length, run.output).toBe(runner.name === 'vitest' ? 11 : 10);
    expect(wrongOutcomes(run.results)).toEqual([]);
  }, 300_000);

  test('without provenance, no call sites are shown', () => {
    const run = runner.run({ dir: 'scenarios-provenance', files: ['provenance.test.cjs'], env: { VIVARIUM_PROVENANCE: '0' } });
    const failure = run.results.find((r) => r.title.includes('fixture-reader@1.2.8'))!.failure;
    expect(failure).toContain('/etc/hosts');
    expect(failure).not.toContain('fixture-reader@1.2.8');
  }, 300_000);
});

// A project with a policy that lets only one package read a file, and the reporter.
const PROJECT = join(REPO, 'test/e2e/fixtures/provenance-project');
const VIVARIUM = join(REPO, 'packages/core/bin/vivarium.js');
const COMMANDS = {
  vitest: [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(PROJECT, 'vitest.config.mjs')],
  jest: [join(REPO, 'node_modules/jest/bin/jest.js'), '--ci', '--config', join(PROJECT, 'jest.config.cjs')],
} as const;

describe.skipIf(skip).each(['vitest', 'jest'] as const)('report and policy per package under %s', (runner) => {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-provenance-'));
  const reportPath = join(dir, 'vivarium-report.json');
  let output = '';
  let code: number | null = null;
  beforeAll(() => {
    // Vitest: the environment variable; Jest: the environment's option (its config sets it).
    const env = { ...process.env, FORCE_COLOR: '0', VIVARIUM_E2E_REPORT: reportPath, VIVARIUM_PROVENANCE: runner === 'vitest' ? '1' : '0' };
    const run = spawnSync(process.execPath, [...COMMANDS[runner]], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
    output = `${run.stdout}${run.stderr}`;
    code = run.status;
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("only the package's own read is allowed; the test's read of the same file fails at its line", () => {
    expect(code, output).toBe(1);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const tests = report.files.flatMap((f) => f.tests.filter((t) => !t.scope));
    expect(tests.map((t) => [t.name, t.status])).toEqual([
      ['a dependency reads what its own allow-list allows', 'passed'],
      ["the test's own read of the same file is a violation", 'failed'],
    ]);
    expect(tests[1]!.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^open \(read\) \/etc\/hostname {2}at .*packages\.test\.cjs:10:6: not in allow\.read$/)]);
    const byPackage = tests[0]!.events.find((e) => e.subject === '/etc/hostname')!;
    expect(byPackage.origin).toMatchObject({ api: 'fs.readFileSync', package: { name: 'fixture-reader', version: '1.2.8' }, site: { line: 5 } });
  });

  test('the HTML groups events by package; learn says which tests and packages needed each entry', () => {
    const html = readFileSync(reportPath.replace(/\.json$/, '.html'), 'utf8');
    expect(html).toContain('By package');
    expect(html).toContain('<code>fixture-reader@1.2.8</code>');
    const learned = join(dir, 'learned.json');
    const learn = spawnSync(process.execPath, [VIVARIUM, 'learn', reportPath, '-o', learned], { encoding: 'utf8' });
    expect(learn.status, learn.stderr).toBe(0);
    expect(JSON.parse(readFileSync(learned, 'utf8')).why.read['/etc/hostname']).toEqual({
      tests: ["packages.test.cjs > a dependency reads what its own allow-list allows", "packages.test.cjs > the test's own read of the same file is a violation"],
      packages: ['fixture-reader@1.2.8', 'the project'],
    });
  });
});
