// One measured workload in a process of its own, so attaching and registering
// never leak between measurements. Protocol (JSON lines on stdout):
//   node bench/workload.mjs KIND MODE ITERATIONS [PORT]
//   -> {"ready":true,...} after set-up and warm-up; then waits for "go" on stdin
//   -> {"ns":...,...}     the loop's time (and, registered, the drains' share)
// KIND: open | exec | connect | getenv | getppid | write | chmod | utimes | udp. MODE: plain | registered | registered-asking | provenance | fill.
// `registered-asking`: registered asking for env, load and http, whose uprobes vivariumd attaches only when asked.
// `provenance`: registered, with the JS call recorder on and every drained event attributed.
// `fill` registers, fills the ring with ITERATIONS opens without draining,
// reports ready (with its slot), then on stdin "node" drains + decodes it
// and reports the time, or on "release" (after the C consumer emptied the
// ring) checks that nothing is left and exits.
// BENCH_AUTOGO=go|node|release answers the first command itself (for profilers).
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Provenance, Worker } from '@vivarium/core';

const [kind, mode, rawIterations, rawPort] = process.argv.slice(2);
const iterations = Number(rawIterations);
const port = Number(rawPort ?? 0);

// A path of a realistic length (the ring records its resolved and requested forms).
const root = mkdtempSync(join(tmpdir(), 'vivarium-bench-'));
const dir = join(root, 'node_modules', 'some-package', 'lib');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'index.js');
writeFileSync(file, 'x');
process.once('exit', () => rmSync(root, { recursive: true, force: true }));

// Drain cadence while registered: roughly "every test" for a busy test.
const DRAIN_EVERY = { open: 4096, exec: 32, connect: 1024, getenv: 4096, getppid: 4096, write: 4096, chmod: 4096, utimes: 4096, udp: 1024 };

let worker;
let provenance;
let drainNs = 0;
let events = 0;
let dropped = 0;
function drain() {
  const t0 = process.hrtime.bigint();
  const r = worker.drain();
  if (provenance) r.events = provenance.attribute(r.events, Number(t0));
  drainNs += Number(process.hrtime.bigint() - t0);
  events += r.events.length;
  dropped += r.dropped;
  return r.events;
}

/**
 * The floor of any decoder that hands out events as objects: per event, one
 * string made from bytes and one object of file_open's shape, kept in an
 * array, with no reading of a header at all; ns per event. Measured in a
 * fill of its own, before anything is decoded: the state a drain starts
 * from. (After a drain it found a young generation the drain's 150,000 kept
 * events had grown, and read 0.40 of C where the same loop reads about 0.2.)
 * `shared`: one string for every event (the fill opens one file), as a
 * decoder that reuses the string of a path seen before can do: the floor is
 * then the objects alone.
 */
function objectFloorNs(texts, shared = false) {
  const paths = Buffer.from(texts.join(''));
  const ends = [];
  let end = 0;
  for (const text of texts) ends.push((end += Buffer.byteLength(text)));
  const kept = [];
  const t0 = process.hrtime.bigint();
  let last = '';
  for (let i = 0, from = 0; i < ends.length; from = ends[i++]) {
    const path = shared && last ? last : paths.toString('utf8', from, ends[i]);
    last = path;
    kept.push({
      kind: 'file_open', timeNs: 1e13 + i, pid: 1000, tid: 1000, child: false, result: 3, errno: undefined, epoch: 1, truncated: false,
      path, requestedPath: path, requested: path, unresolved: false, fsView: undefined,
      flags: 0, mode: 0, access: 'read', create: false, truncate: false, append: false,
    });
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (kept.length !== texts.length) throw new Error('floor: lost events');
  return ns;
}

function openLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    closeSync(openSync(file, 'r'));
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

function execLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    const r = spawnSync('/bin/true', [], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`/bin/true exited ${r.status} (${r.error})`);
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

function connectOnce() {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      socket.resetAndDestroy(); // RST: no TIME_WAIT, so ephemeral ports never run out
      resolve();
    });
    socket.once('error', reject);
  });
}

async function connectLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    await connectOnce();
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

/** process.env reads: one libc getenv each, where vivariumd's uprobe sits. */
let sink = 0;
function getenvLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    sink += process.env.VIVARIUM_BENCH_VAR?.length ?? 0;
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

/** A syscall outside the table (getppid: process.ppid asks the kernel each time). */
function getppidLoop(n) {
  for (let i = 1; i <= n; i++) sink += process.ppid;
}

