// Where the time goes. Not timed comparisons, but causes:
// - per BPF program: runs and ns per iteration of each loop (kernel.bpf_stats_enabled,
//   switched on only for this section and restored), minus the background
//   (other processes' syscalls) counted over an idle interval of the same length;
// - perf record (cpu-clock) top symbols of the registered loops, when perf works;
// - the Node decoder's self-time split inside Worker.drain (--cpu-prof);
// - the per-process cost of Vivarium's set-up (import + register).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH, BUILD, PIN_DIRS, REPO, allProgs, ensureBuildDir, foreignHooks, measure, median, ourProgs, run, startDaemon, startFloor, startReal, withDaemon } from './lib.mjs';
import { startServer } from './micro.mjs';

const STATS = '/proc/sys/kernel/bpf_stats_enabled';

function snapshot(ids) {
  const progs = allProgs();
  return new Map([...ids].map((id) => [id, { cnt: progs.get(id)?.run_cnt ?? 0, ns: progs.get(id)?.run_time_ns ?? 0 }]));
}
const delta = (a, b, id) => ({ cnt: b.get(id).cnt - a.get(id).cnt, ns: b.get(id).ns - a.get(id).ns });

async function runScenarios(pinDir, plan, options, port, scenarios, log) {
  const ours = ourProgs([pinDir]);
  const foreign = new Map(foreignHooks().map((h) => [h.progId, h.name]));
  const ids = new Set([...ours.keys(), ...foreign.keys()]);
  for (const [scenario, kind, mode] of plan) {
    const n = options.iterations[kind];
    let s0, s1, t0, t1;
    const [r] = await measure(kind, mode, n, {
      port,
      pinDir,
      onReady: () => ((s0 = snapshot(ids)), (t0 = performance.now())),
      onDone: () => ((t1 = performance.now()), (s1 = snapshot(ids))),
    });
    await sleep(t1 - t0);
    const s2 = snapshot(ids);
    const progs = [];
    for (const id of ids) {
      const run = delta(s0, s1, id);
      const bg = delta(s1, s2, id);
      const cnt = Math.max(0, run.cnt - bg.cnt);
      const ns = Math.max(0, run.ns - bg.ns);
      if (!cnt && !ns) continue;
      progs.push({ id, name: ours.get(id) ?? foreign.get(id), ours: ours.has(id), runsPerOp: cnt / n, nsPerRun: cnt ? ns / cnt : 0, nsPerOp: ns / n, background: bg });
    }
    scenarios.push({ scenario, iterations: n, loopNsPerOp: r.ns / n, drainNsPerOp: r.drainNs / n, eventsPerOp: r.events / n, progs });
    log(`profile: ${scenario}: ${progs.filter((p) => p.ours).map((p) => `${p.name} ${p.nsPerOp.toFixed(0)} ns/op`).join(', ')}`);
  }
}

async function bpfStats(options, log) {
  const previous = readFileSync(STATS, 'utf8').trim();
  const server = await startServer();
  const restore = () => writeFileSync(STATS, previous);
  const onSignal = (signal) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  writeFileSync(STATS, '1');
  try {
    const scenarios = [];
    const plan = [
      ['open×1, unregistered', 'open', 'plain'],
      ['open×1, registered', 'open', 'registered'],
      ['exec, unregistered', 'exec', 'plain'],
      ['exec, registered', 'exec', 'registered'],
      ['connect, registered', 'connect', 'registered'],
      // Issue 12's hooks: a syscall outside the table, write (listed for DNS
      // queries), and file changes and datagrams that are events of their own.
      ['getppid, unregistered', 'getppid', 'plain'],
      ['write /dev/null, unregistered', 'write', 'plain'],
      ['write /dev/null, registered', 'write', 'registered'],
      ['chmod, registered', 'chmod', 'registered'],
      ['utimes, registered', 'utimes', 'registered'],
      ['UDP send with a destination, registered', 'udp', 'registered'],
    ];
    await withDaemon(
      () => startReal(options.ringSize),
      () => runScenarios(PIN_DIRS.real, plan, options, server.port, scenarios, log),
    );
    // The same loop against the empty sys_exit program: the difference is what
    // the real program's early exits cost a process nobody registered.
    await withDaemon(startFloor, () =>
      runScenarios(
        PIN_DIRS.floor,
        [
          ['open×1, unregistered, floor object', 'open', 'plain'],
          ['getppid, unregistered, floor object', 'getppid', 'plain'],
          ['write /dev/null, unregistered, floor object', 'write', 'plain'],
        ],
        options,
        server.port,
        scenarios,
        log,
      ),
    );
    return { scenarios, note: 'bpf_stats adds two clock reads per program run; figures are slightly high' };
  } finally {
    restore();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await server.close();
  }
}

function perfWorks() {
  try {
    run('perf', ['record', '-e', 'cpu-clock', '-o', `${BUILD}perf-probe.data`, '--', 'true']);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(`${BUILD}perf-probe.data`, { force: true });
  }
}

