// `vivarium check --format github`: one workflow command per failing test, at
// the test's file and line, escaped as GitHub requires; plain text otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { annotation, annotationPath } from '../src/cli/github-annotations.js';
import { toReportEvents } from '../src/event-lines.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import { buildReport, writeReportFile } from '../src/report/build.js';
import { exec, open, openToWrite } from './helpers/events.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vivarium-gh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const policy = { allow: { read: ['<rootDir>/**'], write: ['<rootDir>/out/**'], exec: [] } };
const checker = new PolicyChecker(policy, 'vivarium.policy.json', tokens).forFile('test/build.test.ts');

const events = {
  clean: toReportEvents([open('/work/app/src/a.ts')]),
  leaky: toReportEvents([openToWrite('/work/app/dist/a,b:c.js'), exec('/usr/bin/git', ['git', 'status'])]),
};
const report = buildReport({
  runner: { name: 'vitest', version: '4.1.0' },
  version: '0.1.0',
  rootDir: '/work/app',
  tokens,
  policy: { source: 'vivarium.policy.json', mode: 'enforce' },
  tests: [
    { scope: 'test', file: '/work/app/test/build.test.ts', name: 'clean', status: 'passed', location: { line: 4, column: 3 } },
    { scope: 'test', file: '/work/app/test/build.test.ts', name: 'build > writes 100% outside', status: 'failed', location: { line: 12, column: 5 } },
    { scope: 'test', file: '/work/app/test/lossy.test.ts', name: 'floods', status: 'failed', location: { line: 7, column: 1 } },
  ],
  spooled: [
    { scope: 'test', file: '/work/app/test/build.test.ts', name: 'clean', backend: 'syscalls', events: events.clean, dropped: 0, violations: [] },
    { scope: 'test', file: '/work/app/test/build.test.ts', name: 'build > writes 100% outside', backend: 'syscalls', events: events.leaky, dropped: 0, violations: checker.check(events.leaky) },
    { scope: 'test', file: '/work/app/test/lossy.test.ts', name: 'floods', backend: 'syscalls', events: [], dropped: 3, violations: [] },
  ],
});
const reportPath = join(dir, 'vivarium-report.json');
writeReportFile(reportPath, report);

const cli = runCli;

describe('vivarium check --format github', () => {
  test('an error annotation per failing test at its file and line, then the verdict', () => {
    vi.stubEnv('GITHUB_WORKSPACE', '/work/app');
    try {
      const { code, out } = cli('check', reportPath, '--format', 'github');
      expect(code).toBe(1);
      expect(out.split('\n')).toEqual([
        '::error file=test/build.test.ts,line=12,col=5,title=vivarium%3A build > writes 100%25 outside::2 violation(s) of vivarium.policy.json%0Aopen (write+create+truncate) /work/app/dist/a,b:c.js: not in allow.write%0Aexec /usr/bin/git: not in allow.exec',
        '::error file=test/lossy.test.ts,line=7,col=1,title=vivarium%3A events lost in floods::3 event(s) of this test were lost (ring full: restart vivariumd with a larger --ring-size)',
        'vivarium check: 2 violation(s) in 1 of 3 tests (policy: vivarium.policy.json); 3 event(s) lost',
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test('audit mode: violations are warnings, and the gate passes', () => {
    const audit = join(dir, 'audit.json');
    writeFileSync(audit, JSON.stringify({ ...policy, mode: 'audit' }));
    const clean = join(dir, 'no-loss.json');
    writeReportFile(clean, { ...report, files: report.files.filter((f) => f.file !== 'test/lossy.test.ts') });
    const { code, out } = cli('check', clean, '--policy', audit, '--format', 'github');
    expect(code).toBe(0);
    expect(out).toMatch(/^::warning file=test\/build.test.ts,line=12,col=5,title=vivarium%3A build > writes 100%25 outside::2 violation\(s\) of .*audit.json \(audit mode: not enforced\)%0A/);
    expect(out.split('\n').at(-1)).toBe(`vivarium check: 3 tests, no violations (policy: ${audit}); 2 audited violation(s) not enforced`);
  });

  test('plain text otherwise, each test at file:line', () => {
    const { code, out } = cli('check', reportPath);
    expect(code).toBe(1);
    expect(out).toBe(
      [
        'vivarium check: 2 violation(s) in 1 of 3 tests (policy: vivarium.policy.json); 3 event(s) lost',
        '  test/build.test.ts:12 > build > writes 100% outside',
        '    open (write+create+truncate) /work/app/dist/a,b:c.js: not in allow.write',
        '    exec /usr/bin/git: not in allow.exec',
        '  test/lossy.test.ts:7 > floods',
        '    3 event(s) lost (ring full: restart vivariumd with a larger --ring-size)',
      ].join('\n'),
    );
  });

  test('an unknown format is a usage error', () => {
    expect(cli('check', reportPath, '--format', 'gitlab')).toEqual({ code: 2, out: "vivarium check: --format must be text or github, got 'gitlab'" });
  });
});

describe('annotations', () => {
  test.each([
    [{ file: 'a.ts', line: 3 }, 'x', '::error file=a.ts,line=3::x'],
    [{}, 'no place', '::error::no place'],
    [{ file: 'dir,1/a:b.ts', title: '50% done' }, 'line 1\r\nline 2 %', '::error file=dir%2C1/a%3Ab.ts,title=50%25 done::line 1%0D%0Aline 2 %25'],
  ])('%j %j', (at, message, expected) => {
    expect(annotation('error', at, message)).toBe(expected);
  });

  test('paths are relative to the workspace when the project is in a subdirectory of it', () => {
    const sub = { ...report, rootDir: '/repo/packages/app' };
    const file = { file: 'test/a.test.ts', tests: [] };
    expect(annotationPath(sub, file, '/repo')).toBe('packages/app/test/a.test.ts');
    expect(annotationPath(sub, file, '/elsewhere')).toBe('test/a.test.ts');
    // A merged report: the file's own run's rootDir.
    const merged = { ...sub, shards: [{ ...sub, rootDir: '/repo/one' }, { ...sub, rootDir: '/repo/two' }] };
    expect(annotationPath(merged, { ...file, shard: 1 }, '/repo')).toBe('two/test/a.test.ts');
  });
});