/** Writes to /dev/null: listed (a write on a socket to a DNS port is a query), never an event. */
let nullFd;
function writeLoop(n) {
  nullFd ??= openSync('/dev/null', 'w');
  const byte = Buffer.alloc(1);
  for (let i = 1; i <= n; i++) writeSync(nullFd, byte);
}

/** File changes without an open (issue 12): one event each. */
function chmodLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    chmodSync(file, i & 1 ? 0o644 : 0o600);
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

function utimesLoop(n, drainEvery) {
  for (let i = 1; i <= n; i++) {
    utimesSync(file, i, i);
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

/** UDP datagrams with a destination (sendmsg): a send event each. The
 * discard port: nothing listens, nothing answers. */
let udp;
async function udpLoop(n, drainEvery) {
  udp ??= createSocket('udp4');
  udp.unref();
  const payload = Buffer.from('x');
  for (let i = 1; i <= n; i++) {
    await new Promise((resolve, reject) => udp.send(payload, 9, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    if (drainEvery && i % drainEvery === 0) drain();
  }
}

const LOOPS = { open: openLoop, exec: execLoop, connect: connectLoop, getenv: getenvLoop, getppid: getppidLoop, write: writeLoop, chmod: chmodLoop, utimes: utimesLoop, udp: udpLoop };
const WARMUP = { open: 2000, exec: 5, connect: 200, getenv: 2000, getppid: 2000, write: 2000, chmod: 2000, utimes: 2000, udp: 200 };

function send(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

let stdinBuffer = '';
const stdinLines = [];
let stdinWaiter;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  stdinBuffer += d;
  let nl;
  while ((nl = stdinBuffer.indexOf('\n')) >= 0) {
    stdinLines.push(stdinBuffer.slice(0, nl).trim());
    stdinBuffer = stdinBuffer.slice(nl + 1);
  }
  if (stdinLines.length && stdinWaiter) stdinWaiter(stdinLines.shift());
});
function nextCommand() {
  const auto = process.env.BENCH_AUTOGO;
  if (auto) return Promise.resolve(auto === '1' ? 'go' : auto);
  if (stdinLines.length) return Promise.resolve(stdinLines.shift());
  return new Promise((r) => (stdinWaiter = (line) => ((stdinWaiter = undefined), r(line))));
}
function done() {
  process.stdin.destroy();
  worker?.unregister();
}

async function main() {
  const loop = LOOPS[kind];
  if (!loop) throw new Error(`unknown kind ${kind}`);
  if (mode === 'fill') {
    worker = Worker.register();
    // Warm the decoder up first: a test run drains many times per process.
    for (let i = 0; i < 4; i++) {
      openLoop(5000);
      worker.drain();
    }
    openLoop(iterations);
    const stats = worker.stats();
    send({ ready: true, slot: worker.slot, pinDir: process.env.VIVARIUM_BPF_PIN_DIR, emitted: Number(stats.emitted), dropped: Number(stats.dropped) });
    const command = await nextCommand();
    if (command === 'node') {
      drain();
      send({ ns: drainNs, events, dropped });
    } else if (command === 'floor' || command === 'floor-shared') {
      // One event per open of the fill, each of `file`.
      const floorNs = objectFloorNs(new Array(iterations).fill(file), command === 'floor-shared');
      drain();
      send({ floorNs, events: iterations, dropped });
    } else {
      drain(); // the C consumer moved our consumer position: nothing may be left
      send({ left: events, dropped });
    }
    return done();
  }
  if (!['plain', 'registered', 'registered-asking', 'provenance'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  if (mode === 'provenance') provenance = Provenance.install();
  if (mode !== 'plain') worker = Worker.register(mode === 'registered-asking' ? { kinds: ['env', 'load', 'http'] } : {});
  const every = worker ? DRAIN_EVERY[kind] : 0;
  await loop(WARMUP[kind], every);
  if (worker) drain();
  drainNs = 0;
  events = 0;
  send({ ready: true, pid: process.pid });
  if ((await nextCommand()) !== 'go') throw new Error('expected go');
  process.stdin.pause();
  const start = process.hrtime.bigint();
  await loop(iterations, every);
  if (worker) drain();
  const ns = Number(process.hrtime.bigint() - start);
  send({ ns, iterations, drainNs, events, dropped });
  done();
}

main().catch((err) => {
  send({ error: String(err?.stack ?? err) });
  process.exitCode = 1;
  done();
});
