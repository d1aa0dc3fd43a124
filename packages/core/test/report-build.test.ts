// Assembling the run's report from the runner's statuses and what the workers spooled.
import { describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { buildReport, joinBackends, mergeReports } from '../src/report/build.js';
import type { SpooledTest } from '../src/report/spool.js';
import { REPORT_VERSION } from '../src/report/types.js';
import { open } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const spooled = (name: string, backend: string, extra: Partial<SpooledTest> = {}): SpooledTest => ({
  file: '/work/app/a.test.ts',
  name,
  backend,
  events: toReportEvents([open('/work/app/x')]),
  dropped: 0,
  violations: [],
  ...extra,
});

const build = (recorded: SpooledTest[]) =>
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
