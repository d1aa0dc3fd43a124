// vivarium-report.html: one self-contained file to read a report at a glance.
// The header is static HTML (readable without JavaScript); the tests are
// rendered in the browser from the report embedded as JSON, lazily per file,
// with DOM APIs only (no innerHTML). A CSP allows nothing but this file's own
// style and script, so the page loads no resource and runs no injected code.
import { createRequire } from 'node:module';
import type { PolicyRule } from '../event-kinds.js';
import { type ReportEvent, type Violation, judgedSubjects } from '../event-lines.js';
import { EVENT_KINDS } from '../events.js';
import { subjectText } from '../subjects.js';
import type { RunFootprint } from '../footprint/run.js';
import { HTML_REPORT_SCRIPT } from './html-assets.js';
import { summarizeFootprint } from './html-footprint.js';
import { FOOTPRINT_STYLE, renderFootprintSummary } from './html-footprint-view.js';
import { PACKAGES_STYLE, renderPackages, summarizePackages } from './html-packages.js';
import { HTML_REPORT_STYLE } from './html-style.js';
import type { Report, ReportTest } from './types.js';

/** What the page compares the run with. */
export interface HtmlReportOptions {
  /** The footprint of a base run: what is new since it is highlighted. */
  base?: RunFootprint;
  /** Where the base came from, as the page names it. */
  baseSource?: string;
}

const STYLE = HTML_REPORT_STYLE + FOOTPRINT_STYLE + PACKAGES_STYLE;

/** The per-test count columns, in order: distinct subjects per policy rule. */
export const HTML_REPORT_CATEGORIES = ['read', 'write', 'exec', 'connect', 'resolve', 'http'] as const satisfies readonly PolicyRule[];

/** What the page shows per test without re-deriving policy semantics in the browser. */
export interface HtmlTestSummary {
  /** Distinct subjects per HTML_REPORT_CATEGORIES entry. */
  counts: number[];
  /** Indexes into test.events of the events a violation names. */
  violating: number[];
}

