// Shared by the bench sections: options, statistics, our own daemons, the
// measured child processes, and the check that nobody else's hooks are attached.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const BENCH = `${REPO}bench/`;
export const BUILD = `${BENCH}build/`;
export const VIVARIUMD = `${REPO}packages/daemon/bin/vivariumd.js`;
export const FLOOR_OBJECT = `${REPO}bpf/build/floor.bpf.o`;
// BENCH_PIN_DIR: another base, so two benches on one machine do not share daemons.
const PIN_BASE = process.env.BENCH_PIN_DIR ?? '/sys/fs/bpf/vivarium-bench';
/** Pin dirs this bench creates and stops; it never touches any other. */
export const PIN_DIRS = { real: PIN_BASE, floor: `${PIN_BASE}-floor` };

const SECTIONS = ['micro', 'decode', 'suite', 'thirdparty', 'profile'];

export function readOptions(env = process.env) {
  const quick = env.BENCH_QUICK === '1';
  const num = (name, full, small) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? small : full;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bench: ${name} must be a positive number, got '${raw}'`);
    return Math.round(n);
  };
  const only = (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`bench: BENCH_ONLY: unknown section '${s}' (${SECTIONS.join(', ')})`);
  const iterations = num('BENCH_ITERATIONS', 200_000, 5_000);
  const rounds = num('BENCH_ROUNDS', 7, 1);
  return {
    quick,
    sections: only.length ? only : SECTIONS,
    rounds,
    suiteRounds: num('BENCH_SUITE_ROUNDS', Math.max(3, rounds), 1),
    // Per-kind loop sizes, scaled from BENCH_ITERATIONS (the open loop's).
    iterations: {
      open: iterations,
      getenv: iterations,
      exec: Math.max(20, Math.round(iterations / 200)),
      connect: Math.max(100, Math.round(iterations / 20)),
      getppid: iterations,
      write: iterations,
      chmod: Math.max(1000, Math.round(iterations / 4)),
      utimes: Math.max(1000, Math.round(iterations / 4)),
      udp: Math.max(100, Math.round(iterations / 20)),
    },
    // vivariumd's default ring: its size matters (see BENCHMARKS.md, exec).
    ringSize: num('BENCH_RING_SIZE', 4 << 20, 4 << 20),
    decodeEvents: num('BENCH_DECODE_EVENTS', 150_000, 20_000),
    suiteLinked: env.BENCH_SUITE_LINKED === '1',
    suite: { files: num('BENCH_SUITE_FILES', 24, 4), tests: num('BENCH_SUITE_TESTS', 20, 5) },
    perf: env.BENCH_PERF !== '0',
    publish: env.BENCH_PUBLISH,
  };
}

export const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function ensureBuildDir() {
  mkdirSync(BUILD, { recursive: true });
  return BUILD;
}

export function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

// ---- daemons -----------------------------------------------------------

/** Starts vivariumd on one of our pin dirs; resolves to a stop function. */
export async function startDaemon(pinDir, args = []) {
  if (!Object.values(PIN_DIRS).includes(pinDir)) throw new Error(`bench: ${pinDir} is not a bench pin dir`);
  try {
    run(process.execPath, [VIVARIUMD, 'stop', '--pin-dir', pinDir]);
  } catch {}
  const child = spawn(process.execPath, [VIVARIUMD, '--pin-dir', pinDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench: vivariumd not ready in 30 s:\n${out}`)), 30_000);
    // The daemon logs to stderr.
    const onData = (d) => {
      out += d;
      if (out.includes('ready:')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: vivariumd exited ${code}:\n${out}`));
    });
  });
  let stopped = false;
  const stop = async () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    child.kill('SIGTERM');
    await once(child, 'exit');
    await breakpointsGone();
  };
  stop.pid = child.pid;
  return stop;
}

/** The real daemon with a ring large enough that a whole measured loop fits.
 * Its uprobes stay attached while no worker is registered (--uprobes-idle off)
 * unless `flags` say otherwise: a measurement never sees them go halfway. */
export const startReal = (ringSize = 1 << 26, rings = 8, flags = []) =>
  startDaemon(PIN_DIRS.real, ['--ring-size', String(ringSize), '--rings', String(rings), ...(flags.includes('--uprobes-idle') ? [] : ['--uprobes-idle', 'off']), ...flags]);
// The floor is the price of any sys_exit program: no uprobes (they cost
// elsewhere: every getenv, and every fork of a process mapping a probed file).
export const startFloor = () => startDaemon(PIN_DIRS.floor, ['--object', FLOOR_OBJECT, '--backend', 'syscalls', '--rings', '8', '--no-uprobes']);

/** Runs fn with the daemon started by `start`, stopping it afterwards. */
export async function withDaemon(start, fn) {
  const stop = await start();
  try {
    return await fn();
  } finally {
    await stop();
  }
}

export function daemonStatus(pinDir) {
  return JSON.parse(run(process.execPath, [VIVARIUMD, 'status', '--json', '--pin-dir', pinDir]));
}

/** Sum of the per-slot counters of a daemon (emitted, dropped). */
export function slotTotals(pinDir) {
  const status = daemonStatus(pinDir);
  let emitted = 0;
  let dropped = 0;
  for (const s of status.slots ?? []) {
    emitted += Number(s.emitted);
    dropped += Number(s.dropped);
  }
  return { emitted, dropped, backend: status.backend };
}

// ---- measured children -------------------------------------------------

/**
 * Starts `count` workload processes (bench/workload.mjs), waits until each
 * has set up and warmed up, then releases them together; resolves to their
 * results. The timing is taken inside each child, around its loop only.
 */
export async function measure(kind, mode, iterations, { count = 1, pinDir = PIN_DIRS.real, port = 0, onReady, onDone } = {}) {
  const env = { ...process.env, VIVARIUM_BPF_PIN_DIR: pinDir };
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [`${BENCH}workload.mjs`, kind, mode, String(iterations), String(port)], { env, stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const lines = children.map((child) => lineReader(child));
  const readies = [];
  for (const next of lines) {
    const ready = await next();
    if (!ready?.ready) throw new Error(`bench: workload ${kind}/${mode} did not get ready: ${JSON.stringify(ready)}`);
    readies.push(ready);
  }
  await onReady?.(readies);
  for (const child of children) child.stdin.write('go\n');
  const results = [];
  for (const next of lines) results.push(await next());
  await onDone?.();
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : null)));
  for (const r of results) if (!r || r.error) throw new Error(`bench: workload ${kind}/${mode} failed: ${r?.error ?? 'no result'}`);
  return results;
}

/** A function returning the child's next stdout line, parsed as JSON. */
export function lineReader(child) {
  let buffered = '';
  const queue = [];
  const waiters = [];
  const push = (value) => (waiters.length ? waiters.shift()(value) : queue.push(value));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buffered += d;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        push(JSON.parse(line));
      } catch {
        push({ error: `unexpected output: ${line}` });
      }
    }
  });
  child.once('exit', (code) => {
    while (waiters.length) waiters.shift()({ error: `exited with ${code}` });
    queue.push({ error: `exited with ${code}` });
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
}

// ---- contamination -----------------------------------------------------

function bpftoolJson(args) {
  try {
    return JSON.parse(run('bpftool', ['-j', ...args]));
  } catch {
    return [];
  }
}

/** Program id -> name, for the links pinned under our pin dirs (or one of them). */
export function ourProgs(dirs = Object.values(PIN_DIRS)) {
  const progs = new Map();
  for (const dir of dirs) {
    const links = `${dir}/links`;
    if (!existsSync(links)) continue;
    for (const name of readdirSync(links)) {
      const link = bpftoolJson(['link', 'show', 'pinned', `${links}/${name}`]);
      if (link.prog_id) progs.set(link.prog_id, name);
    }
  }
  return progs;
}

/**
 * A uprobe stays in every process mapping its file for 1-2 s after
 * `vivariumd stop` returns (the kernel frees unpinned links in deferred
 * work): meanwhile a fork of a Node process still pays for node's uprobes,
 * and a "detached" measurement would not be one. Waits until a fresh process
 * maps no breakpoint page; warns after 15 s (another daemon's uprobes?).
 */
async function breakpointsGone() {
  if (!(await pollUntil(() => run(process.execPath, [`${BENCH}breakpoint-pages.cjs`]).trim() === '0', 15_000)))
    console.error('bench: warning: uprobe breakpoints still in fresh processes 15 s after vivariumd stopped (another daemon on this machine?)');
}

/** Asks `check` every 100 ms until it holds (true) or `timeoutMs` has passed (false). */
export async function pollUntil(check, timeoutMs) {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

/** Every loaded program, by id (with run_time_ns/run_cnt when bpf stats are on). */
export const allProgs = () => new Map(bpftoolJson(['prog', 'show']).map((p) => [p.id, p]));

/**
 * Tracing programs attached to syscall or process tracepoints that are not
 * ours: any of them makes every "detached" figure a contaminated one, as the
 * sys_exit tracepoint is global (every syscall of every process pays).
 */
export function foreignHooks() {
  const ours = ourProgs();
  const progs = allProgs();
  const found = [];
  for (const link of bpftoolJson(['link', 'show'])) {
    if (ours.has(link.prog_id)) continue;
    const prog = progs.get(link.prog_id);
    const name = prog?.name ?? '?';
    const tp = link.tp_name ?? link.attach_type ?? link.type;
    if (/^viv_/.test(name) || /sys_(enter|exit)|sched_process/.test(String(tp)))
      found.push({ linkId: link.id, progId: link.prog_id, name, tag: prog?.tag, attachedTo: tp });
  }
  return found;
}

export function warnIfContaminated(hooks, where) {
  if (!hooks.length) return;
  const bar = '!'.repeat(78);
  const list = hooks.map((h) => `    prog ${h.progId} ${h.name} (${h.attachedTo})`).join('\n');
  process.stderr.write(
    `\n${bar}\n!! WARNING (${where}): ${hooks.length} BPF program(s) not started by this bench are attached:\n${list}\n` +
      `!! The "detached" baseline is NOT detached (the sys_exit tracepoint is global): every\n` +
      `!! ratio below understates or distorts the overhead. Re-run on a quiet machine.\n${bar}\n\n`,
  );
}
