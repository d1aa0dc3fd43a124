// The first screen of the HTML report: the run's footprint outside the
// project, each entry with its tests and a link that filters to them; with a
// base run, what is new. As data, as static HTML, and in headless Chromium.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { footprintOfReports } from '../src/footprint/run.js';
import { renderHtmlReport } from '../src/report/html.js';
import { summarizeFootprint, topDirectory } from '../src/report/html-footprint.js';
import { CHROMIUM_MISSING, dumpDom, eventsOf, rows, skipBrowserTests } from './helpers/browser.js';
import { ALICE, BASE_TESTS, CI, HEAD_TESTS, reportOf } from './footprint/report-fixtures.js';
import { SAMPLES, dns, event, open, openToWrite, rename, unobservable } from './helpers/events.js';

const head = reportOf(CI, HEAD_TESTS);
const base = { footprint: footprintOfReports([reportOf(ALICE, BASE_TESTS)]), source: 'main/vivarium-report.json' };
const entries = (summary: ReturnType<typeof summarizeFootprint>) =>
  Object.fromEntries(summary.sections.map((s) => [s.id, s.items.map((i) => `${i.label} ${JSON.stringify(i.tests)}${i.isNew ? ' new' : ''}`)]));

describe('summarizeFootprint', () => {
  test('what the suite touched outside the project, each entry with the tests behind it', () => {
    expect(entries(summarizeFootprint(head))).toEqual({
      exec: ['/usr/bin/curl [2]', '/usr/bin/git [0]'],
      endpoint: ['127.0.0.1:* [1]', '93.184.215.14:443 [2]'],
      host: [],
      load: [],
      write: [],
      read: ['<home>/.aws [1]'],
      privileged: [],
      request: [],
      unobservable: [],
    });
  });

  test('with a base run: what is new to the suite comes first and is marked; each test lists what it gained', () => {
    const summary = summarizeFootprint(head, base);
    expect(entries(summary)).toMatchObject({
      exec: ['/usr/bin/curl [2] new', '/usr/bin/git [0]'],
      endpoint: ['93.184.215.14:443 [2] new', '127.0.0.1:* [1]'],
      read: ['<home>/.aws [1] new'],
    });
    expect(summary.base).toBe('main/vivarium-report.json');
    expect(summary.added).toEqual({
      1: ['read: open (read) <home>/.aws/credentials'],
      2: ['exec: exec /usr/bin/curl  ["curl","-sS","https://example.com"]', 'connect: connect 93.184.215.14:443'],
    });
  });

  test('reads by top directory, writes outside <rootDir> and <tmp>, hosts, privileged acts, blind spots; noise and the project left out', () => {
    const report = reportOf(CI, [
      ['a.test.js', 'one', (t) => [open('/etc/passwd'), open('/etc/hosts'), open('/usr/share/misc/magic'), open(`${t.home}/.npmrc`), openToWrite('/etc/motd'), openToWrite(`${t.rootDir}/out.txt`)]],
      ['a.test.js', 'two', (t) => [open('/etc/passwd'), rename('rename', `${t.tmp}/x`, '/srv/data'), dns('registry.example.com'), dns(''), SAMPLES.setuid, SAMPLES.mount, unobservable()]],
    ]);
    expect(entries(summarizeFootprint(report))).toEqual({
      exec: [],
      endpoint: [],
      host: ['dns (unparsed)  A via 127.0.0.53:53 [1]', 'registry.example.com [1]'],
      load: [],
      write: ['/etc/motd [0]', '/srv/data [1]'],
      read: ['/etc [0,1]', '/usr [0]', '<home>/.npmrc [0]'],
      privileged: ['mount [1]', 'setuid [1]'],
      request: [],
      unobservable: [expect.stringMatching(/^unobservable io_uring_setup .* \[1\]$/)],
    });
    const etc = summarizeFootprint(report).sections.find((s) => s.id === 'read')!.items[0]!;
    expect(etc.entries).toEqual(['/etc/passwd']);
    expect(topDirectory('<home>/.aws/credentials')).toBe('<home>/.aws');
    expect(topDirectory('/etc/ssh/ssh_config')).toBe('/etc');
  });

  test('as static HTML, before the tests: readable without JavaScript, links that filter, names escaped', () => {
    const html = renderHtmlReport(reportOf(CI, [['a.test.js', 'one', () => [event('exec', { path: '/bin/<b>', requestedPath: '/bin/<b>', requested: '', unresolved: false, argv: [] })]]]));
    expect(html.indexOf('id="footprint"')).toBeLessThan(html.indexOf('<div id="tests">'));
    expect(html).toContain('<h2 id="footprint-title">What the suite touched outside the project</h2>');
    expect(html).toContain('<a class="fp-item" id="fp-exec.0" href="#fp=exec.0" title="exec /bin/&#60;b&#62;"><code>/bin/&#60;b&#62;</code> <span class="n">1 test</span></a>');
    expect(html).toContain('<section class="fp-sec" data-section="host"><h3>Hosts resolved <span class="muted">0</span></h3><p class="none">none</p></section>');
  });
});

