// Text and Markdown renderings of a bench report (bench/last-run.json shape).
const x = (r) => `${r.toFixed(3)}×`;
const mps = (n) => `${(n / 1e6).toFixed(2)} M events/s`;

function perOp(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms/op`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs/op`;
  return `${ns.toFixed(0)} ns/op`;
}

const verdict = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');

/** Each suite variant's name: in the tables, and on the plot's bars (short). */
export const SUITE_VARIANTS = {
  plain: { label: 'plain (no Vivarium, detached)', bar: 'plain' },
  attached: { label: 'plain, vivariumd attached beside it, nobody registered (the floor of the next row)', bar: 'plain, vivariumd attached' },
  vivarium: { label: 'with Vivarium (setup + daemon)', bar: 'with Vivarium' },
  provenance: { label: 'with Vivarium and VIVARIUM_PROVENANCE=1 (JS call sites)', bar: 'with Vivarium, provenance on' },
  'no-uprobes': { label: 'with Vivarium, vivariumd --no-uprobes (no env/load/TLS uprobes)', bar: 'with Vivarium, --no-uprobes' },
  strace: { label: 'under strace -f -e trace=%file', bar: 'strace -f -e trace=%file' },
  linked: { label: 'with Vivarium, packages as workspace symlinks (Vite inlines them)', bar: 'with Vivarium, workspace-linked packages' },
  ffi: { label: 'set-up step 1: koffi loaded per test file (no daemon)', bar: 'koffi only' },
  registered: { label: 'set-up step 2: core imported and registered per test file (daemon)', bar: 'registered only' },
  'plain-shared': { label: 'plain, test files sharing worker processes (isolate: false)', bar: 'plain, isolate: false' },
  'vivarium-shared': { label: 'with Vivarium, isolate: false (vs plain with isolate: false)', bar: 'with Vivarium, isolate: false (vs plain, isolate: false)' },
};

