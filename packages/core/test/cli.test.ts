// `vivarium check|learn` on reports written to disk: re-checked from each
// line's recorded rule and subjects, never from its text.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { buildReport, runnerRecord, writeReportFile } from '../src/report/build.js';
import { connect, exec, inet, open, openToWrite } from './helpers/events.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vivarium-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };

const reportPath = join(dir, 'vivarium-report.json');
writeReportFile(
  reportPath,
  buildReport({
    runner: { name: 'jest', version: '30' },
    version: '0.1.0',
    rootDir: '/work/app',
    tokens,
    tests: [{ file: '/work/app/a.test.js', name: 'builds', status: 'passed' }],
    spooled: [
      {
        scope: 'test',
        file: '/work/app/a.test.js',
        name: 'builds',
        backend: 'syscalls',
        // The line's text says nothing of the rule: re-checking must not need it.
        events: toReportEvents([open('/work/app/src/a.ts'), openToWrite('/work/app/dist/a.js'), exec('/usr/bin/git', ['git']), connect(inet('127.0.0.1', 4000))]).map(
          (e) => ({ ...e, detail: 'text that means nothing' }),
        ),
        dropped: 0,
        violations: [],
      },
    ],
  }),
);

const run = runCli;

describe('vivarium check', () => {
  test('re-checks every line against a policy file by its rule and subjects', () => {
    const policy = join(dir, 'p.json');
    writeFileSync(policy, JSON.stringify({ allow: { read: ['<rootDir>/src/**'], write: ['<rootDir>/out/**'], exec: [], connect: ['localhost:*'] } }));
    const { code, out } = run('check', reportPath, '--policy', policy);
    expect(code).toBe(1);
    expect(out.replaceAll(dir, '<dir>')).toMatchInlineSnapshot(`
      "vivarium check: 2 violation(s) in 1 of 1 tests (policy: <dir>/p.json)
        a.test.js > builds
          open (text that means nothing) /work/app/dist/a.js: not in allow.write
          exec /usr/bin/git: not in allow.exec"
    `);
  });

  test("the runner's own process and a file outside its tests are judged too; overrides apply to test files only", () => {
    const withRunner = join(dir, 'runner.json');
    writeReportFile(
      withRunner,
      buildReport({
        runner: { name: 'vitest', version: '3' },
        version: '0.1.0',
        rootDir: '/work/app',
        tokens,
        tests: [{ file: '/work/app/a.test.js', name: 'builds', status: 'passed' }],
        spooled: [{ scope: 'file', file: '/work/app/a.test.js', name: '', backend: 'syscalls', events: toReportEvents([exec('/usr/bin/git', ['git'])]), dropped: 0, violations: [] }],
        run: runnerRecord({ events: toReportEvents([open('/etc/shadow')]), dropped: 0, violations: [] }),
      }),
    );
    const policy = join(dir, 'overrides.json');
    writeFileSync(policy, JSON.stringify({ runner: 'enforce', allow: { read: ['<rootDir>/**'], exec: [] }, overrides: [{ files: ['**'], allow: { read: ['/etc/**'] } }] }));
    const { code, out } = run('check', withRunner, '--policy', policy);
    expect(out.replaceAll(dir, '<dir>')).toMatchInlineSnapshot(`
      "vivarium check: 2 violation(s) in the runner's own process and a.test.js outside its tests (policy: <dir>/overrides.json)
        (runner) > the runner's own process
          open (read) /etc/shadow: not in allow.read
        a.test.js > outside its tests
          exec /usr/bin/git: not in allow.exec"
    `);
    expect(code).toBe(1);
  });

  test('a version 1 report is refused, saying why and what to do', () => {
    const v1 = join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({ version: 1, files: [] }));
    const { code, out } = run('check', v1);
    expect(code).toBe(2);
    expect(out).toBe(`vivarium: ${v1} is a version 1 report, which records events as text only (re-run the tests with this Vivarium to write a version 2 report)`);
  });
});

test('vivarium learn: a policy the same report passes', () => {
  const learned = join(dir, 'learned.json');
  expect(run('learn', reportPath, '-o', learned).code).toBe(0);
  expect(JSON.parse(readFileSync(learned, 'utf8')).allow).toEqual({
    read: ['<rootDir>/src/a.ts'],
    write: ['<rootDir>/dist/a.js'],
    exec: ['/usr/bin/git'],
    http: [],
    connect: ['127.0.0.1:*'],
    resolve: [],
    privileged: [],
    env: [],
    load: [],
  });
  expect(run('check', reportPath, '--policy', learned)).toEqual({ code: 0, out: expect.stringMatching(/^vivarium check: 1 tests, no violations/) });
});
