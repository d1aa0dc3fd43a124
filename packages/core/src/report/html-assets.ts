// The browser script of vivarium-report.html (see html.ts; its stylesheet is
// html-style.ts). It reads #vivarium-data (the Report) and #vivarium-summary
// (per-test counts and violating event indexes; the footprint's entries and
// the tests behind each, and what each test gained since a base run), builds
// rows with DOM APIs only, and keeps the view in the URL hash
// (#q=…&violations=1&failed=1&kind=exec&fp=exec.0&new=1&open=t3,t7) so a
// filtered view with expanded tests can be shared.

export const HTML_REPORT_SCRIPT = String.raw`
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const report = JSON.parse($('vivarium-data').textContent);
  const meta = JSON.parse($('vivarium-summary').textContent);
  const LABELS = { read: 'files read', write: 'files written', exec: 'programs run', connect: 'endpoints connected to', resolve: 'hosts resolved', http: 'HTTP requests' };
  const HEADS = { read: 'Read', write: 'Written', exec: 'Programs', connect: 'Endpoints', resolve: 'Hosts', http: 'Requests' };
  const AUTO_OPEN = 300, LINES = 500;
  const state = { q: '', violations: false, failed: false, kind: '', fp: '', news: false };
  const fp = meta.footprint, fpTests = new Map(Object.entries(fp.items).map(([id, item]) => [id, new Set(item.tests)]));

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
    f.tests.forEach((t, ti) => { const n = all.length, x = { t, n, s: meta.tests[fi][ti], added: fp.added[n], g, id: 't' + n, ok: true, open: false }; g.items.push(x); all.push(x); });
    groups.push(g);
  });

  const hay = (x) => x.hay || (x.hay = [x.t.name, x.g.file].concat(x.t.events.map((e) => e.subject), x.t.events.map((e) => (e.origin && e.origin.package ? e.origin.package.name : ''))).join('\n').toLowerCase());
  const active = () => !!(state.q || state.violations || state.failed || state.kind || state.fp || state.news);
  function matches(x) {
    if (state.fp && !(fpTests.get(state.fp) || new Set()).has(x.n)) return false;
    if (state.news && !x.added) return false;
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
      h('th', { scope: 'row' }, [x.btn, t.dropped ? h('span', { class: 'pill warn', title: 'events lost: the ring buffer was full', text: fmt(t.dropped) + ' lost' }) : null,
        x.added ? h('span', { class: 'pill new', title: 'new since ' + fp.base + ':\n' + x.added.join('\n'), text: '+' + fmt(x.added.length) + ' new' }) : null]),
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
    if (x.added) box.push(h('ul', { class: 'added', 'aria-label': 'New since ' + fp.base }, x.added.map((l) => h('li', { text: '+ ' + l }))));
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

  // The JS call behind an event (provenance): its site, relative to rootDir, its package, and the short stack as a tooltip.
  function origin(o) {
    const rel = (file) => (file.startsWith(report.rootDir + '/') ? file.slice(report.rootDir.length + 1) : file);
    const site = o.site ? (o.site.function ? o.site.function + ' (' : '') + rel(o.site.file) + ':' + o.site.line + ':' + o.site.column + (o.site.function ? ')' : '') : o.api + ' (no user frame)';
    return h('span', { class: 'origin', title: [o.api].concat(o.stack).join('\n') }, [
      'at ' + site,
      o.package ? h('span', { class: 'tag pkg', text: o.package.name + '@' + o.package.version }) : null,
    ]);
  }

  function line(x, e, bad) {
    const tr = h('tr', { class: bad ? 'bad' : null }, [
      h('td', null, [h('code', { text: e.subject }), e.requested ? h('span', { class: 'req', text: 'requested as ' + e.requested }) : null, e.origin ? origin(e.origin) : null]),
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
    $('fp-active').hidden = !state.fp;
    $('fp-label').textContent = state.fp && fp.items[state.fp] ? fp.items[state.fp].label : '';
    for (const a of document.querySelectorAll('a.fp-item')) {
      const on = a.id === 'fp-' + state.fp;
      a.classList.toggle('active', on);
      if (on) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
    }
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
    state.fp = fpTests.has(p.get('fp')) ? p.get('fp') : ''; state.news = !!fp.base && flag(p.get('new'));
    $('q').value = state.q; $('only-violations').checked = state.violations; $('only-failed').checked = state.failed; $('kind').value = state.kind; $('only-new').checked = state.news;
    state.kind = $('kind').value;
    return (p.get('open') || '').split(',').map((id) => byId.get(id)).filter(Boolean);
  }
  function writeHash() {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.violations) p.set('violations', '1');
    if (state.failed) p.set('failed', '1');
    if (state.kind) p.set('kind', state.kind);
    if (state.fp) p.set('fp', state.fp);
    if (state.news) p.set('new', '1');
    const open = all.filter((x) => x.open).map((x) => x.id);
    if (open.length) p.set('open', open.join(','));
    const hash = p.toString();
    try { history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search); } catch (_) { /* some file:// contexts refuse */ }
  }
  function readControls() {
    state.q = $('q').value.trim(); state.violations = $('only-violations').checked; state.failed = $('only-failed').checked; state.kind = $('kind').value; state.news = $('only-new').checked;
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
  for (const id of ['only-violations', 'only-failed', 'kind', 'only-new']) $(id).addEventListener('change', readControls);
  // A footprint entry's link filters the tests to those behind it, keeping the other filters.
  for (const a of document.querySelectorAll('a.fp-item')) a.addEventListener('click', (ev) => {
    ev.preventDefault();
    state.fp = a.id.slice(3);
    writeHash(); apply();
    $('filters').scrollIntoView({ block: 'start' });
  });
  $('fp-clear').addEventListener('click', () => { state.fp = ''; writeHash(); apply(); });
  $('only-new-label').hidden = !fp.base;
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
