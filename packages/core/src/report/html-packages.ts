// "Which dependencies touched the file system, the network, other programs":
// a run's events grouped by the npm package of their JS call site (events of
// reports written with provenance on carry one). Static HTML, like the footprint.
import { judgedSubjects } from '../event-lines.js';
import { NO_USER_FRAME, PROJECT, ownerOf } from '../provenance/origin.js';
import { subjectText } from '../subjects.js';
import { HTML_REPORT_CATEGORIES } from './html.js';
import type { Report } from './types.js';

/** The events of one package (or of the project's own code, or of no user frame). */
export interface PackageGroup {
  /** 'rc@1.2.8', 'the project' (no node_modules frame), or 'no user frame'. */
  label: string;
  /** Distinct subjects per HTML_REPORT_CATEGORIES entry, sorted. */
  subjects: string[][];
  /** Tests (and records outside tests) with events of this package. */
  tests: number;
  /** Its events, counts included. */
  events: number;
}

export { NO_USER_FRAME, PROJECT };

/** Groups by package, the packages first (most subjects first), then the project, then calls with no user frame. Empty without provenance. */
export function summarizePackages(report: Report): PackageGroup[] {
  const groups = new Map<string, { subjects: Array<Set<string>>; tests: Set<string>; events: number }>();
  for (const file of report.files)
    for (const test of file.tests)
      for (const event of test.events) {
        const origin = event.origin;
        if (!origin || !event.rule) continue;
        const label = ownerOf(origin);
        let group = groups.get(label);
        if (!group) groups.set(label, (group = { subjects: HTML_REPORT_CATEGORIES.map(() => new Set<string>()), tests: new Set(), events: 0 }));
        const at = (HTML_REPORT_CATEGORIES as readonly string[]).indexOf(event.rule);
        if (at >= 0) for (const subject of judgedSubjects(event, event.rule)) group.subjects[at]!.add(subjectText(subject));
        group.tests.add(`${file.file}\0${test.name}`);
        group.events += event.count;
      }
  const rank = (label: string) => (label === NO_USER_FRAME ? 2 : label === PROJECT ? 1 : 0);
  const size = (g: PackageGroup) => g.subjects.reduce((n, s) => n + s.length, 0);
  return [...groups]
    .map(([label, g]) => ({ label, subjects: g.subjects.map((s) => [...s].sort()), tests: g.tests.size, events: g.events }))
    .sort((a, b) => rank(a.label) - rank(b.label) || size(b) - size(a) || a.label.localeCompare(b.label));
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Column heads per HTML_REPORT_CATEGORIES entry (the page script's HEADS). */
const HEADS: Record<(typeof HTML_REPORT_CATEGORIES)[number], string> = { read: 'Read', write: 'Written', exec: 'Programs', connect: 'Endpoints', resolve: 'Hosts', http: 'Requests' };
const SHOWN = 12;

export function renderPackages(groups: readonly PackageGroup[]): string {
  if (!groups.length) return '';
  const rows = groups.map((g) => {
    const cells = g.subjects.map((list) => {
      if (!list.length) return '<td class="num zero">0</td>';
      const shown = list.slice(0, SHOWN).map((s) => `<li><code>${escape(s)}</code></li>`);
      if (list.length > SHOWN) shown.push(`<li class="more">… and ${list.length - SHOWN} more</li>`);
      return `<td><details><summary class="num">${list.length}</summary><ul>${shown.join('')}</ul></details></td>`;
    });
    const name = g.label === PROJECT || g.label === NO_USER_FRAME ? `<i>${escape(g.label)}</i>` : `<code>${escape(g.label)}</code>`;
    return `<tr><th scope="row">${name}</th>${cells.join('')}<td class="num">${g.tests}</td></tr>`;
  });
  return `<section class="packages" id="packages" aria-labelledby="packages-title">
<h2 id="packages-title">By package: which code touched the file system, the network, other programs</h2>
<table class="pk"><thead><tr><th scope="col">package</th>${HTML_REPORT_CATEGORIES.map((c) => `<th scope="col" class="num">${HEADS[c]}</th>`).join('')}<th scope="col" class="num">tests</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</section>`;
}

export const PACKAGES_STYLE = `
.packages{margin:0 0 18px;padding:14px 16px;background:var(--card);border:1px solid var(--line);border-radius:8px}
.packages h2{font-size:15px;margin:0 0 8px}
table.pk{border-collapse:collapse;width:100%}
table.pk th,table.pk td{text-align:left;vertical-align:top;padding:3px 8px;border-top:1px solid var(--line)}
table.pk .num{text-align:right}
table.pk td.zero{color:var(--faint)}
table.pk details ul{list-style:none;margin:4px 0 0;padding:0;text-align:left}
table.pk details li{font-size:12.5px;overflow-wrap:anywhere}
table.pk summary{cursor:pointer}
.origin{display:block;color:var(--muted);font-size:12px;font-family:var(--mono);overflow-wrap:anywhere}
.origin .tag.pkg{margin-left:6px}
`;
