// The trust model, attacked by real unprivileged users against a daemon
// started with --group: a member may register its own processes and nothing
// more. It cannot open a pin, reach another worker's maps, register a
// process other than itself, write the maps that decide who is observed, or
// keep slots it does not use; a user outside the group cannot even connect.
// Creates a group, two members and an outsider, and removes them afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Abi } from '@vivarium/core';
import { MapFlag, MapType, PinDir } from '@vivarium/core/kernel';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Accounts, createAccounts, runAs } from '../helpers/accounts.js';
import { type Daemon, eventually, pinDirFor, socketOf, startDaemon, status, wipe } from './lib/daemon.js';
import { FIXTURES, type LineProcess, RawClient, WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('attacks');
const SOCKET = socketOf(PIN_DIR);
const SLOTS_DIR = pinDirFor('attacks-slots');
const TARGETS_DIR = pinDirFor('attacks-targets');
const RING_SIZE = 1 << 20;
const REGISTER = { op: 'register', abi: Abi.ABI_VERSION, followChildren: true };
const skip = skipKernelTests();

/** `ls -lnd` of each path: mode string, owner uid:gid. */
function listing(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of execFileSync('ls', ['-lnd', ...paths], { encoding: 'utf8' }).trim().split('\n')) {
    const fields = line.split(/\s+/);
    out[fields.slice(8).join(' ')] = `${fields[0]} ${fields[2]}:${fields[3]}`;
  }
  return out;
}

/** The ids of the maps vivariumd made for `slot` (root: through the pins). */
function slotMapIds(pinDir: string, slot: number): { ring: number; control: number; counters: number } {
  const pins = PinDir.open(pinDir);
  try {
    return { ring: pins.rings.get(slot)!, control: pins.controls.get(slot)!, counters: pins.counters.get(slot)! };
  } finally {
    pins.close();
  }
}

interface Probe {
  uid: number;
  pins: Record<string, string>;
  mapIds: Record<string, string>;
  nextId: string;
  create: string;
  mem?: string;
}