const skipBrowser = skipBrowserTests();

describe.skipIf(skipBrowser)('the footprint in headless Chromium', { timeout: 90_000 }, () => {
  let work: string;
  const pages: Record<string, Promise<string>> = {};
  const page = (file: string, hash: string) => (pages[file + hash] ??= dumpDom(`${pathToFileURL(join(work, file)).href}${hash}`, work));

  beforeAll(() => {
    if (CHROMIUM_MISSING) throw new Error(`HTML report browser tests cannot run in CI: ${CHROMIUM_MISSING}`);
    work = mkdtempSync(join(tmpdir(), 'vivarium-html-footprint-'));
    writeFileSync(join(work, 'plain.html'), renderHtmlReport(head));
    writeFileSync(join(work, 'diff.html'), renderHtmlReport(head, { base: base.footprint, baseSource: base.source }));
    // A reader's clicks, run after the report's own script: an entry, then (in the second page) the filter's clear button.
    // The report's CSP allows its own script only: the clicks' script is added to it by hash.
    const clicking = (ids: string[]) => {
      const script = ids.map((id) => `document.getElementById('${id}').click();`).join('');
      const hash = createHash('sha256').update(script).digest('base64');
      return renderHtmlReport(head).replace('script-src ', `script-src 'sha256-${hash}' `).replace('</body>', `<script>${script}</script></body>`);
    };
    writeFileSync(join(work, 'clicked.html'), clicking(['fp-exec.1']));
    writeFileSync(join(work, 'cleared.html'), clicking(['fp-exec.1', 'fp-clear']));
    for (const [file, hash] of [['plain.html', '#fp=exec.1'], ['diff.html', ''], ['diff.html', '#new=1&open=t1'], ['clicked.html', ''], ['cleared.html', '']]) page(file, hash).catch(() => {});
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('#fp= keeps the tests behind the entry, marks it, and names it in the filter bar', async () => {
    const dom = await page('plain.html', '#fp=exec.1');
    expect([...rows(dom).values()].filter((r) => !r.hidden).map((r) => r.text)).toEqual([expect.stringContaining('builds')]);
    expect(dom).toMatch(/<a class="fp-item active" id="fp-exec\.1" href="#fp=exec\.1"[^>]*aria-current="true"><code>\/usr\/bin\/git<\/code>/);
    expect(dom).toMatch(/<span id="fp-active">touching <code id="fp-label">\/usr\/bin\/git<\/code>/);
    expect(dom).toMatch(/<output id="shown"[^>]*>1 of 3 tests shown<\/output>/);
  });

  test('a click on an entry filters as #fp= does; the filter bar\'s clear shows every test again', async () => {
    const clicked = await page('clicked.html', '');
    expect([...rows(clicked).values()].filter((r) => !r.hidden).map((r) => r.text)).toEqual([expect.stringContaining('builds')]);
    expect(clicked).toMatch(/<a class="fp-item active" id="fp-exec\.1"[^>]*aria-current="true">/);
    expect(clicked).toMatch(/<output id="shown"[^>]*>1 of 3 tests shown<\/output>/);
    const cleared = await page('cleared.html', '');
    expect([...rows(cleared).values()].filter((r) => !r.hidden)).toHaveLength(3);
    expect(cleared).not.toContain('fp-item active');
  });

  test('with a base run: new entries and the tests that gained effects are marked; #new=1 keeps only those', async () => {
    const all = await page('diff.html', '');
    expect(all).toMatch(/<a class="fp-item new" id="fp-exec\.0"[^>]*><code>\/usr\/bin\/curl<\/code> <span class="n">1 test<\/span> <span class="tag new">new<\/span>/);
    expect(all).toContain('<label class="check" id="only-new-label">');
    const config = rows(all).get('t1')!;
    expect(config.html).toMatch(/<span class="pill new" title="new since main\/vivarium-report.json:\nread: open \(read\) &lt;home&gt;\/.aws\/credentials">\+1 new<\/span>/);
    expect(rows(all).get('t0')!.html).not.toContain('pill new');

    const onlyNew = await page('diff.html', '#new=1&open=t1');
    expect([...rows(onlyNew).values()].filter((r) => !r.hidden).map((r) => r.id)).toEqual(['t1', 't2']);
    expect(eventsOf(onlyNew, 't1')).toContain('<ul class="added" aria-label="New since main/vivarium-report.json"><li>+ read: open (read) &lt;home&gt;/.aws/credentials</li></ul>');
  });

  test('without a base run there is no new-effects filter', async () => {
    expect(await page('plain.html', '#fp=exec.1')).toContain('<label class="check" id="only-new-label" hidden="">');
  });
});
