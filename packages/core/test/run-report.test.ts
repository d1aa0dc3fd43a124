// What the reporters write at the end of a run, and the base run they compare with.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { writeReportFile } from '../src/report/build.js';
import { RunReport } from '../src/report/run-report.js';
import { REPORT_DIR_ENV, appendSpooled } from '../src/report/spool.js';
import { ALICE, BASE_TESTS, reportOf } from './footprint/report-fixtures.js';
import { open } from './helpers/events.js';

const root = mkdtempSync(join(tmpdir(), 'vivarium-run-report-'));
const saved = process.env[REPORT_DIR_ENV];
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  if (saved === undefined) delete process.env[REPORT_DIR_ENV];
  else process.env[REPORT_DIR_ENV] = saved;
});

function finish(options: ConstructorParameters<typeof RunReport>[1]) {
  // No daemon here: the runner's own process is not observed.
  const run = new RunReport(root, { ...options, observeRunner: false });
  appendSpooled(process.env[REPORT_DIR_ENV]!, {
    scope: 'test',
    file: join(root, 'a.test.js'),
    name: 'reads',
    backend: 'syscalls',
    events: toReportEvents([open('/etc/passwd')]),
    dropped: 0,
    violations: [],
  });
  run.finish({ name: 'vitest', version: '4' }, [{ file: join(root, 'a.test.js'), name: 'reads', status: 'passed' }]);
  return readFileSync(join(root, 'vivarium-report.html'), 'utf8');
}

describe('RunReport', () => {
  test('with a baseline, the HTML report marks what is new since the base run', () => {
    writeReportFile(join(root, 'base.json'), reportOf(ALICE, BASE_TESTS));
    const html = finish({ baseline: 'base.json' });
    expect(existsSync(join(root, 'vivarium-report.json'))).toBe(true);
    expect(html).toContain('Compared with <span class="src">base.json</span>: <b>1 new entry</b>, 1 test with new effects');
    expect(html).toMatch(/<a class="fp-item new"[^>]*><code>\/etc<\/code>/);
  });

  test('a baseline that cannot be read is said, and the report is written without it', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const html = finish({ baseline: 'missing.json' });
      expect(html).not.toContain('Compared with');
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^vivarium reporter: cannot compare with the baseline: vivarium: cannot read report or footprint .*missing\.json: ENOENT.*\(the HTML report is written without it\)/);
    } finally {
      stderr.mockRestore();
    }
  });
});