/** Kernel symbols that are the BPF programs' work: the programs, their helpers, the ring. */
const BPF_PARTS = /^(bpf_prog_|bpf_probe_read|copy_from_kernel_nofault$|strncpy_from_user|bpf_ringbuf|__bpf_ringbuf|bpf_trace_run|bpf_loop$|bpf_map_lookup|htab_map|__htab_map)/;

/** perf record (cpu-clock, call graphs) attached to one loop only; the top symbols by self time. */
async function perfTop(scenario, kind, mode, iterations, port) {
  const data = `${BUILD}perf-${kind}-${mode}.data`;
  let perf;
  const [result] = await measure(kind, mode, iterations, {
    port,
    onReady: async ([ready]) => {
      perf = spawn('perf', ['record', '-e', 'cpu-clock', '-g', '-p', String(ready.pid), '-o', data], { stdio: 'ignore' });
      await sleep(500); // let perf attach
    },
    onDone: async () => {
      perf.kill('SIGINT');
      await once(perf, 'exit');
    },
  });
  const report = run('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', 'comm,dso,sym', '--percent-limit', '0.7'], { maxBuffer: 64 << 20 });
  const top = report.split('\n').filter((l) => /^\s+\d+\.\d+%/.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
  // The BPF side with what it calls (inclusive: --children), in ns per
  // iteration of the loop (perf's share of the loop's own time): where a
  // registered event's kernel cost goes, program by program and helper by helper.
  const nsPerOp = result.ns / result.iterations;
  const inclusive = run('perf', ['report', '-i', data, '--stdio', '--children', '--sort', 'sym', '-g', 'none', '--percent-limit', '0.3'], { maxBuffer: 64 << 20 });
  const bpf = inclusive
    .split('\n')
    .map((l) => /^\s+(\d+\.\d+)%\s+(\d+\.\d+)%\s+\[k\]\s+(\S+)/.exec(l))
    .filter((m) => m && BPF_PARTS.test(m[3]))
    .map((m) => ({ symbol: m[3].replace(/^bpf_prog_[0-9a-f]+_/, 'bpf: '), children: Number(m[1]), self: Number(m[2]), nsPerOp: (Number(m[1]) / 100) * nsPerOp }));
  return { scenario, data, top, nsPerOp, bpf };
}

/** Self time by function inside Worker.drain (and GC while draining), from a --cpu-prof of a fill + drain. */
export function decodeProfile(events) {
  const dir = `${BUILD}cpuprof`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '50', `${BENCH}workload.mjs`, 'open', 'fill', String(events)], {
    env: { ...process.env, BENCH_AUTOGO: 'node', VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Worker.drain: in core's bundle (bundle/core.cjs), or in dist/ when core is loaded from its sources.
  const isDrain = (n) => n.callFrame.functionName === 'drain' && /core\/(dist\/worker\.js|bundle\/core\.cjs)$/.test(n.callFrame.url);
  const underDrain = new Map();
  const inDrain = (id) => {
    if (underDrain.has(id)) return underDrain.get(id);
    const n = byId.get(id);
    const v = isDrain(n) || (parent.has(id) && inDrain(parent.get(id)));
    underDrain.set(id, v);
    return v;
  };
  let t = prof.startTime;
  const times = prof.timeDeltas.map((d) => (t += d));
  const drainTimes = prof.samples.map((id, i) => (inDrain(id) ? times[i] : undefined)).filter((x) => x !== undefined);
  const [from, to] = [Math.min(...drainTimes), Math.max(...drainTimes)];
  const self = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    if (times[i] < from || times[i] > to) return;
    const n = byId.get(id);
    if (!inDrain(id) && n.callFrame.functionName !== '(garbage collector)') return;
    const url = n.callFrame.url.replace(/^.*\//, '');
    const name = `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${n.callFrame.lineNumber + 1}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + 1);
    total++;
  });
  return [...self].map(([name, hits]) => ({ name, share: (100 * hits) / total })).sort((a, b) => b.share - a.share);
}

/** ms to import @vivarium/core and to register, in a fresh process; µs per
 * observation window (a test's bookkeeping with no event: bump the epoch, drain
 * an empty ring, which probes the worker's entry). */
function setupCost(rounds) {
  // Each process saves core's code cache as a test process does at its file's end (the first one makes it).
  const script = `const t0 = performance.now(); const { Worker, saveCodeCache } = await import('@vivarium/core'); const t1 = performance.now();
const w = Worker.register(); const t2 = performance.now();
const N = 20000; w.drain(); const t3 = performance.now();
for (let i = 0; i < N; i++) { w.nextEpoch(); w.drain(); }
const t4 = performance.now(); w.unregister(); saveCodeCache();
console.log(JSON.stringify({ importMs: t1 - t0, registerMs: t2 - t1, windowUs: ((t4 - t3) * 1000) / N }));`;
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: set-up probe failed: ${r.stderr}`);
    samples.push(JSON.parse(r.stdout));
  }
  return {
    samples,
    importMs: median(samples.map((s) => s.importMs)),
    registerMs: median(samples.map((s) => s.registerMs)),
    windowUs: median(samples.map((s) => s.windowUs)),
  };
}

