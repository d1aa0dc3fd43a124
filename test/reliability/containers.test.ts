// Containers and process lifetime: a worker in its own pid namespace
// registers with what it sees there; a dead worker's pid, when reused, is
// never attributed to it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('containers');
const skip = skipKernelTests();

describe.skipIf(skip)('containers and pid reuse', () => {
  let daemon: Daemon;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const strays: number[] = [];

  beforeAll(async () => {
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '4', '--ring-size', String(1 << 20)]);
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

  const start = async (options: Parameters<typeof WorkerProcess.start>[1] = {}) => {
    const started = await WorkerProcess.start(PIN_DIR, options);
    workers.push(started.worker);
    expect(started.hello, started.hello.message).toMatchObject({ registered: true });
    return started;
  };

  test('a worker in its own pid namespace registers itself and sees its own events; the daemon runs outside', async () => {
    const marker = join(dir, 'in-namespace.txt');
    writeFileSync(marker, 'x');
    const { worker, hello } = await start({ pidNamespace: true });

    // Its key is what it sees: pid 1 of a namespace that is not the daemon's.
    const hostNs = statSync('/proc/self/ns/pid').ino;
    expect(hello.pid).toBe(1);
    expect(hello.pidns).not.toBe(hostNs);
    expect(statSync(`/proc/${daemon.process.pid}/ns/pid`).ino).toBe(hostNs);
    expect(status(PIN_DIR).targets).toContainEqual(expect.objectContaining({ pidnsInode: hello.pidns, pid: 1, slot: hello.slot, child: false }));

    await worker.drain();
    await worker.send({ cmd: 'open', path: marker, times: 3 });
    const drained = await worker.drain();
    const opens = drained.events.filter((e) => e.kind === 'file_open' && e.path === marker);
    expect(opens).toHaveLength(3);
    // Events carry host pids: the node process unshare forked, not pid 1 (the host's init).
    const unsharePid = worker.process.pid!;
    const nodeHostPid = Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(' ')[0]);
    expect(new Set(drained.events.map((e) => e.pid))).toEqual(new Set([nodeHostPid]));

    // Dying in its namespace frees its entry and slot like anywhere else.
    await worker.kill();
    const after = status(PIN_DIR);
    expect(after.targets.filter((t) => t.pidnsInode === hello.pidns)).toEqual([]);
    expect(after.slots.find((s) => s.slot === hello.slot)?.owner ?? null).toBeNull();
  });

  test('a worker that dies without unregistering: its entry and slot are freed, and the process that reuses its pid is not observed', async () => {
    const marker = join(dir, 'reused-pid.txt');
    writeFileSync(marker, 'x');
    const { worker, hello } = await start();
    const pid = hello.pid!;
    const slot = hello.slot!;
    await worker.send({ cmd: 'open', path: marker });
    expect(status(PIN_DIR).targets).toContainEqual(expect.objectContaining({ pid, slot }));

    await worker.send({ cmd: 'die' }).catch(() => undefined); // SIGKILL: no unregister, no exit handler
    await worker.exited;
    const dead = status(PIN_DIR);
    expect(dead.targets.filter((t) => t.pid === pid)).toEqual([]);
    const deadSlot = dead.slots.find((s) => s.slot === slot)!;
    expect(deadSlot.owner).toBeNull();

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
    expect(later.slots.find((s) => s.slot === slot)!.emitted).toBe(deadSlot.emitted);

    // The freed slot serves the next worker, which gets none of it either.
    const next = await start();
    expect(next.hello.slot).toBe(slot);
    const drained = await next.worker.drain();
    expect(drained.events.filter((e) => e.path === marker)).toEqual([]);
    await next.worker.send({ cmd: 'exit' });
  });

  // Registration (and unregistration) sweeps the slot's config_targets
  // entries, so a child that outlived its worker is no longer followed.
  test('children that outlive their worker never reach the next owner of its slot', async () => {
    const marker = join(dir, 'orphan.txt');
    writeFileSync(marker, 'x');
    const first = await start();
    await first.worker.send({ cmd: 'epoch', times: 49 });
    const { pid } = await first.worker.send<{ pid: number }>({
      cmd: 'spawn',
      args: ['sh', '-c', `while :; do cat '${marker}' > /dev/null; sleep 0.05; done`],
    });
    strays.push(pid);
    await first.worker.send({ cmd: 'exit' });
    await first.worker.exited;

    const second = await start();
    expect(second.hello.slot).toBe(first.hello.slot);
    await second.worker.send({ cmd: 'epoch', times: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const drained = await second.worker.drain();
    process.kill(pid, 'SIGKILL');
    expect(drained.events.filter((e) => e.path === marker || e.child)).toEqual([]);
  });
});
