// Restarts: programs stay attached through pinned links, so a daemon killed
// with SIGKILL stops nothing for the workers already registered (only new
// registrations wait for it), and the next daemon adopts them, attaching
// nothing twice; `vivariumd stop` removes what it pinned and nothing else;
// one pin dir is served by one daemon, however they are started.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DaemonNotRunningError, Worker } from '@vivarium/core';
import { VIVARIUMD } from '../helpers/daemon.js';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, socketOf, startDaemon, status, vivariumd, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('restart');
const SOCKET = socketOf(PIN_DIR);
const RACE_DIR = pinDirFor('race');
const ARGS = ['--rings', '4', '--ring-size', String(1 << 20)];
const skip = skipKernelTests();

const bpftool = <T>(args: string[]): T => JSON.parse(execFileSync('bpftool', ['--json', ...args], { encoding: 'utf8' })) as T;

/** The name the kernel keeps (BPF_OBJ_NAME_LEN) for the program of a link pin:
 * the pin's name, or for a uprobe (uprobe-<program>-<symbol>-<dev>-<ino>) its program's. */
const kernelName = (pin: string) => (pin.startsWith('uprobe-') ? pin.split('-')[1]! : pin).slice(0, 15);
/** The kernel names of the programs of these link pins, sorted as attachedHooks sorts. */
const kernelNames = (pins: string[]) => pins.map(kernelName).sort();

/** The kernel's view: every link whose program uses this pin dir's config_targets. */
function attachedHooks(pinDir: string): Array<{ link: number; prog: number; name: string }> {
  const targets = bpftool<{ id: number }>(['map', 'show', 'pinned', `${pinDir}/config_targets`]).id;
  const progs = new Map(
    bpftool<Array<{ id: number; name: string; map_ids?: number[] }>>(['prog', 'show'])
      .filter((p) => p.map_ids?.includes(targets))
      .map((p) => [p.id, p.name]),
  );
  return bpftool<Array<{ id: number; prog_id: number }>>(['link', 'show'])
    .filter((l) => progs.has(l.prog_id))
    .map((l) => ({ link: l.id, prog: l.prog_id, name: progs.get(l.prog_id)! }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Unpinning a link frees its program a moment later (deferred work): wait for it. */
async function programsFreed(progs: number[]): Promise<number[]> {
  let alive = progs;
  for (let i = 0; i < 50 && alive.length; i++) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 100));
    const live = new Set(bpftool<Array<{ id: number }>>(['prog', 'show']).map((p) => p.id));
    alive = progs.filter((id) => live.has(id));
  }
  return alive;
}

