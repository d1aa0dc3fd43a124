// The stylesheet and the browser script of vivarium-report.html (see html.ts).
// The script reads #vivarium-data (the Report) and #vivarium-summary (per-test
// counts and violating event indexes), builds rows with DOM APIs only, and
// keeps the view in the URL hash (#q=…&violations=1&failed=1&kind=exec&open=t3,t7)
// so a filtered view with expanded tests can be shared.

export const HTML_REPORT_STYLE = `
:root{--bg:#f5f6f8;--card:#fff;--text:#1a2030;--muted:#596275;--faint:#9aa2b1;--line:#e1e4ea;--soft:#f7f8fa;--hover:#f2f5fb;
--red:#b42318;--red-solid:#c0291d;--red-bg:#fef3f2;--red-line:#f6b8b2;--green:#05603a;--green-bg:#e7f8ee;--amber:#93370d;--amber-bg:#fff6e0;
--amber-line:#f5cf7a;--gray:#475467;--gray-bg:#eef0f4;--accent:#2452c4;--mark:#fff0a6;
--mono:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--bg:#0e1116;--card:#161a21;--text:#e5e8ee;--muted:#9ba4b4;--faint:#5d6677;--line:#2a303b;--soft:#1b2029;--hover:#1d2330;
--red:#ff9c92;--red-solid:#c4281c;--red-bg:#351614;--red-line:#6e2621;--green:#75e0a7;--green-bg:#0f2c1e;--amber:#fdb75a;--amber-bg:#33240c;
--amber-line:#7a5412;--gray:#c3c9d4;--gray-bg:#262c37;--accent:#93b1ff;--mark:#5c4a00}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.wrap{max-width:1320px;margin:0 auto;padding:0 24px}
code,.mono{font-family:var(--mono);font-size:12.5px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.top{background:var(--card);border-bottom:1px solid var(--line);padding:20px 0}
.top .wrap{display:flex;flex-wrap:wrap;gap:16px 32px;align-items:center;justify-content:space-between}
h1{font-size:20px;margin:0 0 4px;letter-spacing:-.01em}
.meta,.root{margin:0;color:var(--muted);font-size:13px}
.meta b{color:var(--text);font-weight:600}
.root{font-family:var(--mono);font-size:12px;margin-top:2px}
.src{font-family:var(--mono);font-size:12px}
.totals{display:flex;flex-wrap:wrap;gap:10px;margin:0}
.stat{min-width:112px;padding:8px 14px;border:1px solid var(--line);border-radius:8px}
.stat dt{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.stat dd{margin:0;font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.stat dd.sub{font-size:12px;font-weight:400;color:var(--muted)}
.stat.bad{border-color:var(--red-line);background:var(--red-bg)}.stat.bad dd,.stat.bad dt{color:var(--red)}
.stat.warn{border-color:var(--amber-line);background:var(--amber-bg)}.stat.warn dd,.stat.warn dt{color:var(--amber)}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:10px 0}
.filters .wrap{display:flex;flex-wrap:wrap;align-items:center;gap:8px 18px}
.search{flex:1 1 260px;display:flex}
select{max-width:220px}
input[type=search],select,.actions button{font:inherit;color:var(--text);background:var(--card);border:1px solid #c9ced8;border-radius:6px;padding:6px 10px}
input[type=search]{width:100%}
.check{display:inline-flex;gap:6px;align-items:center;white-space:nowrap;cursor:pointer}
.actions{display:inline-flex;gap:6px}.actions button{padding:5px 10px;cursor:pointer}
.actions button:hover{background:var(--hover)}
#shown{margin-left:auto;color:var(--muted);font-size:13px;white-space:nowrap}
main{padding-top:14px;padding-bottom:40px}
.notice{padding:12px 16px;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--muted)}
details.file{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 12px;overflow:hidden}
details.file>summary{display:flex;align-items:center;gap:10px;padding:10px 14px;cursor:pointer;list-style:none;user-select:none}
details.file>summary::-webkit-details-marker{display:none}
details.file>summary:hover{background:var(--hover)}
.caret{flex:none;width:0;height:0;border-left:6px solid var(--muted);border-top:4.5px solid transparent;border-bottom:4.5px solid transparent;transition:transform .12s}
details[open]>summary .caret,tr.open .caret{transform:rotate(90deg)}
.file-name{font-family:var(--mono);font-size:13px;font-weight:600;margin-right:auto;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.pill,.badge,.tag{display:inline-block;border-radius:999px;font-size:12px;font-weight:600;line-height:18px;padding:0 8px;white-space:nowrap}
.pill.bad,.tag.bad{color:#fff;background:var(--red-solid)}
.pill.fail{color:var(--red);background:var(--red-bg)}
.pill.warn{color:var(--amber);background:var(--amber-bg);margin-left:8px}
.badge{min-width:58px;text-align:center;color:var(--gray);background:var(--gray-bg)}
.badge.passed{color:var(--green);background:var(--green-bg)}.badge.failed{color:var(--red);background:var(--red-bg)}
table{width:100%;border-collapse:collapse;table-layout:fixed}
table.tests{border-top:1px solid var(--line)}
table.tests thead th{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);background:var(--soft);padding:6px 10px;text-align:left}
table.tests thead th.num{text-align:right}
col.c-status{width:96px}col.c-num{width:92px}col.c-viol{width:100px}
tr.test>*{padding:7px 10px;border-top:1px solid var(--line);vertical-align:middle}
tr.test>th{text-align:left;font-weight:400}
tr.test{cursor:pointer;scroll-margin-top:64px}tr.test:hover{background:var(--hover)}
tr.test.violating>td:first-child{box-shadow:inset 3px 0 0 var(--red-solid)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.zero{color:var(--faint)}
button.toggle{all:unset;display:inline-flex;align-items:baseline;gap:8px;cursor:pointer;overflow-wrap:anywhere;border-radius:3px}
button.toggle .caret{align-self:center}
.prefix{color:var(--muted)}
tr.detail>td{padding:0 14px 14px 38px;background:var(--soft);border-top:1px dashed var(--line)}
ul.violations{list-style:none;margin:12px 0 0;padding:8px 12px;border:1px solid var(--red-line);border-left:3px solid var(--red-solid);background:var(--red-bg);border-radius:6px}
ul.violations li{font-family:var(--mono);font-size:12.5px;padding:2px 0;overflow-wrap:anywhere}
.tag{font-size:11px;line-height:17px;padding:0 6px;border-radius:4px;margin-right:6px;color:var(--gray);background:var(--gray-bg)}
.tag.errno{color:var(--amber);background:var(--amber-bg)}
.note{margin:12px 0 0;color:var(--amber)}
section.kind{margin-top:12px}
section.kind h3{margin:0 0 4px;font-size:12.5px;font-family:var(--mono);font-weight:600}
section.kind h3 .muted{font-family:system-ui,sans-serif;font-weight:400;margin-left:6px}
table.ev{background:var(--card);border:1px solid var(--line)}
table.ev td{padding:4px 10px;border-top:1px solid var(--line);font-size:12.5px;overflow-wrap:anywhere;vertical-align:top}
col.c-flags{width:220px}col.c-count{width:64px}
table.ev td.det{color:var(--muted);font-family:var(--mono);font-size:12px}
table.ev tr.bad td{background:var(--red-bg)}table.ev tr.bad td:first-child{box-shadow:inset 3px 0 0 var(--red-solid)}
table.ev tr.hit code{background:var(--mark);border-radius:2px}
.req{display:block;color:var(--muted);font-size:12px}
button.more{margin-top:6px;font:inherit;font-size:12.5px;color:var(--accent);background:none;border:0;padding:0;cursor:pointer;text-decoration:underline}
`;

