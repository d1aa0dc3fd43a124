// Sharded runs on several machines: `vivarium merge` keeps every run (its
// runner, Vivarium version, backend, host and tokens), and `check --policy`
// and `learn` judge each file with the tokens of the run that recorded it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { buildReport, mergeReports, writeReportFile } from '../src/report/build.js';
import type { Report } from '../src/report/types.js';
import { exec, openToWrite } from './helpers/events.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vivarium-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One shard's report: a test that writes in its run's temp and home dirs. */
function shard(n: number, backend: string, runnerVersion: string, kernel: string): Report {
  const tokens = { cwd: `/ci/${n}/app`, tmp: `/ci/${n}/tmp`, home: `/ci/${n}/home`, rootDir: `/ci/${n}/app` };
  const file = `/ci/${n}/app/test/s${n}.test.ts`;
  return buildReport({
    runner: { name: 'vitest', version: runnerVersion },
    version: '0.1.0',
    rootDir: tokens.rootDir,
    tokens,
    host: { hostname: `runner-${n}`, kernel, node: '20.20.2' },
    tests: [{ file, name: `writes ${n}`, status: 'passed', location: { line: 3 + n, column: 1 } }],
    spooled: [
      {
        scope: 'test',
        file,
        name: `writes ${n}`,
        backend,
        events: toReportEvents([openToWrite(`${tokens.tmp}/out-${n}.json`), openToWrite(`${tokens.home}/.cache/x`), exec('/usr/bin/git', ['git'])]),
        dropped: 0,
        violations: [],
      },
    ],
  });
}

const one = shard(1, 'syscalls', '4.1.0', '6.18.0');
const two = shard(2, 'lsm', '3.2.4', '6.1.0-28-amd64');

const cli = runCli;

describe('mergeReports across machines', () => {
  const merged = mergeReports([one, two]);

  test('keeps each run: runner, Vivarium version, backend, host, rootDir and tokens', () => {
    expect(merged.shards).toEqual([
      { generatedAt: one.generatedAt, runner: { name: 'vitest', version: '4.1.0' }, vivarium: { version: '0.1.0', backend: 'syscalls' }, host: { hostname: 'runner-1', kernel: '6.18.0', node: '20.20.2' }, rootDir: '/ci/1/app', tokens: one.tokens },
      { generatedAt: two.generatedAt, runner: { name: 'vitest', version: '3.2.4' }, vivarium: { version: '0.1.0', backend: 'lsm' }, host: { hostname: 'runner-2', kernel: '6.1.0-28-amd64', node: '20.20.2' }, rootDir: '/ci/2/app', tokens: two.tokens },
    ]);
    expect(merged.runner).toEqual({ name: 'vitest', version: '4.1.0+3.2.4' });
    expect(merged.vivarium).toEqual({ version: '0.1.0', backend: 'lsm+syscalls' });
    expect(merged.host).toBeUndefined(); // two hosts: each shard says its own
    expect(merged.files.map((f) => [f.file, f.shard, f.tests.map((t) => [t.name, t.line])])).toEqual([
      ['test/s1.test.ts', 0, [['writes 1', 4]]],
      ['test/s2.test.ts', 1, [['writes 2', 5]]],
    ]);
    expect(merged.totals).toEqual({ tests: 2, events: 6, violations: 0, dropped: 0 });
  });

  test('a merged report merges again: its runs are carried over, files still point at theirs', () => {
    const three = shard(3, 'syscalls', '4.1.0', '6.12.0');
    const again = mergeReports([merged, three]);
    expect(again.shards!.map((s) => s.host!.hostname)).toEqual(['runner-1', 'runner-2', 'runner-3']);
    expect(again.files.map((f) => [f.file, f.shard])).toEqual([
      ['test/s1.test.ts', 0],
      ['test/s2.test.ts', 1],
      ['test/s3.test.ts', 2],
    ]);
  });

  test('the same file from two runs stays two entries, each judged with its own tokens', () => {
    const a = shard(1, 'syscalls', '4.1.0', '6.18.0');
    const b = { ...shard(2, 'syscalls', '4.1.0', '6.18.0') };
    b.files = b.files.map((f) => ({ ...f, file: 'test/s1.test.ts' }));
    expect(mergeReports([a, b]).files.map((f) => [f.file, f.shard])).toEqual([
      ['test/s1.test.ts', 0],
      ['test/s1.test.ts', 1],
    ]);
  });

  test('one run on one host keeps its host at the top', () => {
    expect(mergeReports([one]).host).toEqual(one.host);
  });
});

describe('check and learn on a merged report', () => {
  const path = join(dir, 'merged.json');
  writeReportFile(path, mergeReports([one, two]));
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ allow: { write: ['<tmp>/**', '<home>/.cache/**'], exec: ['git'] } }));

  test('check --policy: each file judged with its run’s <tmp> and <home>', () => {
    expect(cli('check', path, '--policy', policy)).toEqual({ code: 0, out: `vivarium check: 2 tests, no violations (policy: ${policy})` });
  });

  test('judged with one run’s tokens, the other run’s writes would be violations', () => {
    const flat = join(dir, 'flat.json');
    const report = mergeReports([one, two]);
    delete report.shards;
    writeReportFile(flat, report);
    const { code, out } = cli('check', flat, '--policy', policy);
    expect(code).toBe(1);
    expect(out).toContain('/ci/2/tmp/out-2.json: not in allow.write');
  });

  test('learn: each run’s paths written with its own tokens, so the runs agree', () => {
    const learned = join(dir, 'learned.json');
    expect(cli('learn', path, '-o', learned).code).toBe(0);
    expect(JSON.parse(readFileSync(learned, 'utf8')).allow).toMatchObject({ write: ['<home>/.cache/x', '<tmp>/**'], exec: ['/usr/bin/git'] });
  });
});
