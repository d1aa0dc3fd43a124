// `vivarium footprint` and `vivarium diff` on crafted reports written to disk.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { main } from '../src/cli/vivarium.js';
import { writeReportFile } from '../src/report/build.js';
import { ALICE, BASE_TESTS, CI, HEAD_TESTS, reportOf } from './footprint/report-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'vivarium-cli-footprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

writeReportFile(at('base.json'), reportOf(ALICE, BASE_TESTS));
writeReportFile(at('head.json'), reportOf(CI, HEAD_TESTS));
writeReportFile(at('shard-1.json'), reportOf(CI, HEAD_TESTS.slice(0, 2)));
writeReportFile(at('shard-2.json'), reportOf(ALICE, HEAD_TESTS.slice(2)));

function run(...argv: string[]) {
  const out: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation((line: string) => void out.push(line));
  try {
    return { code: main(argv, (line) => out.push(line)), out: out.join('\n').replaceAll(dir, '<dir>') };
  } finally {
    err.mockRestore();
  }
}

describe('vivarium footprint', () => {
  test('writes the footprint of each test; shards of one run give the footprint of the whole run', () => {
    expect(run('footprint', at('head.json'), '-o', at('head.footprint.json'))).toEqual({ code: 0, out: 'vivarium footprint: 3 tests → <dir>/head.footprint.json' });
    const written = JSON.parse(readFileSync(at('head.footprint.json'), 'utf8'));
    expect(written.files['config.test.js']['loads its config']).toEqual({
      read: ['open (read) <home>/.aws/credentials', 'open (read) <rootDir>/config.json'],
      connect: ['connect 127.0.0.1:*'],
    });
    expect(run('footprint', at('shard-1.json'), at('shard-2.json'), '-o', at('sharded.footprint.json')).code).toBe(0);
    expect(readFileSync(at('sharded.footprint.json'), 'utf8')).toBe(readFileSync(at('head.footprint.json'), 'utf8'));
    expect(run('merge', at('shard-1.json'), at('shard-2.json'), '-o', at('merged.json')).code).toBe(0);
    expect(run('footprint', at('merged.json'), '-o', at('merged.footprint.json')).code).toBe(0);
    expect(readFileSync(at('merged.footprint.json'), 'utf8')).toBe(readFileSync(at('head.footprint.json'), 'utf8'));
  });

  test('without a report: usage, exit 2', () => {
    expect(run('footprint')).toEqual({ code: 2, out: expect.stringContaining('vivarium footprint: give the report') });
  });
});

describe('vivarium diff', () => {
  test('reports, footprints or both: the same diff', () => {
    run('footprint', at('base.json'), '-o', at('base.footprint.json'));
    const fromReports = run('diff', at('base.json'), at('head.json'));
    expect(fromReports.code).toBe(0);
    expect(fromReports.out.split('\n')[0]).toBe('vivarium diff: 3 effects added, 2 removed in 3 of 3 tests; 1 test added, 1 removed');
    expect(run('diff', at('base.footprint.json'), at('head.json')).out).toBe(fromReports.out);
    expect(run('diff', at('base.footprint.json'), at('merged.json')).out).toBe(fromReports.out);
  });

  test('--fail-on added exits 1 when anything new appears, 0 when nothing does', () => {
    expect(run('diff', at('base.json'), at('head.json'), '--fail-on', 'added').code).toBe(1);
    expect(run('diff', at('head.json'), at('merged.json'), '--fail-on', 'added')).toEqual({ code: 0, out: 'vivarium diff: no change in the footprint of 3 tests' });
    // Only removals: nothing new.
    writeReportFile(at('fewer.json'), reportOf(ALICE, BASE_TESTS.slice(0, 1)));
    expect(run('diff', at('base.json'), at('fewer.json'), '--fail-on', 'added').code).toBe(0);
    expect(run('diff', at('base.json'), at('fewer.json'), '--fail-on', 'changed').code).toBe(1);
  });

  test('--markdown -o writes the pull-request comment', () => {
    expect(run('diff', at('base.json'), at('head.json'), '--markdown', '-o', at('comment.md')).code).toBe(0);
    const md = readFileSync(at('comment.md'), 'utf8');
    expect(md).toMatch(/^### Vivarium footprint\n\n\*\*3 effects added/);
    expect(md).toContain('<details><summary><code>config.test.js</code> › loads its config (+1)</summary>');
  });

  test('--html renders HEAD’s report with what is new marked; it needs HEAD’s report', () => {
    expect(run('diff', at('base.json'), at('head.json'), '--html', at('diff.html')).code).toBe(0);
    const html = readFileSync(at('diff.html'), 'utf8');
    expect(html).toContain('Compared with <span class="src">');
    expect(html).toMatch(/<a class="fp-item new"[^>]*><code>\/usr\/bin\/curl<\/code>/);
    expect(run('diff', at('base.json'), at('head.footprint.json'), '--html', at('x.html'))).toEqual({
      code: 2,
      out: "vivarium diff --html: <dir>/head.footprint.json is a footprint; the HTML report needs HEAD's report (vivarium-report.json)",
    });
  });

  test.each([
    [['diff', 'only-one.json'], 'vivarium diff: give the base and the head run'],
    [['diff', 'a', 'b', '--fail-on', 'sometimes'], 'vivarium diff: --fail-on sometimes: expected added or changed'],
    [['diff', '<dir>/missing.json', '<dir>/head.json'], 'vivarium: cannot read report or footprint <dir>/missing.json'],
  ])('%j: exit 2, %s', (argv, message) => {
    const result = run(...argv.map((a) => a.replace('<dir>', dir)));
    expect(result.code).toBe(2);
    expect(result.out).toContain(message);
  });

  test('a footprint of another version is refused with what to do', () => {
    writeFileSync(at('v9.json'), JSON.stringify({ vivarium: 'footprint', version: 9, files: {} }));
    expect(run('diff', at('v9.json'), at('head.json'))).toEqual({
      code: 2,
      out: 'vivarium: <dir>/v9.json is a footprint of another version (write it again with this Vivarium: vivarium footprint REPORT -o <dir>/v9.json)',
    });
  });
});