/** Text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no raw line separators. */
export function jsonForScriptTag(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The texts of the subjects a line's rule judges (both paths of a rename for `write`). */
const judgedTexts = (event: ReportEvent) => (event.rule ? judgedSubjects(event, event.rule).map(subjectText) : []);

/** Whether a violation is about this event: same kind and rule, and one of the subjects that rule judges. */
export function violationMatchesEvent(violation: Violation, event: ReportEvent): boolean {
  if (violation.kind !== event.kind || violation.rule !== event.rule) return false;
  const texts = judgedTexts(event);
  // A line with nothing to judge (an unparsed DNS name) is named by its description.
  return texts.length ? texts.includes(violation.subject) : violation.subject === event.subject;
}

export function summarizeTestForHtml(test: ReportTest): HtmlTestSummary {
  const subjects = HTML_REPORT_CATEGORIES.map(() => new Set<string>());
  const violating: number[] = [];
  test.events.forEach((event, i) => {
    const set = event.rule && subjects[(HTML_REPORT_CATEGORIES as readonly string[]).indexOf(event.rule)];
    if (set) for (const text of judgedTexts(event)) set.add(text);
    if (test.violations.some((v) => violationMatchesEvent(v, event))) violating.push(i);
  });
  return { counts: subjects.map((s) => s.size), violating };
}

// node:crypto loaded when a report is written, not with every worker's @vivarium/core.
let crypto: typeof import('node:crypto') | undefined;
const sha256 = (text: string) => {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return `'sha256-${crypto.createHash('sha256').update(text).digest('base64')}'`;
};
const number = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${number(n)} ${word}${n === 1 ? '' : 's'}`;

function when(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function header(report: Report): string {
  const tests = report.files.flatMap((f) => f.tests);
  const byStatus = new Map<string, number>();
  for (const t of tests) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
  const statuses = [...byStatus].map(([status, n]) => `${number(n)} ${status}`).join(' · ');
  const { totals, policy } = report;
  const meta = [
    `<b>${escapeHtml(report.runner.name)}</b>${report.runner.version ? ` ${escapeHtml(report.runner.version)}` : ''}`,
    `backend <b>${escapeHtml(report.vivarium.backend)}</b>`,
    policy ? `policy <b>${escapeHtml(policy.mode)}</b> <span class="src">${escapeHtml(policy.source)}</span>` : 'no policy',
    `vivarium ${escapeHtml(report.vivarium.version)}`,
    `<time datetime="${escapeHtml(report.generatedAt)}">${escapeHtml(when(report.generatedAt))}</time>`,
  ];
  const stat = (id: string, label: string, value: number, tone: string, sub = '') =>
    `<div class="stat${value > 0 && tone ? ` ${tone}` : ''}"><dt>${label}</dt><dd id="total-${id}">${number(value)}</dd>${sub ? `<dd class="sub">${escapeHtml(sub)}</dd>` : ''}</div>`;
  return `<header class="top"><div class="wrap">
<div class="heading"><h1>Vivarium report</h1><p class="meta">${meta.join('<span class="sep" aria-hidden="true"> · </span>')}</p>
<p class="root">${escapeHtml(report.rootDir)}</p></div>
<dl class="totals">${[
    stat('tests', 'Tests', totals.tests, '', statuses),
    stat('events', 'Events', totals.events, ''),
    stat('violations', 'Violations', totals.violations, 'bad'),
    stat('dropped', 'Dropped', totals.dropped, 'warn'),
  ].join('')}</dl>
</div></header>`;
}

const FILTERS = `<form class="filters" id="filters" role="search" hidden><div class="wrap">
<label class="search"><span class="sr-only">Filter by test name, file or event subject</span><input type="search" id="q" placeholder="Filter tests, files, paths, hosts…   ( / )" autocomplete="off" spellcheck="false"></label>
<label class="check"><input type="checkbox" id="only-violations"> only tests with violations</label>
<label class="check"><input type="checkbox" id="only-failed"> only failed tests</label>
<label class="kind"><span class="sr-only">Event kind</span><select id="kind"><option value="">all event kinds</option></select></label>
<label class="check" id="only-new-label" hidden><input type="checkbox" id="only-new"> only tests with new effects</label>
<span id="fp-active" hidden>touching <code id="fp-label"></code><button type="button" id="fp-clear" title="Show all tests">×</button></span>
<span class="actions"><button type="button" id="open-all">Expand files</button><button type="button" id="close-all">Collapse</button></span>
<output id="shown" aria-live="polite"></output>
</div></form>`;

/** The whole report as one HTML document, opening on the run's footprint. Pure: same input, same bytes. */
export function renderHtmlReport(report: Report, options: HtmlReportOptions = {}): string {
  const footprint = summarizeFootprint(report, options.base && { footprint: options.base, source: options.baseSource ?? 'the base run' });
  const summary = {
    kinds: EVENT_KINDS,
    categories: HTML_REPORT_CATEGORIES,
    tests: report.files.map((f) => f.tests.map(summarizeTestForHtml)),
    // What the script needs of the footprint: which tests each entry's link shows, and what each test gained.
    footprint: {
      items: Object.fromEntries(footprint.sections.flatMap((s) => s.items.map((i) => [i.id, { label: i.label, tests: i.tests }]))),
      added: footprint.added,
      ...(footprint.base ? { base: footprint.base } : {}),
    },
  };
  const { totals } = report;
  const title = `Vivarium: ${plural(totals.tests, 'test')}, ${plural(totals.violations, 'violation')}`;
  const csp = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(HTML_REPORT_SCRIPT)}; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="Vivarium ${escapeHtml(report.vivarium.version)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(report)}
${FILTERS}
<main class="wrap">
<noscript><p class="notice">The list of tests is drawn by JavaScript, which is disabled. The totals above are complete; the full report is embedded in this file as JSON (element <code>#vivarium-data</code>) and written next to it as <code>vivarium-report.json</code>.</p></noscript>
${renderFootprintSummary(footprint)}
${renderPackages(summarizePackages(report))}
<div id="tests"></div>
<p id="empty" class="notice" hidden>No test matches these filters.</p>
</main>
<script type="application/json" id="vivarium-data">${jsonForScriptTag(report)}</script>
<script type="application/json" id="vivarium-summary">${jsonForScriptTag(summary)}</script>
<script>${HTML_REPORT_SCRIPT}</script>
</body>
</html>
`;
}