const memAvailable = () => Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
/** A process's memory in bytes: resident (RSS, shared pages counted whole),
 * proportional (PSS, each shared page split among its mappers), its own
 * (USS: private pages, what it alone costs), anonymous, and the kernel memory
 * of the BPF maps and programs it holds (their fdinfo's memlock, each once). */
function memoryOf(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => 1024 * Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)[1]);
  const bpf = new Map();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    const id = /^(map_id|prog_id):\s+(\d+)/m.exec(info);
    const memlock = /^memlock:\s+(\d+)/m.exec(info);
    if (id && memlock) bpf.set(`${id[1]} ${id[2]}`, Number(memlock[1]));
  }
  return { rss: kb('Rss'), pss: kb('Pss'), uss: kb('Private_Clean') + kb('Private_Dirty'), anon: kb('Anonymous'), kernel: [...bpf.values()].reduce((a, b) => a + b, 0) };
}

/** A fresh Node's memory once idle, plain or after importing @vivarium/core
 * and registering (timed): resident (RSS: the ring counts twice, its data
 * pages are mapped twice so records can wrap), proportional (PSS), its own
 * (USS) and anonymous. */
function workerMemory(withVivarium) {
  const script = `let registerMs = 0;
${withVivarium ? "const { Worker, saveCodeCache } = await import('@vivarium/core'); const t0 = performance.now(); const w = Worker.register(); registerMs = performance.now() - t0; w.drain(); saveCodeCache();" : ''}
await new Promise((r) => setTimeout(r, 200));
const kb = (file, key) => 1024 * parseInt(require('node:fs').readFileSync(file, 'utf8').split('\\n').find((l) => l.startsWith(key + ':')).slice(key.length + 1), 10);
const rollup = '/proc/self/smaps_rollup';
console.log(JSON.stringify({ rss: kb('/proc/self/status', 'VmRSS'), anon: kb('/proc/self/status', 'RssAnon'), pss: kb(rollup, 'Pss'), uss: kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty'), registerMs }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${script}`], {
    cwd: REPO,
    env: { ...process.env, VIVARIUM_BPF_PIN_DIR: PIN_DIRS.real },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench: memory probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** vivariumd's start time and memory with no worker registered: 1 s after
 * ready (no ring made yet) and idle (65 s after ready: node's pages handed
 * back again); the first registration it answers (it makes that worker's
 * slot, and the pages it handed back fault in again); and a worker's memory
 * with and without Vivarium, at the default ring size. */
async function resources(options, rounds) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const before = memAvailable();
    const t0 = performance.now();
    const stop = await startDaemon(PIN_DIRS.real, ['--ring-size', String(options.ringSize)]);
    const startMs = performance.now() - t0;
    try {
      await sleep(1000); // settled: what it holds idle, not while starting
      const daemon = memoryOf(stop.pid);
      const sample = { startMs, daemon, daemonResident: daemon.rss, usedOnStart: before - memAvailable() };
      await sleep(64_000);
      sample.daemonIdle = memoryOf(stop.pid);
      sample.workerPlain = workerMemory(false);
      sample.workerRegistered = workerMemory(true);
      samples.push(sample);
    } finally {
      await stop();
    }
  }
  const m = (key) => median(samples.map((s) => s[key]));
  const memory = (variant) => Object.fromEntries(['rss', 'pss', 'uss', 'anon', 'kernel'].map((k) => [k, median(samples.map((s) => s[variant][k]))]));
  return {
    samples,
    startMs: m('startMs'),
    daemonResident: m('daemonResident'),
    daemon: memory('daemon'),
    daemonIdle: memory('daemonIdle'),
    usedOnStart: m('usedOnStart'),
    firstRegisterMs: median(samples.map((s) => s.workerRegistered.registerMs)),
    workerPlain: memory('workerPlain'),
    workerRegistered: memory('workerRegistered'),
  };
}

export async function runProfile(options, log) {
  ensureBuildDir();
  const result = { bpf: await bpfStats(options, log) };
  result.decodeProfile = await withDaemon(
    () => startReal(Math.max(options.ringSize, 1 << 26)),
    async () => decodeProfile(options.decodeEvents),
  );
  // The daemon's default ring: mapping it costs in proportion to its size.
  result.setup = await withDaemon(
    () => startReal(options.ringSize),
    async () => setupCost(5),
  );
  result.resources = await resources(options, 5);
  result.perf = [];
  if (options.perf && perfWorks()) {
    const server = await startServer();
    try {
      await withDaemon(
        () => startReal(options.ringSize),
        async () => {
          for (const [scenario, kind, mode] of [
            ['open×1, registered', 'open', 'registered'],
            ['exec, registered', 'exec', 'registered'],
          ])
            result.perf.push(await perfTop(scenario, kind, mode, options.iterations[kind], server.port));
        },
      );
    } finally {
      await server.close();
    }
  }
  return result;
}
