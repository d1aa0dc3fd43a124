// The Vitest reporter: the runner's statuses, joined with what the workers
// spooled, into vivarium-report.json (here with a hand-written spool).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { REPORT_DIR_ENV, type Report, appendSpooled } from '@vivarium/core';
import VivariumReporter from '../src/reporter.js';

const saved = { ...process.env };
const dirs: string[] = [];
afterEach(() => {
  process.env = { ...saved };
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const testCase = (fullName: string, state: string, location?: { line: number; column: number }) => ({ fullName, result: () => ({ state }), location });

test('maps Vitest states to report statuses and takes the backend from what the workers recorded', () => {
  const root = mkdtempSync(join(tmpdir(), 'vivarium-vitest-reporter-'));
  dirs.push(root);
  const reporter = new VivariumReporter({ html: false });
  const config: { root: string; includeTaskLocation?: boolean } = { root };
  reporter.onInit({ config, version: '4.1.0' });
  // Asked of Vitest before it starts the workers: each test's line for `check --format github`.
  expect(config.includeTaskLocation).toBe(true);
  // The reporter exports its spool dir for the workers it is about to start.
  const spool = process.env[REPORT_DIR_ENV]!;
  expect(spool).toBeTruthy();
  dirs.push(spool);
  const file = join(root, 'a.test.ts');
  appendSpooled(spool, { scope: 'test', file, name: 'suite > passes', backend: 'lsm', events: [], dropped: 0, violations: [] });

  reporter.onTestRunEnd([
    {
      moduleId: file,
      children: {
        allTests: () => [
          testCase('suite > passes', 'passed', { line: 3, column: 5 }),
          testCase('suite > fails', 'failed', { line: 9, column: 5 }),
          testCase('suite > skipped', 'skipped'),
          testCase('suite > still pending', 'pending'),
          testCase('suite > something new', 'queued'),
        ],
      },
    },
  ]);

  const report = JSON.parse(readFileSync(join(root, 'vivarium-report.json'), 'utf8')) as Report;
  expect(report.runner).toEqual({ name: 'vitest', version: '4.1.0' });
  expect(report.vivarium.backend).toBe('lsm');
  expect(report.files.map((f) => [f.file, f.tests.map((t) => [t.name, t.status])])).toEqual([
    [
      'a.test.ts',
      [
        ['suite > passes', 'passed'],
        ['suite > fails', 'failed'],
        ['suite > skipped', 'skipped'],
        ['suite > still pending', 'unknown'],
        ['suite > something new', 'unknown'],
      ],
    ],
  ]);
  expect(report.files[0]!.tests.map((t) => [t.line, t.column])).toEqual([[3, 5], [9, 5], [undefined, undefined], [undefined, undefined], [undefined, undefined]]);
});

test('a config that turned test locations off keeps them off', () => {
  const root = mkdtempSync(join(tmpdir(), 'vivarium-vitest-reporter-'));
  dirs.push(root);
  const config = { root, includeTaskLocation: false };
  new VivariumReporter({ html: false }).onInit({ config });
  dirs.push(process.env[REPORT_DIR_ENV]!);
  expect(config.includeTaskLocation).toBe(false);
});
