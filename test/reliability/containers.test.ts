// Containers and process lifetime: a worker in its own pid namespace
// registers through the socket and is keyed by what it sees there; a dead
// worker's pid, when reused, is never attributed to it; and processes a
// worker leaves behind stop being observed when its registration ends.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, socketOf, startDaemon, status, wipe } from './lib/daemon.js';
import { FIXTURES, type ProcessOptions, WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('containers');
const skip = skipKernelTests();

/** The host pid of the process `unshare --fork` started (pid 1 of its namespace). */
function namespaceInit(unsharePid: number): number {
  return Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(' ')[0]);
}

describe.skipIf(skip)('containers and pid reuse', () => {
  let daemon: Daemon;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const strays: number[] = [];

  beforeAll(async () => {
    await wipe(PIN_DIR);
    // One slot: a slot that is freed is the one the next worker gets.
    daemon = await startDaemon(PIN_DIR, ['--rings', '1', '--ring-size', String(1 << 20)]);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-containers-'));
  });

  afterAll(async () => {
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const w of workers) await w.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a worker; the daemon may still be recycling the only slot. */
  const start = async (options: ProcessOptions = {}) => {
    const started = await eventually(async () => {
      const attempt = await WorkerProcess.start(PIN_DIR, options);
      workers.push(attempt.worker);
      if (attempt.hello.error === 'NoFreeSlotError') return undefined;
      return attempt;
    }, 5000);
    expect(started.hello, started.hello.message).toMatchObject({ registered: true });
    return started;
  };

  test.each([
    ['unshare --pid --fork --mount-proc', { pidNamespace: true }],
    ['a container that sees the socket only through a bind mount (VIVARIUM_SOCKET)', 'container'],
  ] as const)('a worker in its own pid namespace registers through the socket and sees its own events: %s', async (_, how) => {
    const marker = join(dir, 'in-namespace.txt');
    writeFileSync(marker, 'x');
    const options: ProcessOptions =
      how === 'container' ? { container: { hostSocket: socketOf(PIN_DIR), socket: join(dir, 'vivarium.sock') } } : how;
    const { worker, hello } = await start(options);

    // Its key is what it sees: pid 1 of a namespace that is not the daemon's.
    const hostNs = statSync('/proc/self/ns/pid').ino;
    expect(hello.pid).toBe(1);
    expect(hello.pidns).not.toBe(hostNs);
    expect(statSync(`/proc/${daemon.process.pid}/ns/pid`).ino).toBe(hostNs);
    // The daemon registered it as the kernel named the peer: its host pid, keyed in its namespace.
    const hostPid = namespaceInit(worker.process.pid!);
    const st = status(PIN_DIR);
    expect(st.targets).toContainEqual(expect.objectContaining({ pidnsInode: hello.pidns, pid: 1, slot: hello.slot, child: false }));
    expect(st.slots.find((s) => s.slot === hello.slot)?.owner).toMatchObject({ pid: hostPid, nsPid: 1, pidnsInode: hello.pidns });

    await worker.drain();
    expect(await worker.opensOf(marker, 3)).toBe(3);
    // Events carry host pids.
    await worker.send({ cmd: 'open', path: marker });
    expect(new Set((await worker.drain()).events.map((e) => e.pid))).toEqual(new Set([hostPid]));

    // Dying in its namespace frees its entry and slot like anywhere else.
    await worker.kill();
    await eventually(() => {
      const after = status(PIN_DIR);
      return after.targets.every((t) => t.pidnsInode !== hello.pidns) && !after.slots.some((s) => s.owner?.pid === hostPid);
    });
  });

  test('a worker that dies without unregistering: its entry and slot are freed, and the process that reuses its pid is not observed', async () => {
    const marker = join(dir, 'reused-pid.txt');
    writeFileSync(marker, 'x');
    const { worker, hello } = await start();
    const pid = hello.pid!;
    const slot = hello.slot!;
    expect(await worker.opensOf(marker)).toBe(1);
    expect(status(PIN_DIR).targets).toContainEqual(expect.objectContaining({ pid, slot }));

    await worker.send({ cmd: 'die' }).catch(() => undefined); // SIGKILL: no unregister, no exit handler
    await worker.exited;
    const dead = await eventually(() => {
      const st = status(PIN_DIR);
      return st.targets.every((t) => t.pid !== pid) && st.slots.every((s) => s.owner === null) ? st : undefined;
    });
    const emitted = dead.slots.find((s) => s.slot === slot)?.emitted;

    // Make the kernel hand out the same pid again: the next fork after
    // ns_last_pid = pid - 1 gets `pid` unless another process forks first.
    let reusedBy = 0;
    for (let attempt = 0; attempt < 50 && reusedBy !== pid; attempt++) {
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      const r = spawnSync('sh', ['-c', `echo $$; exec 3< '${marker}'; exec 4< '${marker}'`], { encoding: 'utf8' });
      reusedBy = Number(r.stdout.trim());
    }
    expect(reusedBy, 'could not get the dead worker’s pid reused').toBe(pid);

    const later = status(PIN_DIR);
    expect(later.targets.filter((t) => t.pid === pid)).toEqual([]);
    expect(later.slots.find((s) => s.slot === slot)?.emitted).toBe(emitted);

    // The freed slot serves the next worker, which gets none of it either.
    const next = await start();
    expect(next.hello.slot).toBe(slot);
    const drained = await next.worker.drain();
    expect(drained.events.filter((e) => e.path === marker)).toEqual([]);
    expect(drained.tampered).toBeNull();
    await next.worker.send({ cmd: 'exit' });
  });

  test('a child that execs from a thread other than its first stays observed (the first thread ends, the process does not)', async () => {
    const marker = join(dir, 'exec-from-thread.txt');
    writeFileSync(marker, 'x');
    const helper = join(dir, 'exec-from-thread');
    execFileSync('clang', ['-O2', '-pthread', '-o', helper, `${FIXTURES}exec-from-thread.c`]);
    const { worker } = await start();
    const { pid } = await worker.send<{ pid: number }>({ cmd: 'spawn', args: [helper, '/bin/sh', '-c', `sleep 0.2; cat '${marker}' > /dev/null`] });
    strays.push(pid);
    try {
      // What sh does after the exec, cat reading the marker, is seen.
      await eventually(async () => (await worker.drain()).events.some((e) => e.child && e.kind === 'file_open' && e.path === marker), 5000, 200);
    } finally {
      await worker.send({ cmd: 'exit' });
    }
  });

  test('children that outlive their worker stop being observed when it unregisters, and never reach the next owner of its slot', async () => {
    const marker = join(dir, 'orphan.txt');
    writeFileSync(marker, 'x');
    const first = await start();
    await first.worker.send({ cmd: 'epoch', times: 49 });
    const { pid } = await first.worker.send<{ pid: number }>({
      cmd: 'spawn',
      args: ['sh', '-c', `while :; do cat '${marker}' > /dev/null; sleep 0.05; done`],
    });
    strays.push(pid);
    await eventually(() => status(PIN_DIR).targets.some((t) => t.pid === pid && t.child));
    await first.worker.send({ cmd: 'exit' });
    await first.worker.exited;
    await eventually(() => status(PIN_DIR).targets.every((t) => t.slot !== first.hello.slot));

    const second = await start();
    expect(second.hello.slot).toBe(first.hello.slot);
    await second.worker.send({ cmd: 'epoch', times: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const drained = await second.worker.drain();
    expect(drained.events.filter((e) => e.path === marker || e.child)).toEqual([]);
    expect(status(PIN_DIR).targets.filter((t) => t.pid === pid)).toEqual([]);
    process.kill(pid, 'SIGKILL');
    await second.worker.send({ cmd: 'exit' });
  });
});
