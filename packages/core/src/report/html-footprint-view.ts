// The footprint summary of vivarium-report.html as static HTML (readable
// without JavaScript; the page script makes its links filter the tests) and
// its stylesheet. See html-footprint.ts for what it shows.
import type { HtmlFootprint } from './html-footprint.js';

const SHOWN = 40;
const TITLE_ENTRIES = 20;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function entriesTitle(entries: readonly string[]): string {
  const shown = entries.slice(0, TITLE_ENTRIES);
  if (entries.length > shown.length) shown.push(`… and ${entries.length - shown.length} more`);
  return shown.join('\n');
}

export function renderFootprintSummary(footprint: HtmlFootprint): string {
  const newCount = footprint.sections.reduce((n, s) => n + s.items.filter((i) => i.isNew).length, 0);
  const compared = footprint.base
    ? `<p class="fp-base">Compared with <span class="src">${escape(footprint.base)}</span>: <b>${newCount} new ${newCount === 1 ? 'entry' : 'entries'}</b>, ${plural(Object.keys(footprint.added).length, 'test')} with new effects</p>`
    : '';
  const sections = footprint.sections.map((section) => {
    const items = section.items.slice(0, SHOWN).map(
      (item) =>
        `<li><a class="fp-item${item.isNew ? ' new' : ''}" id="fp-${escape(item.id)}" href="#fp=${escape(item.id)}" title="${escape(entriesTitle(item.entries))}">` +
        `<code>${escape(item.label)}</code> <span class="n">${plural(item.tests.length, 'test')}</span>${item.isNew ? ' <span class="tag new">new</span>' : ''}</a></li>`,
    );
    if (section.items.length > SHOWN) items.push(`<li class="more">… and ${section.items.length - SHOWN} more</li>`);
    const body = items.length ? `<ul>${items.join('')}</ul>` : '<p class="none">none</p>';
    return `<section class="fp-sec" data-section="${section.id}"><h3>${escape(section.title)} <span class="muted">${section.items.length}</span></h3>${body}</section>`;
  });
  return `<section class="footprint" id="footprint" aria-labelledby="footprint-title">
<h2 id="footprint-title">What the suite touched outside the project</h2>
${compared}<div class="fp-grid">${sections.join('\n')}</div>
</section>`;
}

export const FOOTPRINT_STYLE = `
.footprint{margin:0 0 18px;padding:14px 16px;background:var(--card);border:1px solid var(--line);border-radius:8px}
.footprint h2{font-size:15px;margin:0 0 8px}
.fp-base{margin:0 0 10px;color:var(--muted)}
.fp-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px 22px}
.fp-sec h3{font-size:12.5px;font-weight:600;color:var(--muted);margin:4px 0}
.fp-sec h3 .muted{font-weight:400;margin-left:4px}
.fp-sec ul{list-style:none;margin:0;padding:0}
.fp-sec li.more,.fp-sec .none{color:var(--faint);font-size:12.5px;margin:2px 0}
a.fp-item{display:flex;align-items:baseline;gap:8px;padding:2px 6px;margin:0 -6px;border-radius:4px;color:inherit;text-decoration:none}
a.fp-item code{overflow-wrap:anywhere;margin-right:auto}
a.fp-item .n{color:var(--muted);font-size:12px;white-space:nowrap}
a.fp-item:hover{background:var(--hover)}
a.fp-item.active{background:var(--mark)}
a.fp-item.new code{color:var(--green);font-weight:600}
.tag.new,.pill.new{color:var(--green);background:var(--green-bg)}
.pill.new{margin-left:8px}
#fp-active{display:inline-flex;gap:6px;align-items:center;white-space:nowrap}
#fp-active[hidden],#only-new-label[hidden]{display:none}
ul.added{list-style:none;margin:12px 0 0;padding:8px 12px;border:1px solid var(--line);border-left:3px solid var(--green);background:var(--green-bg);border-radius:6px}
ul.added li{font-family:var(--mono);font-size:12.5px;padding:2px 0;overflow-wrap:anywhere}
`;
