// `vivarium summary`: Markdown for a CI job summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { summaryMarkdown } from '../src/cli/summary.js';
import { main } from '../src/cli/vivarium.js';
import { toReportEvents } from '../src/event-lines.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import { buildReport, mergeReports, writeReportFile } from '../src/report/build.js';
import { exec, open, openToWrite } from './helpers/events.js';

const dir = mkdtempSync(join(tmpdir(), 'vivarium-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokens = { cwd: '/work/app', tmp: '/tmp/run', home: '/home/ci', rootDir: '/work/app' };
const checker = new PolicyChecker({ allow: { write: ['<rootDir>/out/**'], exec: ['git'] } }, 'vivarium.policy.json', tokens).forFile('x');

function report(extra: { tokens?: typeof tokens; host?: string; backend?: string } = {}) {
  const t = extra.tokens ?? tokens;
  const lines = {
    build: toReportEvents([
      open(`${t.rootDir}/src/a.ts`),
      open(`${t.rootDir}/src/a.ts`),
      open(`${t.rootDir}/node_modules/x/index.js`), // noise: left out of the top paths
      open('/proc/self/stat'),
      openToWrite(`${t.rootDir}/out/a.js`),
      openToWrite(`${t.tmp}/cache|1.json`),
      exec('/usr/bin/git', ['git', 'status']),
      exec('/usr/bin/curl', ['curl', 'x']),
    ]),
    lint: toReportEvents([open(`${t.rootDir}/src/a.ts`), exec('/usr/bin/git', ['git', 'diff'])]),
  };
  return buildReport({
    runner: { name: 'jest', version: '30.2.0' },
    version: '0.1.0',
    rootDir: t.rootDir,
    tokens: t,
    host: { hostname: extra.host ?? 'ci-1', kernel: '6.18.0', node: '20.20.2' },
    policy: { source: 'vivarium.policy.json', mode: 'enforce' },
    tests: [
      { scope: 'test', file: `${t.rootDir}/test/build.test.js`, name: 'build > writes | reads', status: 'failed', location: { line: 9, column: 3 } },
      { scope: 'test', file: `${t.rootDir}/test/lint.test.js`, name: 'lint', status: 'passed', location: { line: 2, column: 1 } },
      { scope: 'test', file: `${t.rootDir}/test/lint.test.js`, name: 'later', status: 'skipped' },
    ],
    spooled: [
      { scope: 'test', file: `${t.rootDir}/test/build.test.js`, name: 'build > writes | reads', backend: extra.backend ?? 'syscalls', events: lines.build, dropped: 0, violations: checker.check(lines.build) },
      { scope: 'test', file: `${t.rootDir}/test/lint.test.js`, name: 'lint', backend: extra.backend ?? 'syscalls', events: lines.lint, dropped: 2, violations: [] },
    ],
  });
}

test('totals, violations with test, rule and subject, lost events, the most touched paths and programs', () => {
  expect(summaryMarkdown(report())).toMatchInlineSnapshot(`
    "## Vivarium: ❌ 2 violation(s) in 1 of 3 tests, 2 event(s) lost

    jest 30.2.0 · backend \`syscalls\` · policy enforce (\`vivarium.policy.json\`) · vivarium 0.1.0

    | tests | passed | failed | skipped | events | violations | lost events |
    | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
    | 3 | 1 | 1 | 1 | 10 | 2 | 2 |

    ### Violations (2)

    | test | rule | subject | event |
    | --- | --- | --- | --- |
    | \`test/build.test.js:9\` › build > writes \\| reads | \`write\` | \`/tmp/run/cache\\|1.json\` | open (write+create+truncate) /tmp/run/cache\\|1.json: not in allow.write |
    | \`test/build.test.js:9\` › build > writes \\| reads | \`exec\` | \`/usr/bin/curl\` | exec /usr/bin/curl: not in allow.exec |

    ### Lost events (2)

    A test that lost events proves nothing: restart vivariumd with a larger \`--ring-size\`.

    | test | lost |
    | --- | ---: |
    | \`test/lint.test.js:2\` › lint | 2 |

    ### Most touched paths (top 3 of 3; Node's and the runner's own files left out)

    | path | events | tests |
    | --- | ---: | ---: |
    | \`<rootDir>/src/a.ts\` | 3 | 2 |
    | \`<rootDir>/out/a.js\` | 1 | 1 |
    | \`<tmp>/cache\\|1.json\` | 1 | 1 |

    ### Programs run (top 2 of 2)

    | program | events | tests |
    | --- | ---: | ---: |
    | \`/usr/bin/git\` | 2 | 2 |
    | \`/usr/bin/curl\` | 1 | 1 |
    "
  `);
});

test('a merged report lists its runs; paths of every run are written with that run’s tokens', () => {
  const other = { cwd: '/srv/b/app', tmp: '/var/tmp/b', home: '/home/b', rootDir: '/srv/b/app' };
  const md = summaryMarkdown(mergeReports([report(), report({ tokens: other, host: 'ci-2', backend: 'lsm' })]));
  expect(md).toContain(
    [
      '### Runs merged (2)',
      '',
      '| # | host | kernel | runner | backend | vivarium | tests |',
      '| ---: | --- | --- | --- | --- | --- | ---: |',
      '| 1 | ci-1 | 6.18.0 | jest 30.2.0 | `syscalls` | 0.1.0 | 3 |',
      '| 2 | ci-2 | 6.18.0 | jest 30.2.0 | `lsm` | 0.1.0 | 3 |',
    ].join('\n'),
  );
  expect(md).toContain('| `<rootDir>/src/a.ts` | 6 | 4 |');
  expect(md).toContain('| `<tmp>/cache\\|1.json` | 2 | 2 |');
});

test('a clean run says so in its title; subjects with backticks stay code', () => {
  const clean = report();
  for (const f of clean.files) for (const t of f.tests) Object.assign(t, { violations: [], dropped: 0 });
  clean.totals = { ...clean.totals, violations: 0, dropped: 0 };
  expect(summaryMarkdown(clean).split('\n')[0]).toBe('## Vivarium: ✅ 3 tests, no violations');
  clean.files[0]!.tests[0]!.events.push({ ...toReportEvents([open('/work/app/`odd`')])[0]! });
  expect(summaryMarkdown(clean)).toContain('| `` <rootDir>/`odd` `` | 1 | 1 |');
});

test('vivarium summary REPORT prints it', () => {
  const path = join(dir, 'r.json');
  writeReportFile(path, report());
  const out: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    expect(main(['summary', path], (l) => out.push(l))).toBe(0);
  } finally {
    err.mockRestore();
  }
  expect(`${out.join('\n')}\n`).toBe(summaryMarkdown(JSON.parse(JSON.stringify(report()))).replace(/\n$/, '\n'));
});
