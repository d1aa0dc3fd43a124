// Assembling the run's report from the runner's statuses and what the workers spooled.
import { describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { OUTSIDE_TESTS, buildReport, joinBackends, mergeReports, runnerRecord } from '../src/report/build.js';
import type { SpooledRecord } from '../src/report/spool.js';
import { REPORT_VERSION, RUNNER_FILE } from '../src/report/types.js';
import { open } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const spooled = (name: string, backend: string, extra: Partial<SpooledRecord> = {}): SpooledRecord => ({
  scope: 'test',
  file: '/work/app/a.test.ts',
  name,
  backend,
  events: toReportEvents([open('/work/app/x')]),
  dropped: 0,
  violations: [],
  ...extra,
});

const build = (recorded: SpooledRecord[]) =>
  buildReport({
    runner: { name: 'vitest', version: '4' },
    version: '0.1.0',
    rootDir: '/work/app',
    tokens,
    tests: [
      { file: '/work/app/a.test.ts', name: 'one', status: 'passed' },
      { file: '/work/app/a.test.ts', name: 'two', status: 'failed' },
      { file: '/work/app/b.test.ts', name: 'never recorded', status: 'skipped' },
    ],
    spooled: recorded,
  });

describe('buildReport', () => {
  test('every test of the runner, with what the workers recorded; a retried test keeps the union', () => {
    const report = build([spooled('one', 'syscalls'), spooled('two', 'syscalls', { dropped: 1 }), spooled('two', 'syscalls')]);
    expect(report.version).toBe(REPORT_VERSION);
    expect(report.files.map((f) => [f.file, f.tests.map((t) => [t.name, t.status, t.events.length, t.dropped])])).toEqual([
      ['a.test.ts', [['one', 'passed', 1, 0], ['two', 'failed', 2, 1]]],
      ['b.test.ts', [['never recorded', 'skipped', 0, 0]]],
    ]);
    expect(report.totals).toEqual({ tests: 3, events: 3, violations: 0, dropped: 1 });
  });

  test("a file's record outside its tests and the runner's own: judged and counted like tests, not counted as tests", () => {
    const refused = { rule: 'read' as const, kind: 'file_open' as const, subject: '/etc/passwd', message: 'open (read) /etc/passwd: not in allow.read' };
    const report = buildReport({
      runner: { name: 'vitest', version: '4' },
      version: '0.1.0',
      rootDir: '/work/app',
      tokens,
      tests: [{ file: '/work/app/a.test.ts', name: 'one', status: 'passed' }],
      spooled: [
        spooled('one', 'syscalls'),
        spooled('', 'syscalls', { scope: 'file', violations: [refused] }),
        // A file whose collection failed: the runner reported no test of it.
        spooled('', 'syscalls', { scope: 'file', file: '/work/app/broken.test.ts' }),
        // Nothing happened outside the tests of c: no record.
        spooled('', 'syscalls', { scope: 'file', file: '/work/app/c.test.ts', events: [] }),
      ],
      run: runnerRecord({ events: toReportEvents([open('/work/app/vitest.config.ts')]), dropped: 2, violations: [] }),
    });
    expect(report.files.map((f) => [f.file, f.tests.map((t) => [t.name, t.scope, t.status, t.events.length, t.violations.length, t.dropped])])).toEqual([
      [RUNNER_FILE, [["the runner's own process", 'run', 'failed', 1, 0, 2]]],
      ['a.test.ts', [['one', undefined, 'passed', 1, 0, 0], [OUTSIDE_TESTS, 'file', 'failed', 1, 1, 0]]],
      ['broken.test.ts', [[OUTSIDE_TESTS, 'file', 'passed', 1, 0, 0]]],
    ]);
    expect(report.totals).toEqual({ tests: 1, events: 4, violations: 1, dropped: 2 });
  });

  test('the backend is what the workers registered with, never asked of the kernel', () => {
    expect(build([spooled('one', 'syscalls'), spooled('two', 'syscalls')]).vivarium).toEqual({ version: '0.1.0', backend: 'syscalls' });
    expect(build([spooled('one', 'syscalls'), spooled('two', 'lsm')]).vivarium.backend).toBe('lsm+syscalls');
    expect(build([]).vivarium.backend).toBe('unknown');
  });
});

test('joinBackends: distinct, sorted, unknown left out', () => {
  expect(joinBackends(['syscalls', 'unknown', 'lsm+syscalls'])).toBe('lsm+syscalls');
  expect(joinBackends([])).toBe('unknown');
});

test('mergeReports joins files and backends of the shards', () => {
  const a = build([spooled('one', 'syscalls')]);
  const b = build([spooled('one', 'lsm')]);
  const merged = mergeReports([a, b]);
  expect(merged.totals.tests).toBe(6);
  expect(merged.vivarium.backend).toBe('lsm+syscalls');
});