describe.skipIf(skip)('restarts and stop', () => {
  let daemon: Daemon;
  let dir: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    await wipe(PIN_DIR);
    await wipe(RACE_DIR);
    dir = mkdtempSync(join(tmpdir(), 'vivarium-restart-'));
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    await wipe(RACE_DIR);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('daemon down: registered workers keep receiving events, registering names the fix; a restart adopts them without loss', async () => {
    const marker = join(dir, 'restart.txt');
    writeFileSync(marker, 'x');
    daemon = await startDaemon(PIN_DIR, ARGS);
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    workers.push(worker);
    expect(hello, hello.message).toMatchObject({ registered: true });
    await worker.drain();
    expect(await worker.opensOf(marker)).toBe(1);
    const hooksBefore = attachedHooks(PIN_DIR);
    const pinnedHooks = status(PIN_DIR).hooks;
    expect(pinnedHooks).toEqual(expect.arrayContaining(['viv_exec', 'viv_exit', 'viv_fork']));
    expect(hooksBefore.map((h) => h.name)).toEqual(kernelNames(pinnedHooks)); // one link per hook

    expect(await daemon.kill('SIGKILL')).toBe('SIGKILL');
    // No daemon process: the programs stay attached, the worker keeps its ring.
    expect(await worker.opensOf(marker)).toBe(1);
    expect(status(PIN_DIR).daemon).toEqual({ pid: null, running: false });
    // Registering needs the daemon: one line naming the socket and the fix.
    expect(() => Worker.register({ pinDir: PIN_DIR })).toThrow(
      new DaemonNotRunningError(`vivarium: vivariumd is not running (nothing listens on ${SOCKET}; start it as root: npx vivariumd)`),
    );
    // What the worker does while no daemon runs is kept for its next drain.
    await worker.send({ cmd: 'open', path: marker, times: 5 });

    daemon = await startDaemon(PIN_DIR, ARGS);
    expect(daemon.output()).toContain(
      `adopted the pins in ${PIN_DIR}: programs stayed attached, registered workers kept (--rings 4, --ring-size ${1 << 20} as they were set)`,
    );
    const drained = await worker.drain();
    expect(drained.events.filter((e) => e.path === marker)).toHaveLength(5);
    expect([drained.dropped, drained.tampered]).toEqual([0, null]);
    const after = status(PIN_DIR);
    expect(after.daemon).toEqual({ pid: daemon.process.pid, running: true });
    expect(after.targets).toContainEqual(expect.objectContaining({ pid: hello.pid, slot: hello.slot, child: false }));
    expect(after.slots.find((s) => s.slot === hello.slot)?.owner).toMatchObject({ pid: hello.pid });
    expect(after.hooks).toEqual(pinnedHooks);
    expect(attachedHooks(PIN_DIR)).toEqual(hooksBefore); // the same links, none added
    expect(await worker.opensOf(marker)).toBe(1); // once, not twice

    // New workers register with the new daemon, beside the adopted one.
    const next = await WorkerProcess.start(PIN_DIR);
    workers.push(next.worker);
    expect(next.hello, next.hello.message).toMatchObject({ registered: true });
    expect(next.hello.slot).not.toBe(hello.slot);
    expect(await next.worker.opensOf(marker)).toBe(1);
    await next.worker.send({ cmd: 'exit' });

    // The adopted worker's end is seen without its connection: its slot is collected.
    await worker.kill();
    await eventually(() => !status(PIN_DIR).slots.some((s) => s.slot === hello.slot && s.owner), 10_000);
    expect(status(PIN_DIR).targets.filter((t) => t.pid === hello.pid)).toEqual([]);
  });

  test('a daemon restarted with fewer uprobe kinds detaches the others an earlier one pinned; --no-uprobes detaches all', async () => {
    const uprobePins = () => readdirSync(join(PIN_DIR, 'links')).filter((l) => l.startsWith('uprobe-'));
    const programsOf = (pins: string[]) => [...new Set(pins.map((l) => l.split('-')[1]))].sort();
    // Each kind is attached once a worker asks for it.
    expect(uprobePins()).toEqual([]);
    Worker.register({ pinDir: PIN_DIR, kinds: ['env', 'load', 'http'] }).unregister();
    await eventually(() => status(PIN_DIR).slots.every((s) => !s.owner)); // released before the daemon is killed
    expect(programsOf(uprobePins())).toEqual(['viv_tls_free', 'viv_uprobe_env', 'viv_uprobe_http', 'viv_uprobe_load', 'viv_uret_http']);

    await daemon.kill('SIGKILL');
    daemon = await startDaemon(PIN_DIR, [...ARGS, '--uprobes', 'env,load']);
    expect(daemon.output()).toContain('detached the http uprobes an earlier vivariumd attached: this one runs with --uprobes env,load');
    expect(programsOf(uprobePins())).toEqual(['viv_uprobe_env', 'viv_uprobe_load']);

    await daemon.kill('SIGKILL');
    daemon = await startDaemon(PIN_DIR, [...ARGS, '--no-uprobes']);
    expect(daemon.output()).toContain('detached the env, load uprobes an earlier vivariumd attached: this one runs with --no-uprobes');
    expect(uprobePins()).toEqual([]);

    await daemon.kill('SIGKILL');
    daemon = await startDaemon(PIN_DIR, ARGS);
    expect(daemon.output()).not.toContain('detached');
    expect(uprobePins()).toEqual([]);
  });

  test('a worker that died while no daemon ran: the next daemon frees its slot at start', async () => {
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    workers.push(worker);
    expect(hello, hello.message).toMatchObject({ registered: true });
    await daemon.kill('SIGKILL');
    await worker.kill();
    daemon = await startDaemon(PIN_DIR, ARGS);
    const freed = /freed \d+ slot\(s\) of workers that are gone: ([\d, ]+)/.exec(daemon.output());
    expect(freed?.[1]?.split(', ').map(Number), daemon.output()).toContain(hello.slot);
    expect(status(PIN_DIR).slots.filter((s) => s.owner)).toEqual([]);
  });

  // A daemon makes no ring before a worker registers (an idle daemon holds
  // none); the first registration makes its own slot, waiting for one RCU
  // grace period, and the spares for the next ones.
  test('a daemon that says ready holds no ring, and registers its first worker at once, even with one slot', async () => {
    await daemon.kill();
    daemon = await startDaemon(PIN_DIR, ['--rings', '1', '--ring-size', String(1 << 20)]);
    const before = status(PIN_DIR).slots;
    let worker: Worker | undefined;
    const outcome = (() => {
      try {
        worker = Worker.register({ pinDir: PIN_DIR });
        return 'registered';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    })();
    const during = status(PIN_DIR).slots;
    worker?.unregister();
    await daemon.kill();
    daemon = await startDaemon(PIN_DIR, ARGS);
    expect(before).toEqual([]);
    expect(outcome).toBe('registered');
    expect(during.map((s) => s.owner?.pid)).toEqual([process.pid]);
  });

  test('vivariumd stop removes everything it pinned and nothing else', async () => {
    // Someone else's pins in the same dir: a map, and a dir holding another.
    execFileSync('bpftool', ['map', 'create', `${PIN_DIR}/unrelated`, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'unrelated']);
    mkdirSync(`${PIN_DIR}/other-tool`);
    execFileSync('bpftool', ['map', 'create', `${PIN_DIR}/other-tool/map`, 'type', 'hash', 'key', '4', 'value', '4', 'entries', '1', 'name', 'other']);
    try {
      const ours = attachedHooks(PIN_DIR);
      expect(ours).toHaveLength(status(PIN_DIR).hooks.length);

      const stopped = vivariumd(['stop', '--pin-dir', PIN_DIR]);
      expect(stopped.stdout.trim()).toBe(`vivariumd: stopped vivariumd pid ${daemon.process.pid}; ${PIN_DIR} unpinned`);
      expect(await daemon.exited).toBe(0);
      expect(existsSync(SOCKET)).toBe(false);
      expect(readdirSync(PIN_DIR).sort()).toEqual(['other-tool', 'unrelated']);
      expect(readdirSync(`${PIN_DIR}/other-tool`)).toEqual(['map']);
      expect(bpftool<{ name: string }>(['map', 'show', 'pinned', `${PIN_DIR}/unrelated`]).name).toBe('unrelated');
      // Unpinning the links detached the programs: the kernel frees them.
      expect(await programsFreed(ours.map((h) => h.prog))).toEqual([]);
    } finally {
      rmSync(PIN_DIR, { recursive: true, force: true });
    }
  });

  test('vivariumd stop while a worker is still registered: the daemon detaches and exits', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    workers.push(worker);
    expect(hello, hello.message).toMatchObject({ registered: true });
    const stopped = vivariumd(['stop', '--pin-dir', PIN_DIR]);
    expect(stopped.stdout.trim()).toBe(`vivariumd: stopped vivariumd pid ${daemon.process.pid}; ${PIN_DIR} unpinned`);
    const exited = await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(() => resolve('still running 5 s after stop'), 5000))]);
    await worker.kill();
    expect(exited).toBe(0);
  });

  test('stop after the daemon died unpins its programs too', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const ours = attachedHooks(PIN_DIR);
    await daemon.kill('SIGKILL');
    const stopped = vivariumd(['stop', '--pin-dir', PIN_DIR]);
    expect(stopped.stdout.trim()).toBe(`vivariumd: no daemon was running; unpinned ${PIN_DIR} (programs detached)`);
    expect(await programsFreed(ours.map((h) => h.prog))).toEqual([]);
    expect(() => readdirSync(PIN_DIR)).toThrow(/ENOENT/);
    expect(existsSync(SOCKET)).toBe(false);
  });

  test('a killed daemon not yet reaped by its parent (a zombie) does not block a restart or stop', async () => {
    // sh starts the daemon and becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', `"${process.execPath}" "${VIVARIUMD}" --pin-dir ${PIN_DIR} ${ARGS.join(' ')} & exec sleep 600`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const zombiePid = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 30_000);
        parent.stderr!.on('data', (d) => {
          output += d;
          const ready = /ready: .* pid (\d+)/.exec(output);
          if (ready) {
            clearTimeout(timer);
            resolve(Number(ready[1]));
          }
        });
      });
      process.kill(zombiePid, 'SIGKILL');
      for (let i = 0; i < 50 && !readFileSync(`/proc/${zombiePid}/stat`, 'utf8').includes(') Z '); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readFileSync(`/proc/${zombiePid}/stat`, 'utf8')).toContain(') Z ');

      expect(status(PIN_DIR).daemon).toEqual({ pid: null, running: false }); // a zombie holds no lock
      daemon = await startDaemon(PIN_DIR, ARGS);
      expect(daemon.output()).toContain(`adopted the pins in ${PIN_DIR}`);
      await daemon.kill('SIGKILL');
      const stopped = vivariumd(['stop', '--pin-dir', PIN_DIR]);
      expect(stopped.stdout.trim()).toBe(`vivariumd: no daemon was running; unpinned ${PIN_DIR} (programs detached)`);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test('a second daemon on a served pin dir refuses in one line, and the first keeps serving', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const second = vivariumd(['--pin-dir', PIN_DIR, ...ARGS]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `vivariumd: ${PIN_DIR} is already served by vivariumd pid ${daemon.process.pid} (vivariumd stop --pin-dir ${PIN_DIR}, or use another --pin-dir)\n`,
    );
    expect(status(PIN_DIR).daemon).toEqual({ pid: daemon.process.pid, running: true });
    const { worker, hello } = await WorkerProcess.start(PIN_DIR);
    workers.push(worker);
    expect(hello, hello.message).toMatchObject({ registered: true });
    await worker.send({ cmd: 'exit' });
  });

  test('two daemons started at the same moment: exactly one serves, the other refuses, nothing is torn down', async () => {
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.allSettled([startDaemon(RACE_DIR, ARGS), startDaemon(RACE_DIR, ARGS)]);
      const served = outcomes.filter((o): o is PromiseFulfilledResult<Daemon> => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(served, `round ${round}`).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(String(refused[0]!.reason)).toMatch(new RegExp(`vivariumd: ${RACE_DIR} is already served by (vivariumd pid \\d+|another vivariumd, still starting)`));
      const { worker, hello } = await WorkerProcess.start(RACE_DIR);
      workers.push(worker);
      expect(hello.registered, hello.message).toBe(true);
      expect(attachedHooks(RACE_DIR).map((h) => h.name)).toEqual(kernelNames(status(RACE_DIR).hooks));
      await worker.send({ cmd: 'exit' });
      await served[0]!.value.kill();
      expect(() => readdirSync(RACE_DIR)).toThrow(/ENOENT/);
    }
  });
});
