// Microbenchmarks: one loop per workload, in a process of its own, under
// each daemon state, in interleaved rounds (the order of the states rotates
// from round to round). Figures are ns per iteration; ratios are against the
// detached baseline of the same run.
import { createServer } from 'node:net';
import { PIN_DIRS, foreignHooks, measure, median, startFloor, startReal, withDaemon } from './lib.mjs';

/** Workloads: kind, parallel processes, and the states measured. */
export const WORKLOADS = [
  { id: 'open×1', kind: 'open', count: 1, label: 'open+close, 1 process' },
  { id: 'open×2', kind: 'open', count: 2, label: 'open+close, 2 processes in parallel' },
  { id: 'exec', kind: 'exec', count: 1, label: 'spawnSync /bin/true' },
  { id: 'connect', kind: 'connect', count: 1, label: 'TCP connect to loopback + close' },
  // The uprobe on libc's getenv: a trap per call for every process on the
  // machine once a worker asked for env (unregistered), plus the record when
  // registered. Not measured against the floor daemon (it attaches no uprobes).
  // No target: a uprobe is a trap into the kernel on every call, whatever the program does.
  { id: 'getenv', kind: 'getenv', count: 1, label: 'process.env read (libc getenv)', skip: ['floor'], noTarget: true },
];

/** BENCH_WORKLOADS=getenv,open×1: only these rows (default: all). */
const WANTED = (process.env.BENCH_WORKLOADS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const workloadWanted = (w) => !WANTED.length || WANTED.includes(w.id);

/** Daemon states. An `experiment` row would measure a proposed fix, not the product. */
export const STATES = {
  detached: { label: 'hooks detached (baseline)' },
  floor: { label: 'empty sys_exit program attached (floor)' },
  unregistered: { label: 'hooks attached, unregistered', target: 1.03 },
  registered: { label: 'registered (events emitted + drained)', target: 1.25 },
  provenance: { label: 'registered, provenance on (JS call sites attributed)' },
  // The uprobes (env and load in libc, http in node) are attached only once a
  // worker asks for their kinds: what every process pays from then on.
  askedUnregistered: { label: 'hooks attached, unregistered, once a worker asked for the uprobes (env, load, http)', only: ['exec', 'getenv'] },
  askedRegistered: { label: 'registered, asking for the uprobes (env, load, http)', only: ['exec', 'getenv'] },
};

/** A loopback TCP server for the connect loop; clients reset, so no TIME_WAIT piles up. */
export async function startServer() {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.on('end', () => socket.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

export async function runMicro(options, log) {
  const server = await startServer();
  const samples = {}; // `${workload}/${state}` -> ns per iteration, one per round
  const raw = [];
  const contamination = [];
  const record = (w, state, results) => {
    const iterations = options.iterations[w.kind];
    const perOp = results.map((r) => r.ns / iterations);
    const key = `${w.id}/${state}`;
    (samples[key] ??= []).push(perOp.reduce((a, b) => a + b, 0) / perOp.length);
    raw.push({ workload: w.id, state, iterations, results });
  };
  const runState = async (state, pinDir, mode) => {
    for (const w of WORKLOADS) {
      if (STATES[state].only && !STATES[state].only.includes(w.id)) continue;
      if (w.skip?.includes(state) || !workloadWanted(w)) continue;
      const results = await measure(w.kind, mode, options.iterations[w.kind], { count: w.count, pinDir, port: server.port });
      for (const r of results) if (r.dropped) log(`warning: ${r.dropped} events dropped in ${w.id}/${state}`);
      record(w, state, results);
    }
  };
  /** A phase on a fresh real daemon: a worker registers once (as `first`), then each [state, mode] is measured. */
  const onRealDaemon = (first, states) => async () =>
    withDaemon(
      () => startReal(options.ringSize),
      async () => {
        await measure('getenv', first, 100, { pinDir: PIN_DIRS.real });
        for (const [state, mode] of states) await runState(state, PIN_DIRS.real, mode);
      },
    );
  const phases = [
    async () => runState('detached', PIN_DIRS.real, 'plain'),
    async () => withDaemon(startFloor, () => runState('floor', PIN_DIRS.floor, 'plain')),
    // Uprobes are attached when a worker first asks (and stay): one registers first, asking or not.
    onRealDaemon('registered', [
      ['unregistered', 'plain'],
      ['registered', 'registered'],
      ['provenance', 'provenance'],
    ]),
    onRealDaemon('registered-asking', [
      ['askedUnregistered', 'plain'],
      ['askedRegistered', 'registered-asking'],
    ]),
  ];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      contamination.push(...foreignHooks());
      for (let i = 0; i < phases.length; i++) await phases[(i + round - 1) % phases.length]();
      contamination.push(...foreignHooks());
      const open = samples['open×1/detached']?.at(-1);
      log(`micro round ${round}/${options.rounds} done${open ? ` (open×1 detached ${open.toFixed(0)} ns/op)` : ''}`);
    }
  } finally {
    await server.close();
  }
  return { samples, raw, contamination, medians: microMedians(samples) };
}

/** Median ns/op per row and its ratio to the same workload's detached median. */
export function microMedians(samples) {
  const rows = [];
  for (const w of WORKLOADS) {
    const base = median(samples[`${w.id}/detached`] ?? []);
    for (const state of Object.keys(STATES)) {
      const xs = samples[`${w.id}/${state}`];
      if (!xs?.length) continue;
      const ns = median(xs);
      // Unregistered: what the empty program costs (the floor), and at most 0.01 more.
      const floor = samples[`${w.id}/floor`]?.length ? median(samples[`${w.id}/floor`]) / base : undefined;
      const unregistered = state === 'unregistered' || state === 'askedUnregistered';
      const target = w.noTarget ? undefined : unregistered && floor !== undefined ? Math.round((floor + 0.01) * 1000) / 1000 : STATES[state].target;
      rows.push({ workload: w.id, label: w.label, state, stateLabel: STATES[state].label, nsPerOp: ns, ratio: ns / base, target, experiment: !!STATES[state].experiment, n: xs.length });
    }
  }
  return rows;
}
