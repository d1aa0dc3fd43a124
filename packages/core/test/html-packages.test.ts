// The HTML report with provenance: a run's events grouped by npm package, and
// each event line with its call site and package.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import type { VivariumEvent } from '../src/events.js';
import type { Origin } from '../src/provenance/origin.js';
import { renderHtmlReport } from '../src/report/html.js';
import { NO_USER_FRAME, PROJECT, renderPackages, summarizePackages } from '../src/report/html-packages.js';
import type { Report, ReportTest } from '../src/report/types.js';
import { dumpDom, eventsOf, skipBrowserTests } from './helpers/browser.js';
import { byChild, connect, exec, inet, open } from './helpers/events.js';

const rc: Origin = { api: 'fs.readFileSync', site: { function: 'loadRc', file: '/work/app/node_modules/rc/index.js', line: 41, column: 12 }, package: { name: 'rc', version: '1.2.8' }, stack: ['loadRc (/work/app/node_modules/rc/index.js:41:12)'] };
const git: Origin = { api: 'child_process.execFileSync', site: { file: '/work/app/node_modules/simple-git/x.js', line: 5, column: 10 }, package: { name: 'simple-git', version: '3.0.0' }, stack: [] };
const own: Origin = { api: 'net.connect', site: { function: 'ping', file: '/work/app/src/ping.ts', line: 7, column: 3 }, stack: [] };
const none: Origin = { api: 'fs.readFileSync', stack: [] };

const by = (origin: Origin, event: VivariumEvent): VivariumEvent => ({ ...event, origin });
const t = (name: string, events: VivariumEvent[]): ReportTest => ({ name, status: 'passed', events: toReportEvents(events), dropped: 0, violations: [] });

function report(files: Report['files']): Report {
  return {
    version: 2,
    generatedAt: '2025-06-01T12:34:56.000Z',
    runner: { name: 'vitest', version: '4.1.12' },
    vivarium: { version: '0.1.0', backend: 'syscalls' },
    rootDir: '/work/app',
    tokens: { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' },
    files,
    totals: { tests: 2, events: 0, violations: 0, dropped: 0 },
  };
}

const WITH = report([
  {
    file: 'src/a.test.ts',
    tests: [
      t('reads the rc', [by(rc, open('/root/.npmrc')), by(rc, open('/work/app/.npmrc')), by(rc, open('/root/.npmrc')), by(none, open('/work/app/node_modules/x/package.json'))]),
      t('runs git and pings', [by(git, exec('/usr/bin/git', ['git'], byChild)), by(own, connect(inet('127.0.0.1', 8080))), by(rc, open('/root/.npmrc'))]),
    ],
  },
]);

describe('summarizePackages', () => {
  test('per package: distinct subjects per category and tests; then the project, then no user frame', () => {
    expect(summarizePackages(WITH)).toEqual([
      { label: 'rc@1.2.8', subjects: [['/root/.npmrc', '/work/app/.npmrc'], [], [], [], [], []], tests: 2, events: 4 },
      { label: 'simple-git@3.0.0', subjects: [[], [], ['/usr/bin/git'], [], [], []], tests: 1, events: 1 },
      { label: PROJECT, subjects: [[], [], [], ['127.0.0.1:8080'], [], []], tests: 1, events: 1 },
      { label: NO_USER_FRAME, subjects: [['/work/app/node_modules/x/package.json'], [], [], [], [], []], tests: 1, events: 1 },
    ]);
  });

  test('without provenance: no groups, no section', () => {
    const plain = report([{ file: 'a.test.ts', tests: [t('x', [open('/etc/hosts')])] }]);
    expect(summarizePackages(plain)).toEqual([]);
    expect(renderPackages([])).toBe('');
    expect(renderHtmlReport(plain)).not.toContain('id="packages"');
  });

  test('the section names each package, escaped', () => {
    const html = renderPackages(summarizePackages(WITH));
    expect(html).toContain('<th scope="row"><code>rc@1.2.8</code></th><td><details><summary class="num">2</summary><ul><li><code>/root/.npmrc</code></li>');
    expect(html).toContain('<th scope="row"><i>the project</i></th>');
    expect(renderPackages([{ label: '<b>@x', subjects: [['<i>'], [], [], [], [], []], tests: 1, events: 1 }])).not.toMatch(/<b>|<i>/);
    expect(renderHtmlReport(WITH)).toContain('<h2 id="packages-title">By package');
  });

  test('the JSON report keeps each line apart by call site, with its origin', () => {
    const lines = WITH.files[0]!.tests[0]!.events;
    expect(lines.map((l) => [l.subject, l.count, l.origin?.package?.name])).toEqual([
      ['/root/.npmrc', 2, 'rc'],
      ['/work/app/.npmrc', 1, 'rc'],
      ['/work/app/node_modules/x/package.json', 1, undefined],
    ]);
  });
});

const skipBrowser = skipBrowserTests();

describe.skipIf(skipBrowser)('in headless Chromium', { timeout: 90_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'vivarium-html-packages-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('an event line shows its call site relative to rootDir and its package', async () => {
    writeFileSync(join(work, 'vivarium-report.html'), renderHtmlReport(WITH));
    const dom = await dumpDom(`${pathToFileURL(join(work, 'vivarium-report.html')).href}#open=t0`, work);
    const events = eventsOf(dom, 't0');
    expect(events).toContain('at loadRc (node_modules/rc/index.js:41:12)<span class="tag pkg">rc@1.2.8</span>');
    expect(events).toContain('at fs.readFileSync (no user frame)');
  });
});