/** Rows of [scenario, figure, ratio, target, verdict] per section. */
export function tables(report) {
  const out = [];
  if (report.micro) {
    // A contaminated baseline already pays for another daemon's sys_exit programs.
    const star = report.contaminated?.length ? ' *' : '';
    const rows = report.micro.medians.map((m) => [
      `${m.label}: ${m.stateLabel}`,
      perOp(m.nsPerOp),
      x(m.ratio),
      m.target ? `≤ ${m.target}×` : m.experiment ? '(experiment)' : '',
      m.target ? `${verdict(m.ratio <= m.target)}${star}` : '',
    ]);
    out.push({ title: `Microbenchmarks (median of ${report.options.rounds} rounds; ratio vs the same loop with hooks detached)`, head: ['scenario', 'median', 'ratio', 'target', ''], rows });
  }
  if (report.decode) {
    const d = report.decode.medians;
    out.push({
      title: `Drain + decode of ${report.decode.events} file_open events (median of ${report.decode.samples.node.length} fills each)`,
      head: ['consumer', 'throughput', 'Node / C', 'target', ''],
      rows: [
        ['C, libbpf ring_buffer__consume + copy-out (bench/c-consumer.c)', mps(d.cEventsPerSecond), '1.000', '', ''],
        ['Node, Worker.drain(): mmap ring reader + decodeEvent', mps(d.nodeEventsPerSecond), d.nodeOverC.toFixed(3), '≥ 0.33', verdict(d.nodeOverC >= 0.33)],
        ...(d.floorEventsPerSecond ? [['JS floor, in a fill of its own: per event one path string and one object of its shape, kept (no decoding)', mps(d.floorEventsPerSecond), d.floorOverC.toFixed(3), '', '']] : []),
        ...(d.sharedFloorEventsPerSecond ? [['JS floor, strings shared: per event one object of its shape, kept (no decoding)', mps(d.sharedFloorEventsPerSecond), d.sharedFloorOverC.toFixed(3), '', '']] : []),
      ],
    });
  }
  if (report.suite) {
    const s = report.suite;
    const rows = s.medians.map((m) => [
      `${m.runner}, ${SUITE_VARIANTS[m.variant].label}`,
      `${(m.ms / 1000).toFixed(2)} s${m.events ? ` (${m.events} events)` : ''}`,
      x(m.ratio),
      m.target ? `≤ ${m.target}×` : '',
      m.target ? verdict(m.ratio <= m.target) : '',
    ]);
    const note = s.jest.available ? '' : `; Jest skipped: ${s.jest.reason}`;
    out.push({ title: `Suite: ${s.suite.files} files × ${s.suite.tests} tests (median wall time of ${report.options.suiteRounds} runs${note})`, head: ['runner', 'wall time', 'ratio', 'target', ''], rows });
  }
  if (report.thirdparty) {
    const t = report.thirdparty;
    const rows = t.medians.map((m) => [
      SUITE_VARIANTS[m.variant].label,
      `${(m.ms / 1000).toFixed(2)} s${m.events ? ` (${m.events} events)` : ''}`,
      x(m.ratio),
      m.target ? `≤ ${m.target}×` : '',
      m.target ? verdict(m.ratio <= m.target) : '',
    ]);
    out.push({ title: `Third-party suite: ${t.package.name}@${t.package.version} (${t.package.tests}, ${t.tests} tests, Vitest; median wall time of ${report.options.suiteRounds} runs)`, head: ['variant', 'wall time', 'ratio', 'target', ''], rows });
  }
  if (report.profile?.bpf) {
    const rows = [];
    for (const sc of report.profile.bpf.scenarios) {
      for (const p of sc.progs.filter((p) => p.ours && (p.nsPerOp >= 1 || p.runsPerOp >= 0.01)))
        rows.push([`${sc.scenario}: ${p.name}`, `${p.runsPerOp.toFixed(2)} runs/op`, `${p.nsPerRun.toFixed(0)} ns/run`, `${p.nsPerOp.toFixed(0)} ns/op`]);
      const foreign = sc.progs.filter((p) => !p.ours);
      if (foreign.length) rows.push([`${sc.scenario}: other daemons' programs (${foreign.length}, contamination)`, '', '', `${foreign.reduce((a, p) => a + p.nsPerOp, 0).toFixed(0)} ns/op`]);
      if (sc.drainNsPerOp) rows.push([`${sc.scenario}: drain + decode in JS`, `${sc.eventsPerOp.toFixed(2)} events/op`, '', `${sc.drainNsPerOp.toFixed(0)} ns/op`]);
      rows.push([`${sc.scenario}: whole loop (bpf stats on)`, '', '', `${sc.loopNsPerOp.toFixed(0)} ns/op`]);
    }
    out.push({ title: 'Where the time goes: BPF run time per program (kernel.bpf_stats_enabled; background subtracted)', head: ['scenario: part', 'runs', 'cost/run', 'cost/op'], rows });
  }
  const perfBpf = (report.profile?.perf ?? []).filter((p) => p.bpf?.length);
  if (perfBpf.length) {
    const rows = perfBpf.flatMap((p) => p.bpf.map((b) => [`${p.scenario}: ${b.symbol}`, `${b.children.toFixed(2)} %`, `${b.self.toFixed(2)} %`, `${b.nsPerOp.toFixed(0)} ns/op`]));
    out.push({ title: 'Inside the BPF side: each program, helper and ring call with what it calls (perf record --children; share of the loop under perf, in ns per iteration)', head: ['scenario: symbol', 'with callees', 'self', 'cost/op'], rows });
  }
  return out;
}