function probeAs(user: string | undefined, request: { pinDir?: string; pins?: string[]; mapIds?: number[]; memOf?: number }): Probe {
  const args = [process.execPath, `${FIXTURES}probe-access.mjs`, JSON.stringify(request)];
  const r = user ? runAs(user, args) : { stdout: execFileSync(args[0]!, args.slice(1), { encoding: 'utf8' }), stderr: '' };
  if (!r.stdout) throw new Error(`probe-access failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

describe.skipIf(skip)('attacks by group members (vivariumd --group)', () => {
  let accounts: Accounts;
  let daemon: Daemon;
  let dir: string;
  const fixtures: LineProcess[] = [];
  const strays: number[] = [];
  const [ALICE, BOB, EVE] = ['vivatk-alice', 'vivatk-bob', 'vivatk-eve'] as const;

  const worker = async (pinDir: string, user?: string) => {
    const started = await WorkerProcess.start(pinDir, user ? { user } : {});
    fixtures.push(started.worker);
    return started;
  };
  const registered = async (pinDir: string, user?: string) => {
    const started = await worker(pinDir, user);
    expect(started.hello, started.hello.message).toMatchObject({ registered: true });
    return started;
  };
  const rawClient = async (user: string) => {
    const { client, hello } = await RawClient.connect(SOCKET, { user });
    fixtures.push(client);
    expect(hello, hello.message).toMatchObject({ connected: true });
    return { client, pid: hello.pid! };
  };

  beforeAll(async () => {
    accounts = createAccounts('vivatk-workers', [ALICE, BOB], [EVE]);
    await wipe(PIN_DIR);
    await wipe(SLOTS_DIR);
    await wipe(TARGETS_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '4', '--ring-size', String(RING_SIZE), '--group', accounts.group]);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-attacks-'));
    execFileSync('chmod', ['755', dir]);
    // Programs that run as root whoever starts them (setuid root), and a file only root may read.
    for (const program of ['cat', 'sleep']) {
      copyFileSync(`/usr/bin/${program}`, join(dir, `suid-${program}`));
      chmodSync(join(dir, `suid-${program}`), 0o4755);
    }
    writeFileSync(join(dir, 'root-only.txt'), 'secret', { mode: 0o600 });
  });

  afterAll(async () => {
    for (const pid of strays) {
      try {
        process.kill(-pid, 'SIGKILL'); // its process group: what it started, too
      } catch {
        // not a group leader
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const f of fixtures) await f.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    await wipe(SLOTS_DIR);
    await wipe(TARGETS_DIR);
    accounts?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every pin is root’s only (files 0600, dirs 0700); the socket is root:GROUP 0660', () => {
    expect(daemon.output()).toContain(
      `access: members of group ${accounts.group} (gid ${accounts.gid}) may register workers (${SOCKET} root:${accounts.group} 0660); pins are root's only`,
    );
    const names = readdirSync(PIN_DIR).sort();
    expect(names).toEqual(['config_targets', 'controls', 'counters', 'links', 'meta', 'observed_tgids', 'ring_owner', 'rings']);
    const links = readdirSync(join(PIN_DIR, 'links')).map((l) => join(PIN_DIR, 'links', l));
    expect(links.length).toBeGreaterThanOrEqual(4);
    const expected: Record<string, string> = {
      [PIN_DIR]: 'drwx------ 0:0',
      [join(PIN_DIR, 'links')]: 'drwx------ 0:0',
      [SOCKET]: `srw-rw---- 0:${accounts.gid}`,
      '/run/vivarium': 'drwxr-xr-x 0:0',
    };
    for (const name of names.filter((n) => n !== 'links')) expected[join(PIN_DIR, name)] = '-rw------- 0:0';
    for (const link of links) expected[link] = '-rw------- 0:0';
    expect(listing(Object.keys(expected))).toEqual(expected);
  });

  test('a member cannot open any pin, reach a worker’s maps by id, enumerate maps, create maps, or read another member’s memory', async () => {
    const { worker: alice, hello } = await registered(PIN_DIR, ALICE);
    const ids = slotMapIds(PIN_DIR, hello.slot!);
    const pins = ['meta', 'config_targets', 'rings', 'controls', 'counters', 'ring_owner', ...readdirSync(join(PIN_DIR, 'links')).map((l) => `links/${l}`)];
    const request = { pinDir: PIN_DIR, pins, mapIds: [ids.ring, ids.control, ids.counters], memOf: alice.process.pid };

    const asBob = probeAs(BOB, request);
    expect(asBob).toEqual({
      uid: accounts.uid(BOB),
      pins: Object.fromEntries(pins.map((p) => [p, 'EACCES'])),
      mapIds: Object.fromEntries(request.mapIds.map((id) => [id, 'EPERM'])),
      nextId: 'EPERM',
      create: 'EPERM',
      mem: 'EACCES',
    });
    // The same probe as root reaches everything: the refusals above are the permissions, not the probe.
    const asRoot = probeAs(undefined, request);
    expect(Object.values(asRoot.pins)).toEqual(pins.map(() => 'ok'));
    expect(Object.values(asRoot.mapIds)).toEqual(['ok', 'ok', 'ok']);
    await alice.send({ cmd: 'exit' });
  });

  test('a user outside the group cannot connect: AccessDeniedError naming --group', async () => {
    const { hello } = await worker(PIN_DIR, EVE);
    expect(hello).toEqual({
      registered: false,
      error: 'AccessDeniedError',
      message: `vivarium: may not register with vivariumd: ${SOCKET} is EACCES for this user (vivariumd lets group ${accounts.group} register: sudo usermod -aG ${accounts.group} ${EVE}, then log in again)`,
    });
  });

  test('a member’s registration hands over its own ring, control and counters, and nothing else', async () => {
    const { client, pid } = await rawClient(ALICE);
    const { reply, maps } = await client.request(REGISTER);
    expect(reply, reply?.message).toMatchObject({ ok: true, abi: Abi.ABI_VERSION, ringSize: RING_SIZE });
    const ids = slotMapIds(PIN_DIR, reply!.slot!);
    expect(maps!.map((m) => ({ type: m.type, id: m.id, maxEntries: m.maxEntries, mmapable: (m.flags & MapFlag.MMAPABLE) !== 0 }))).toEqual([
      { type: MapType.RINGBUF, id: ids.ring, maxEntries: RING_SIZE, mmapable: false },
      { type: MapType.ARRAY, id: ids.control, maxEntries: 1, mmapable: true },
      { type: MapType.ARRAY, id: ids.counters, maxEntries: 1, mmapable: true },
    ]);
    expect(status(PIN_DIR).slots.find((s) => s.slot === reply!.slot)?.owner).toMatchObject({ pid, uid: accounts.uid(ALICE) });
    await client.send({ cmd: 'exit' });
  });

  test('the maps it holds cannot be used to rewrite its loss accounting or forge events: counters frozen, ring data read-only', async () => {
    const { client } = await rawClient(ALICE);
    expect((await client.request(REGISTER)).reply, 'registration').toMatchObject({ ok: true });
    expect(await client.send({ cmd: 'write-own' })).toEqual({
      countersUpdate: 'EPERM', // winding back its own `dropped`: frozen, for root too
      countersMmap: 'EPERM',
      ringDataMmap: 'EPERM', // writing records into its ring: only the kernel produces
      controlUpdate: 'ok', // its own window is its to move (the integrity probe reports a move it did not make)
    });
    await client.send({ cmd: 'exit' });
  });

  test('two members’ workers running at once each receive only their own events', async () => {
    const files = { alice: join(dir, 'alice.txt'), bob: join(dir, 'bob.txt') };
    for (const file of Object.values(files)) writeFileSync(file, 'x', { mode: 0o644 });
    const alice = await registered(PIN_DIR, ALICE);
    const bob = await registered(PIN_DIR, BOB);
    expect(alice.hello.slot).not.toBe(bob.hello.slot);
    await Promise.all([alice.worker.drain(), bob.worker.drain()]);
    await alice.worker.send({ cmd: 'open', path: files.alice, times: 3 });
    await bob.worker.send({ cmd: 'open', path: files.bob, times: 2 });
    await alice.worker.send({ cmd: 'open', path: files.alice, times: 1 });
    const [a, b] = await Promise.all([alice.worker.drain(), bob.worker.drain()]);
    const paths = (events: Array<{ path: string | null }>) => events.map((e) => e.path).filter((p) => p?.startsWith(dir));
    expect(paths(a.events)).toEqual(Array(4).fill(files.alice));
    expect(paths(b.events)).toEqual(Array(2).fill(files.bob));
    expect(new Set(a.events.map((e) => e.pid))).toEqual(new Set([alice.worker.process.pid]));
    expect(new Set(b.events.map((e) => e.pid))).toEqual(new Set([bob.worker.process.pid]));
    expect([a.tampered, b.tampered]).toEqual([null, null]);
    await alice.worker.send({ cmd: 'exit' });
    await bob.worker.send({ cmd: 'exit' });
  });

  test('registering another process is not in the protocol: the daemon registers whoever connected (SO_PEERCRED)', async () => {
    const { client, pid } = await rawClient(ALICE);
    // Everything a client could claim about whom to register is ignored.
    const { reply } = await client.request({ ...REGISTER, pid: 1, hostPid: 1, nsTgid: 1, pidnsInum: 4026531836, uid: 0 });
    expect(reply, reply?.message).toMatchObject({ ok: true });
    const st = status(PIN_DIR);
    expect(st.slots.find((s) => s.slot === reply!.slot)?.owner).toMatchObject({ pid, nsPid: pid, uid: accounts.uid(ALICE), command: 'node' });
    expect(st.targets.filter((t) => t.slot === reply!.slot)).toEqual([expect.objectContaining({ pid, child: false })]);
    // One registration per connection, and per process.
    expect((await client.request(REGISTER)).reply).toEqual({ ok: false, error: 'VivariumError', message: 'vivarium: this connection is already registered' });
    await client.send({ cmd: 'exit' });

    const { worker: w, hello } = await registered(PIN_DIR, BOB);
    expect(await w.send({ cmd: 'register' })).toEqual({
      registered: false,
      name: 'VivariumError',
      message: `vivarium: process ${hello.pid} is already registered (slot ${hello.slot}): one registration per process`,
    });
    await w.send({ cmd: 'exit' });
  });

  test('a connection handed on by a process that died cannot register whoever reuses its pid', async () => {
    const marker = join(dir, 'victim.txt');
    writeFileSync(marker, 'x', { mode: 0o644 });
    const fifo = join(dir, 'commands.fifo');
    execFileSync('mkfifo', ['-m', '666', fifo]);
    const { client, pid } = await rawClient(ALICE);
    // The connecting process passes its connection to a child and exits.
    const { pid: holder } = await client.send<{ pid: number }>({ cmd: 'handoff', fifo });
    strays.push(holder);
    client.redirectInput(createWriteStream(fifo));
    expect(await client.json()).toEqual({ connected: true, pid: holder });
    await client.exited;

    // A root process takes the dead client's pid (as any process may, once pids wrap).
    let victim: number | undefined;
    for (let attempt = 0; attempt < 50 && victim === undefined; attempt++) {
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      const child = spawn('sh', ['-c', `echo $$; while :; do cat '${marker}' > /dev/null; sleep 0.05; done`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
      const first = Number((await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value);
      strays.push(first);
      if (first === pid) victim = first;
      else process.kill(first, 'SIGKILL');
    }
    expect(victim, 'could not get the client’s pid reused').toBe(pid);

    // The child asks to register over the dead process's connection. The
    // daemon may have closed it already (it watches the pidfd): refused too.
    const reply = await client.request(REGISTER).then(
      (r) => r.reply,
      (err: Error) => {
        if (!/EPIPE|ECONNRESET/.test(err.message)) throw err;
        return { ok: false, error: 'closed', message: err.message };
      },
    );
    const st = status(PIN_DIR);
    const observed = st.targets.filter((t) => t.pid === victim);
    let leaked = 0;
    if (reply?.ok) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      leaked = (await client.send<{ events: Array<{ path: string | null }> }>({ cmd: 'read' })).events.filter((e) => e.path === marker).length;
    }
    expect({ registered: reply?.ok, observed, leaked }, JSON.stringify(reply)).toEqual({ registered: false, observed: [], leaked: 0 });
    // Unless the daemon closed the connection first, it says why (the README quotes it).
    if (reply?.error !== 'closed') expect(reply?.message).toBe(`vivarium: the process that connected (pid ${pid}) is gone: a registration is for the process that connects, only`);
  });

  test('a setuid program a member’s worker runs is no longer followed: an unobservable event says so, and what it read is not seen', async () => {
    const { worker: alice, hello } = await registered(PIN_DIR, ALICE);
    await alice.drain();
    const secret = join(dir, 'root-only.txt');
    await alice.send({ cmd: 'spawn', args: [join(dir, 'suid-cat'), secret] });
    const events: Array<{ kind: string; path: string | null }> = [];
    await eventually(async () => {
      events.push(...(await alice.drain(['env'])).events);
      return events.some((e) => e.kind === 'unobservable');
    }, 20_000).catch((err) => {
      throw new Error(`${err.message}: ${JSON.stringify(events)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // cat has read the file and exited by now
    events.push(...(await alice.drain(['env'])).events);
    // Before the exec, the child (node's, through libuv) opened /dev/null for its stdio: seen.
    const relevant = events.filter((e) => e.kind === 'exec' || e.kind === 'unobservable' || e.path === secret);
    expect(relevant.map((e) => [e.kind, e.path])).toEqual([
      ['exec', join(dir, 'suid-cat')],
      ['unobservable', null],
    ]);
    expect(status(PIN_DIR).targets.filter((t) => t.slot === hello.slot).map((t) => t.pid)).toEqual([hello.pid]);
    await alice.send({ cmd: 'exit' });
  });

  test('a process that connected and then ran a setuid program cannot be registered by the member', async () => {
    const fifo = join(dir, 'setuid.fifo');
    execFileSync('mkfifo', ['-m', '666', fifo]);
    const { client, pid } = await rawClient(ALICE);
    // The connecting process hands its connection to a child, then becomes setuid-root sleep.
    const { pid: holder } = await client.send<{ pid: number }>({ cmd: 'handoff-exec', fifo, program: join(dir, 'suid-sleep'), args: ['30'] });
    strays.push(holder, pid);
    client.redirectInput(createWriteStream(fifo));
    expect(await client.json()).toEqual({ connected: true, pid: holder });
    await eventually(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'suid-sleep', 20_000);
    const uid = accounts.uid(ALICE);
    const gid = Number(execFileSync('id', ['-g', ALICE], { encoding: 'utf8' }));
    const { reply } = await client.request(REGISTER);
    expect(reply).toEqual({
      ok: false,
      error: 'VivariumError',
      message: expect.stringMatching(
        new RegExp(`^vivarium: process ${pid} connected as uid ${uid} gid ${gid} but now runs with uids ${uid}/0/0/0, capabilities [0-9a-f]+: a user other than root cannot register a process that gained privileges \\(setuid, setgid, file capabilities\\)$`),
      ),
    });
    expect(status(PIN_DIR).targets.filter((t) => t.pid === pid)).toEqual([]);
  });

  describe('claiming every slot', () => {
    let slotsDaemon: Daemon;

    beforeAll(async () => {
      slotsDaemon = await startDaemon(SLOTS_DIR, ['--rings', '2', '--ring-size', '65536', '--group', accounts.group]);
    });

    afterAll(async () => {
      for (const f of fixtures) await f.kill();
      await slotsDaemon?.kill();
    });

    test('a full table is an error naming the holders; a holder killed (SIGKILL) frees its slot', async () => {
      const alice = await registered(SLOTS_DIR, ALICE);
      const bob = await registered(SLOTS_DIR, BOB);
      const third = await worker(SLOTS_DIR, ALICE);
      expect(third.hello).toMatchObject({ registered: false, error: 'NoFreeSlotError' });
      const holders = [alice, bob].map((w) => `pid ${w.hello.pid} (node)`);
      expect([
        `vivarium: all 2 slots are held by live workers: ${holders.join(', ')} (stop some, run fewer test workers: Vitest maxWorkers, Jest --maxWorkers, or restart vivariumd with --rings 4)`,
        `vivarium: all 2 slots are held by live workers: ${holders.reverse().join(', ')} (stop some, run fewer test workers: Vitest maxWorkers, Jest --maxWorkers, or restart vivariumd with --rings 4)`,
      ]).toContain(third.hello.message);

      await bob.worker.kill(); // SIGKILL: the connection ends with the process
      const next = await eventually(async () => {
        const started = await worker(SLOTS_DIR, ALICE);
        return started.hello.registered ? started : undefined;
      }, 10_000); // a fresh worker takes seconds to start under the VM cells' emulation
      expect(next.hello.slot).toBe(bob.hello.slot);
      expect(status(SLOTS_DIR).slots.map((s) => s.owner?.pid).sort()).toEqual([alice.hello.pid, next.hello.pid].sort());
      await next.worker.send({ cmd: 'exit' });
    });

    // Recycling a slot takes one RCU grace period (milliseconds): a worker
    // that re-registers at once (a runner restarting its workers) must not be
    // told that live workers hold every slot.
    test('a slot being recycled is not held: re-registering at once succeeds', async () => {
      const { worker: w } = await eventually(async () => {
        const started = await worker(SLOTS_DIR, BOB);
        return started.hello.registered ? started : undefined;
      }, 10_000); // a fresh worker takes seconds to start under the VM cells' emulation
      expect(status(SLOTS_DIR).slots.filter((s) => s.owner)).toHaveLength(2); // the other slot stays held (by the previous test's worker)
      const outcomes: unknown[] = [];
      for (let round = 0; round < 5; round++) outcomes.push(await w.send({ cmd: 'cycle' }));
      expect(outcomes).toEqual(Array(5).fill(expect.objectContaining({ registered: true })));
    });
  });

  // config_targets holds every observed process, workers and their
  // descendants (--max-targets). A member can fill it with children of its
  // own: it cannot then hide another worker's children, nor make a
  // registration fail without saying why.
  describe('filling config_targets', () => {
    let targetsDaemon: Daemon;
    const MAX_TARGETS = 16;

    beforeAll(async () => {
      targetsDaemon = await startDaemon(TARGETS_DIR, ['--rings', '4', '--ring-size', '65536', '--max-targets', String(MAX_TARGETS), '--group', accounts.group]);
    });

    afterAll(async () => {
      for (const pid of strays) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      for (const f of fixtures) await f.kill();
      await targetsDaemon?.kill();
    });

    test('another member’s child that could not be followed is counted; a registration refused names --max-targets', async () => {
      const bob = await registered(TARGETS_DIR, BOB);
      await bob.worker.drain();
      const alice = await registered(TARGETS_DIR, ALICE);
      const { pid } = await alice.worker.send<{ pid: number }>({ cmd: 'spawn', args: ['sh', '-c', `for i in $(seq ${MAX_TARGETS + 4}); do sleep 60 & done; wait`] });
      strays.push(pid);
      await eventually(() => status(TARGETS_DIR).targets.length >= MAX_TARGETS);
      expect((await alice.worker.drain()).unfollowed).toBeGreaterThan(0);

      await bob.worker.send({ cmd: 'spawn', args: ['true'] });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const drained = await bob.worker.drain();
      expect(drained.unfollowed).toBe(1); // not followed, but not silently: the worker is told

      const third = await worker(TARGETS_DIR, BOB);
      expect(third.hello).toMatchObject({ registered: false });
      expect(third.hello.message).toContain('--max-targets');
    });
  });
});
