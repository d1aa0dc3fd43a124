// The single-file HTML report: escaping and the embedded data as strings, then
// the page as a browser draws it (headless Chromium, --dump-dom after the
// script ran): rows, events, violation highlights, filters from the URL hash.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_MISSING, decode, dumpDom, eventsOf, rows, skipBrowserTests } from './helpers/browser.js';
import { escapeHtml, jsonForScriptTag, renderHtmlReport, summarizeTestForHtml, violationMatchesEvent } from '../src/report/html.js';
import { type ReportEvent, toReportEvents } from '../src/event-lines.js';
import type { VivariumEvent } from '../src/events.js';
import type { Report, ReportTest } from '../src/report/types.js';
import { byChild, connect, dns, event, exec, failed, inet, open, openToWrite, rename } from './helpers/events.js';

const HOSTILE = '</script><script>alert(1)</script>';
const HOSTILE_SUBJECT = '/tmp/<img src=x onerror="document.body.dataset.pwned=1">';

/** Report lines of what a test did, as the verdict builds them. */
const did = (...events: VivariumEvent[]) => toReportEvents(events);
const times = (n: number, e: VivariumEvent) => Array.from({ length: n }, () => e);
const t = (name: string, status: ReportTest['status'], events: ReportEvent[], more: Partial<ReportTest> = {}): ReportTest => ({
  name, status, events, dropped: 0, violations: [], ...more,
});