export const HTML_REPORT_SCRIPT = String.raw`
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const report = JSON.parse($('vivarium-data').textContent);
  const meta = JSON.parse($('vivarium-summary').textContent);
  const LABELS = { read: 'files read', write: 'files written', exec: 'programs run', connect: 'endpoints connected to', resolve: 'hosts resolved' };
  const HEADS = { read: 'Read', write: 'Written', exec: 'Programs', connect: 'Endpoints', resolve: 'Hosts' };
  const AUTO_OPEN = 300, LINES = 500;
  const state = { q: '', violations: false, failed: false, kind: '' };

  // createElement + text nodes only: data never goes through an HTML parser.
  function h(tag, props, kids) {
    const el = document.createElement(tag);
    for (const k in props || {}) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v; else if (k === 'text') el.textContent = v; else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids || []) if (kid != null && kid !== false) el.append(kid);
    return el;
  }
  const fmt = (n) => n.toLocaleString('en-US');
  const plural = (n, word) => fmt(n) + ' ' + word + (n === 1 ? '' : 's');

  const groups = [], all = [];
  report.files.forEach((f, fi) => {
    const g = { file: f.file, items: [], el: null, tbody: null, count: null };
    f.tests.forEach((t, ti) => { const x = { t, s: meta.tests[fi][ti], g, id: 't' + all.length, ok: true, open: false }; g.items.push(x); all.push(x); });
    groups.push(g);
  });

  const hay = (x) => x.hay || (x.hay = [x.t.name, x.g.file].concat(x.t.events.map((e) => e.subject)).join('\n').toLowerCase());
  const active = () => !!(state.q || state.violations || state.failed || state.kind);
  function matches(x) {
    if (state.violations && !x.t.violations.length) return false;
    if (state.failed && x.t.status !== 'failed') return false;
    if (state.kind && !x.t.events.some((e) => e.kind === state.kind)) return false;
    return !state.q || hay(x).includes(state.q.toLowerCase());
  }

  function fileGroup(g) {
    const nv = g.items.reduce((n, x) => n + x.t.violations.length, 0);
    const nf = g.items.filter((x) => x.t.status === 'failed').length;
    g.count = h('span', { class: 'muted' });
    g.el = h('details', { class: 'file' }, [h('summary', null, [
      h('span', { class: 'caret', 'aria-hidden': 'true' }), h('span', { class: 'file-name', text: g.file }), g.count,
      nf ? h('span', { class: 'pill fail', text: nf + ' failed' }) : null,
      nv ? h('span', { class: 'pill bad', text: plural(nv, 'violation') }) : null,
    ])]);
    g.el.addEventListener('toggle', () => { if (g.el.open) build(g); });
    return g.el;
  }
  function openGroup(g) { build(g); g.el.open = true; }
  // Opens the wanted files, those with violations first, within a budget of drawn rows (at least one file).
  function openSome(wanted) {
    const rank = (g) => (g.items.some((x) => x.t.violations.length) ? 0 : 1);
    let budget = AUTO_OPEN;
    for (const g of groups.filter(wanted).sort((a, b) => rank(a) - rank(b))) {
      if (budget <= 0) break;
      if (!g.el.open) openGroup(g);
      budget -= g.items.length;
    }
  }

  function build(g) {
    if (g.tbody) return;
    const th = (text, cls, title) => h('th', { scope: 'col', class: cls, title, text });
    g.tbody = h('tbody');
    g.el.append(h('table', { class: 'tests' }, [
      h('colgroup', null, [h('col', { class: 'c-status' }), h('col')].concat(meta.categories.map(() => h('col', { class: 'c-num' })), [h('col', { class: 'c-viol' })])),
      h('thead', null, [h('tr', null, [th('Status'), th('Test')].concat(meta.categories.map((c) => th(HEADS[c], 'num', 'distinct ' + LABELS[c])), [th('Violations', 'num')]))]),
      g.tbody,
    ]));
    for (const x of g.items) { g.tbody.append(row(x)); x.row.hidden = !x.ok; }
  }

  function row(x) {
    const t = x.t, nv = t.violations.length, parts = t.name.split(' > '), last = parts.pop();
    x.btn = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false' }, [
      h('span', { class: 'caret', 'aria-hidden': 'true' }),
      h('span', null, [parts.length ? h('span', { class: 'prefix', text: parts.join(' > ') + ' > ' }) : null, last]),
    ]);
    x.btn.addEventListener('click', () => toggleAndRemember(x));
    x.row = h('tr', { class: 'test' + (nv ? ' violating' : ''), id: x.id }, [
      h('td', null, [h('span', { class: 'badge ' + t.status, text: t.status })]),
      h('th', { scope: 'row' }, [x.btn, t.dropped ? h('span', { class: 'pill warn', title: 'events lost: the ring buffer was full', text: fmt(t.dropped) + ' lost' }) : null]),
    ].concat(x.s.counts.map((n, i) => h('td', { class: 'num' + (n ? '' : ' zero'), title: LABELS[meta.categories[i]] + ': ' + n, text: String(n) })), [
      h('td', { class: 'num' }, [nv ? h('span', { class: 'pill bad', title: plural(nv, 'violation'), text: String(nv) }) : h('span', { class: 'zero', text: '0' })]),
    ]));
    x.row.addEventListener('click', (ev) => { if (!ev.target.closest('button') && getSelection().isCollapsed) toggleAndRemember(x); });
    return x.row;
  }

  function toggle(x) {
    x.open = !x.open;
    if (!x.det) { x.det = detail(x); x.row.after(x.det); x.btn.setAttribute('aria-controls', x.det.id); }
    x.det.hidden = !x.open || !x.ok;
    x.row.classList.toggle('open', x.open);
    x.btn.setAttribute('aria-expanded', String(x.open));
    decorate(x);
  }
  function toggleAndRemember(x) { toggle(x); writeHash(); }

  function detail(x) {
    const t = x.t, bad = new Set(x.s.violating), box = [];
    if (t.violations.length) box.push(h('ul', { class: 'violations', 'aria-label': 'Violations' }, t.violations.map((v) => h('li', null, [h('span', { class: 'tag bad', text: v.rule }), v.message]))));
    if (t.dropped) box.push(h('p', { class: 'note', text: plural(t.dropped, 'event') + ' lost (the ring buffer was full): the list below is incomplete.' }));
    if (!t.events.length) box.push(h('p', { class: 'muted', text: 'No events recorded for this test.' }));
    const byKind = new Map();
    t.events.forEach((e, i) => { if (!byKind.has(e.kind)) byKind.set(e.kind, []); byKind.get(e.kind).push(i); });
    x.lines = [];
    x.sections = [...byKind.keys()].sort((a, b) => meta.kinds.indexOf(a) - meta.kinds.indexOf(b)).map((kind) => {
      const idx = byKind.get(kind), total = idx.reduce((n, i) => n + t.events[i].count, 0);
      const tbody = h('tbody');
      const add = (from, to) => { for (const i of idx.slice(from, to)) tbody.append(line(x, t.events[i], bad.has(i))); };
      add(0, LINES);
      const sec = h('section', { class: 'kind', 'data-kind': kind }, [
        h('h3', null, [kind, h('span', { class: 'muted', text: plural(idx.length, 'line') + (total !== idx.length ? ', ' + plural(total, 'event') : '') })]),
        h('table', { class: 'ev' }, [h('colgroup', null, [h('col', { class: 'c-subject' }), h('col'), h('col', { class: 'c-flags' }), h('col', { class: 'c-count' })]), tbody]),
      ]);
      if (idx.length > LINES) {
        const more = h('button', { type: 'button', class: 'more', text: 'Show all ' + plural(idx.length, 'line') });
        more.addEventListener('click', () => { add(LINES); more.remove(); decorate(x); });
        sec.append(more);
      }
      return sec;
    });
    return h('tr', { class: 'detail', id: x.id + '-events' }, [h('td', { colspan: 2 + meta.categories.length + 1 }, box.concat(x.sections))]);
  }

  function line(x, e, bad) {
    const tr = h('tr', { class: bad ? 'bad' : null }, [
      h('td', null, [h('code', { text: e.subject }), e.requested ? h('span', { class: 'req', text: 'requested as ' + e.requested }) : null]),
      h('td', { class: 'det', text: e.detail || '' }),
      h('td', null, [
        bad ? h('span', { class: 'tag bad', text: 'violation' }) : null,
        e.errno ? h('span', { class: 'tag errno', text: e.errno }) : null,
        e.child ? h('span', { class: 'tag', title: 'done by a child process of the test worker', text: 'child' }) : null,
      ]),
      h('td', { class: 'num', text: '\u00d7' + fmt(e.count) }),
    ]);
    x.lines.push({ tr, subject: e.subject.toLowerCase() });
    return tr;
  }

  // Inside an expanded test: the kind filter hides other kinds, the text filter marks matching subjects.
  function decorate(x) {
    if (!x.det) return;
    const q = state.q.toLowerCase();
    for (const sec of x.sections) sec.hidden = !!state.kind && sec.dataset.kind !== state.kind;
    for (const l of x.lines) l.tr.classList.toggle('hit', !!q && l.subject.includes(q));
  }

  function apply() {
    let shown = 0;
    for (const g of groups) {
      let n = 0;
      for (const x of g.items) {
        x.ok = matches(x);
        if (x.ok) n++;
        if (x.row) x.row.hidden = !x.ok;
        if (x.det) { x.det.hidden = !x.ok || !x.open; decorate(x); }
      }
      g.el.hidden = n === 0;
      g.count.textContent = active() ? fmt(n) + ' of ' + plural(g.items.length, 'test') : plural(g.items.length, 'test');
      shown += n;
    }
    if (active()) openSome((g) => !g.el.hidden);
    $('shown').textContent = active() ? fmt(shown) + ' of ' + plural(all.length, 'test') + ' shown' : plural(all.length, 'test');
    $('empty').hidden = shown > 0;
    if (!all.length) $('empty').textContent = 'This report has no tests.';
  }

  // Filters and expanded tests <-> URL hash: #q=passwd&violations=1&failed=1&kind=exec&open=t0,t4
  const byId = new Map(all.map((x) => [x.id, x]));
  const flag = (v) => v != null && v !== '0' && v !== 'false';
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    state.q = p.get('q') || ''; state.violations = flag(p.get('violations')); state.failed = flag(p.get('failed')); state.kind = p.get('kind') || '';
    $('q').value = state.q; $('only-violations').checked = state.violations; $('only-failed').checked = state.failed; $('kind').value = state.kind;
    state.kind = $('kind').value;
    return (p.get('open') || '').split(',').map((id) => byId.get(id)).filter(Boolean);
  }
  function writeHash() {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.violations) p.set('violations', '1');
    if (state.failed) p.set('failed', '1');
    if (state.kind) p.set('kind', state.kind);
    const open = all.filter((x) => x.open).map((x) => x.id);
    if (open.length) p.set('open', open.join(','));
    const hash = p.toString();
    try { history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search); } catch (_) { /* some file:// contexts refuse */ }
  }
  function readControls() {
    state.q = $('q').value.trim(); state.violations = $('only-violations').checked; state.failed = $('only-failed').checked; state.kind = $('kind').value;
    writeHash();
    apply();
  }
  function expand(xs) {
    for (const x of all) if (x.open !== xs.includes(x)) { if (!x.row) openGroup(x.g); toggle(x); }
    if (xs.length && xs[0].ok && xs[0].row.getBoundingClientRect().top > innerHeight - 120) xs[0].row.scrollIntoView({ block: 'start' });
  }

  const kinds = new Map();
  for (const x of all) for (const k of new Set(x.t.events.map((e) => e.kind))) kinds.set(k, (kinds.get(k) || 0) + 1);
  for (const k of meta.kinds) if (kinds.has(k)) $('kind').append(h('option', { value: k, text: k + ' (' + plural(kinds.get(k), 'test') + ')' }));

  let timer = 0;
  $('q').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(readControls, 120); });
  for (const id of ['only-violations', 'only-failed', 'kind']) $(id).addEventListener('change', readControls);
  $('filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('open-all').addEventListener('click', () => { for (const g of groups) if (!g.el.hidden) openGroup(g); });
  $('close-all').addEventListener('click', () => { for (const g of groups) g.el.open = false; });
  addEventListener('hashchange', () => { const xs = readHash(); apply(); expand(xs); });
  addEventListener('keydown', (ev) => { if (ev.key === '/' && document.activeElement === document.body) { ev.preventDefault(); $('q').focus(); } });

  const list = $('tests');
  for (const g of groups) list.append(fileGroup(g));
  const opened = readHash();
  $('filters').hidden = false;
  apply();
  if (!active()) openSome((g) => all.length <= AUTO_OPEN || g.items.some((x) => x.t.violations.length || x.t.status === 'failed'));
  expand(opened);
})();
`;