export function renderText(report) {
  const lines = [];
  for (const t of tables(report)) {
    lines.push('', t.title);
    const all = [t.head, ...t.rows];
    const widths = t.head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
    for (const r of all) lines.push(`  ${r.map((c, i) => String(c).padEnd(widths[i])).join('  ')}`.trimEnd());
  }
  for (const p of report.profile?.perf ?? []) {
    lines.push('', `perf (cpu-clock) top symbols, ${p.scenario}:`);
    for (const s of p.top.slice(0, 12)) lines.push(`  ${s}`);
  }
  if (report.profile?.decodeProfile) {
    lines.push('', 'Node decode profile (self time inside Worker.drain, --cpu-prof):');
    for (const f of report.profile.decodeProfile.slice(0, 10)) lines.push(`  ${f.share.toFixed(1).padStart(5)}%  ${f.name}`);
  }
  if (report.profile?.setup) {
    const s = report.profile.setup;
    lines.push('', `Per-process Vivarium set-up (fresh node, median of ${s.samples.length}): import @vivarium/core ${s.importMs.toFixed(1)} ms, Worker.register ${s.registerMs.toFixed(1)} ms; per observation window (epoch bump + empty drain with its integrity probe) ${s.windowUs.toFixed(2)} µs`);
  }
  if (report.profile?.resources) {
    const r = report.profile.resources;
    const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
    lines.push(
      '',
      r.daemon
        ? `Resources (median of ${r.samples.length}): vivariumd ready in ${r.startMs.toFixed(0)} ms; no worker registered, 1 s after ready (no ring made yet) / idle (65 s after): BPF maps and programs ${mib(r.daemon.kernel)} / ${mib(r.daemonIdle.kernel)}, resident ${mib(r.daemon.rss)} / ${mib(r.daemonIdle.rss)} (pages shared with other node processes, this bench's included, counted whole), proportional (PSS) ${mib(r.daemon.pss)} / ${mib(r.daemonIdle.pss)}, its own (USS) ${mib(r.daemon.uss)} / ${mib(r.daemonIdle.uss)}; MemAvailable ${r.usedOnStart >= 0 ? '−' : '+'}${mib(Math.abs(r.usedOnStart))} at 1 s (target ≤ 40 MB); its first registration ${r.firstRegisterMs.toFixed(1)} ms.`
        : `Resources (median of ${r.samples.length}): vivariumd ready in ${r.startMs.toFixed(0)} ms; idle (no worker) ${mib(r.daemonResident)} resident, MemAvailable ${r.usedOnStart >= 0 ? '−' : '+'}${mib(Math.abs(r.usedOnStart))} (target ≤ 40 MB).`,
      `A worker, plain → registered (${report.options.ringSize / 1048576} MiB ring): RSS ${mib(r.workerPlain.rss)} → ${mib(r.workerRegistered.rss)} (+${mib(r.workerRegistered.rss - r.workerPlain.rss)}, the ring's pages counted twice), PSS +${mib(r.workerRegistered.pss - r.workerPlain.pss)}${r.workerPlain.uss ? `, USS +${mib(r.workerRegistered.uss - r.workerPlain.uss)}` : ''}, anonymous +${mib(r.workerRegistered.anon - r.workerPlain.anon)} (target ≤ +10 MiB)`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(report) {
  const lines = [];
  for (const t of tables(report)) {
    lines.push(`**${t.title}**`, '', `| ${t.head.map((h) => h || ' ').join(' | ')} |`, `|${t.head.map(() => ' --- ').join('|')}|`);
    for (const r of t.rows) lines.push(`| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
    lines.push('');
  }
  const m = report.machine;
  const o = report.options;
  lines.push(
    `Run: ${report.date}, ${m.cpu} × ${m.nproc}, Linux ${m.kernel}, Node ${m.node}, Vitest ${m.vitest}${m.jest ? `, Jest ${m.jest}` : ''}; ` +
      `${o.quick ? 'BENCH_QUICK, ' : ''}${o.rounds} rounds, ${o.iterations.open} open / ${o.iterations.exec} exec / ${o.iterations.connect} connect iterations, ` +
      `${o.decodeEvents} decode events, ${o.suiteRounds} suite runs per variant, ${o.ringSize / 1048576} MiB rings.`,
  );
  if (report.contaminated.length)
    lines.push('', `> \\* **Contaminated baseline:** ${report.contaminated.length} BPF program(s) of another daemon were attached during this run (${report.contaminated.map((h) => `${h.name} #${h.progId}`).join(', ')}); the detached figures include their cost, so the micro verdicts are not meaningful.`);
  return lines.join('\n');
}