function fixture(): Report {
  const files: Report['files'] = [
    {
      file: 'src/cli.test.ts',
      tests: [
        t('cli > runs git status', 'passed', did(
          ...times(2, exec('/usr/bin/git', ['git', 'status', '--short'], byChild)),
          exec('/usr/local/bin/git', [], { ...failed('ENOENT'), ...byChild }),
          openToWrite('/work/app/out/build.log'),
          rename('rename', '/work/app/out/tmp.json', '/work/app/out/final.json'),
        )),
        t(HOSTILE, 'passed', did(open(HOSTILE_SUBJECT))),
        t('cli > skipped on CI', 'skipped', []),
      ],
    },
    {
      file: 'src/config.test.ts',
      tests: [
        t('loadConfig > reads only its config', 'passed', did(
          ...times(3, open('/work/app/config/app.json')),
          open('/work/app/config/local.json', failed('ENOENT')),
        )),
        t('telemetry > phones home', 'failed', did(
          open('/work/app/config/app.json'),
          open('/root/.npmrc'),
          dns('telemetry.example.com'),
          connect(inet('203.0.113.7', 443)),
          event('setuid', { ids: [0], ...failed('EPERM') }),
        ), {
          violations: [
            { rule: 'read', kind: 'file_open', subject: '/root/.npmrc', message: 'open (read) /root/.npmrc: not in allow.read' },
            { rule: 'connect', kind: 'connect', subject: '203.0.113.7:443', message: 'connect 203.0.113.7:443: not in allow.connect' },
            { rule: 'resolve', kind: 'dns', subject: 'telemetry.example.com', message: 'dns telemetry.example.com: not in allow.resolve' },
          ],
        }),
        t('watcher > survives a burst', 'passed', did(...times(40, open('/work/app/config/app.json'))), { dropped: 12 }),
      ],
    },
  ];
  const tests = files.flatMap((f) => f.tests);
  return {
    version: 2,
    generatedAt: '2025-06-01T12:34:56.000Z',
    runner: { name: 'vitest', version: '4.1.12' },
    vivarium: { version: '0.1.0', backend: 'ebpf-ringbuf' },
    rootDir: '/work/app',
    tokens: { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' },
    policy: { source: 'vivarium.policy.json', mode: 'enforce' },
    files,
    totals: {
      tests: tests.length,
      events: tests.reduce((n, x) => n + x.events.reduce((m, e) => m + e.count, 0), 0),
      violations: tests.reduce((n, x) => n + x.violations.length, 0),
      dropped: tests.reduce((n, x) => n + x.dropped, 0),
    },
  };
}

/** Test ids in the page: 't' + index in file order. */
const ID = { git: 't0', hostile: 't1', skipped: 't2', config: 't3', phones: 't4', watcher: 't5' };
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

describe('renderHtmlReport (as text)', () => {
  const report = fixture();
  const html = renderHtmlReport(report);

  test('embeds the report as JSON that cannot leave its script element', () => {
    const m = /<script type="application\/json" id="vivarium-data">([^]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    expect(m![1]).not.toContain('<');
    expect(JSON.parse(m![1]!)).toEqual(report);
    // data, summary, the page script: no other element ends early or starts.
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
  });

  test('escapes text and JSON', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const tricky = { s: '</script><!-- \u2028\u2029 <script>' };
    const json = jsonForScriptTag(tricky);
    expect(json).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(tricky);
  });

  test('the static header carries the totals and the run, escaped', () => {
    expect(html).toContain('<dd id="total-tests">6</dd>');
    expect(html).toContain('<dd id="total-events">55</dd>');
    expect(html).toContain('<dd id="total-violations">3</dd>');
    expect(html).toContain('<dd id="total-dropped">12</dd>');
    expect(html).toContain('policy <b>enforce</b>');
    expect(html).toContain('<title>Vivarium: 6 tests, 3 violations</title>');
    const evil = renderHtmlReport({ ...report, rootDir: '/x/<b>y</b>', vivarium: { version: '"><script>', backend: '<i>' } });
    expect(evil).toContain('/x/&#60;b&#62;y&#60;/b&#62;');
    expect(evil.match(/<script/gi)).toHaveLength(3);
  });

  test('self-contained: no external resource, a CSP that admits only its own style and script', () => {
    const page = html.replace(/<script type="application\/json"[^]*?<\/script>/g, '');
    // Links only within the page (the footprint's #fp= filters).
    expect(page).not.toMatch(/\bsrc=|\bhref="(?!#)|https?:\/\/|@import|url\(/);
    const style = /<style>([^]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([^]*?)<\/script>/.exec(html)![1]!;
    expect(html).toContain(`style-src 'sha256-${sha256(style)}'`);
    expect(html).toContain(`script-src 'sha256-${sha256(script)}'`);
    expect(html).toContain("default-src 'none'");
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  test('without JavaScript: the static header with the totals, a notice, no dead controls', () => {
    const body = html.slice(0, html.indexOf('<script'));
    expect(body).toMatch(/<noscript><p class="notice">The list of tests is drawn by JavaScript[^]*?<\/noscript>/);
    expect(body).toContain('<form class="filters" id="filters" role="search" hidden>');
    expect(body).toContain('<span class="src">vivarium.policy.json</span>');
  });

  test('is pure', () => {
    expect(renderHtmlReport(fixture())).toBe(html);
  });

  test('per-test counts are distinct subjects per rule; violating events are matched by kind and subject', () => {
    const [git, , , config, phones] = report.files.flatMap((f) => f.tests);
    // read, write, exec, connect, resolve, http; a failed PATH lookup ran nothing, a rename writes both paths.
    expect(summarizeTestForHtml(git!)).toEqual({ counts: [0, 3, 1, 0, 0, 0], violating: [] });
    expect(summarizeTestForHtml(config!)).toEqual({ counts: [2, 0, 0, 0, 0, 0], violating: [] });
    expect(summarizeTestForHtml(phones!)).toEqual({ counts: [2, 0, 0, 1, 1, 0], violating: [1, 2, 3] });
    const [setuid] = did(event('setuid', { ids: [0] }));
    expect(violationMatchesEvent({ rule: 'privileged', kind: 'setuid', subject: 'setuid', message: '' }, setuid!)).toBe(true);
    const [moved] = did(rename('rename', '/a', '/etc/b'));
    expect(violationMatchesEvent({ rule: 'write', kind: 'rename', subject: '/etc/b', message: '' }, moved!)).toBe(true);
    expect(violationMatchesEvent({ rule: 'write', kind: 'unlink', subject: '/a', message: '' }, moved!)).toBe(false);
    const [unparsed] = did(dns(''));
    expect(violationMatchesEvent({ rule: 'resolve', kind: 'dns', subject: '(unparsed)', message: '' }, unparsed!)).toBe(true);
  });
});

// --- in a browser -------------------------------------------------------------

const skipBrowser = skipBrowserTests();

describe.skipIf(skipBrowser)('renderHtmlReport in headless Chromium', { timeout: 90_000 }, () => {
  let work: string;
  const pages: Record<string, Promise<string>> = {};
  const page = (hash: string) => {
    const url = `${pathToFileURL(join(work, 'vivarium-report.html')).href}${hash}`;
    return (pages[hash] ??= dumpDom(url, work));
  };
  const EXPANDED = `#open=${ID.phones},${ID.hostile}`;

  beforeAll(() => {
    if (CHROMIUM_MISSING) throw new Error(`HTML report browser tests cannot run in CI: ${CHROMIUM_MISSING}`);
    work = mkdtempSync(join(tmpdir(), 'vivarium-html-'));
    writeFileSync(join(work, 'vivarium-report.html'), renderHtmlReport(fixture()));
    // Start every browser at once; each test awaits its own page.
    for (const hash of [EXPANDED, '#q=GIT', '#violations=1&kind=connect']) page(hash).catch(() => {});
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('draws every test as a row with status, counts and violations, and the totals', async () => {
    const dom = await page(EXPANDED);
    const all = rows(dom);
    expect([...all.keys()]).toEqual(Object.values(ID));
    expect([...all.values()].every((r) => !r.hidden)).toBe(true);
    const config = all.get(ID.config)!;
    expect(config.text).toContain('loadConfig > reads only its config');
    expect(config.html).toContain('<span class="badge passed">passed</span>');
    expect(config.html).toContain('title="files read: 2">2</td>');
    const phones = all.get(ID.phones)!;
    expect(phones.classes).toBe('test violating open');
    expect(phones.html).toContain('<span class="badge failed">failed</span>');
    expect(phones.html).toContain('<span class="pill bad" title="3 violations">3</span>');
    expect(all.get(ID.watcher)!.html).toContain('12 lost');
    expect(dom).toContain('<dd id="total-tests">6</dd>');
    expect(dom).toContain('<dd id="total-violations">3</dd>');
    expect(dom).toMatch(/<output id="shown"[^>]*>6 tests<\/output>/);
    expect(dom).toContain('<span class="file-name">src/config.test.ts</span>');
  });

  test('an expanded test lists its events by kind and highlights the violating ones', async () => {
    const events = eventsOf(await page(EXPANDED), ID.phones);
    expect(events.match(/<section class="kind" data-kind="(\w+)">/g)).toEqual(
      ['file_open', 'connect', 'dns', 'setuid'].map((k) => `<section class="kind" data-kind="${k}">`),
    );
    expect(events).toContain('<code>/work/app/config/app.json</code>');
    expect(events).toMatch(/<tr class="bad"><td><code>\/root\/\.npmrc<\/code><\/td><td class="det">read<\/td><td><span class="tag bad">violation<\/span>/);
    expect(events).toMatch(/<tr class="bad"><td><code>203\.0\.113\.7:443<\/code>/);
    expect(events).toMatch(/<tr><td><code>\/work\/app\/config\/app\.json<\/code>/);
    expect(events).toContain('<span class="tag errno">EPERM</span>');
    expect(decode(events)).toContain('open (read) /root/.npmrc: not in allow.read');
  });

  test('a hostile test name and event subject render as text, nothing injected', async () => {
    const dom = await page(EXPANDED);
    const hostile = rows(dom).get(ID.hostile)!;
    expect(hostile.text).toContain(HOSTILE);
    expect(hostile.html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(decode(eventsOf(dom, ID.hostile))).toContain(HOSTILE_SUBJECT);
    expect(dom.match(/<script/g)).toHaveLength(3);
    expect(dom).not.toMatch(/<img|data-pwned/);
  });

  test('#q= pre-fills the text filter: matches event subjects, hides other rows and files', async () => {
    const dom = await page('#q=GIT');
    expect(dom).toMatch(/<input type="search" id="q"[^>]*>/);
    const all = rows(dom);
    expect([...all.values()].filter((r) => !r.hidden).map((r) => r.id)).toEqual([ID.git]);
    expect(dom).toMatch(/<output id="shown"[^>]*>1 of 6 tests shown<\/output>/);
    expect(dom).toMatch(/<details class="file" hidden="">\s*<summary>.*?src\/config\.test\.ts/);
    expect(dom).toMatch(/<details class="file" open="">\s*<summary>.*?src\/cli\.test\.ts/);
  });

  test('#violations=1&kind=connect keeps only violating tests that connected', async () => {
    const dom = await page('#violations=1&kind=connect');
    const all = rows(dom);
    // Files without a match stay collapsed and hidden: their rows are never drawn.
    expect([...all.keys()]).toEqual([ID.config, ID.phones, ID.watcher]);
    expect([...all.values()].filter((r) => !r.hidden).map((r) => r.id)).toEqual([ID.phones]);
    expect(dom).toMatch(/<details class="file" hidden="">\s*<summary>.*?src\/cli\.test\.ts/);
    expect(dom).toMatch(/<output id="shown"[^>]*>1 of 6 tests shown<\/output>/);
  });
});
