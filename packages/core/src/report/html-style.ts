// The stylesheet of vivarium-report.html (see html.ts); the footprint
// summary's own rules are in html-footprint-view.ts.

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
