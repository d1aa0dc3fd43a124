// vivariumd for the reliability tests: started without the stop-first of
// test/helpers/daemon.ts (restarts must find the old pins), killed with any
// signal, and every pin dir wiped afterwards. Pin dirs are
// /sys/fs/bpf/vivarium-rel-*, never anyone else's; their sockets are
// /run/vivarium/vivarium-rel-*.sock.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { socketPathFor } from '@vivarium/core';
import { VIVARIUMD, liveDaemons } from '../../helpers/daemon.js';

export { type Daemon, spawnDaemon as startDaemon } from '../../helpers/daemon.js';

export const pinDirFor = (name: string) => `/sys/fs/bpf/vivarium-rel-${name}`;
export const socketOf = (pinDir: string) => socketPathFor(pinDir);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the vivariumd CLI to completion. */
export function vivariumd(args: string[], timeoutMs = 60_000): CliResult {
  const r = spawnSync(process.execPath, [VIVARIUMD, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `vivariumd status --json` (packages/daemon/src/status.ts). */
export interface StatusJson {
  pinDir: string;
  socket: string;
  backend: string;
  abiVersion: number;
  daemon: { pid: number | null; running: boolean };
  rings: { max: number; size: number; inUse: number };
  access: { group: string | null; gid: number };
  hooks: string[];
  targets: Array<{ pidnsInode: number; pid: number; slot: number; child: boolean; epoch: number }>;
  slots: Array<{
    slot: number;
    owner: { pid: number; nsPid: number; pidnsInode: number; uid: number; command: string } | null;
    emitted: string;
    dropped: string;
    truncated: string;
    unfollowed: string;
  }>;
  /** What vivariumd's uprobe attacher last wrote (null: no state file). */
  uprobes: { programs: string | null; files: Array<{ file: string; key: string; symbols: string[] }>; idle?: string; onDemand?: string[] } | null;
}

export function status(pinDir: string): StatusJson {
  const r = vivariumd(['status', '--json', '--pin-dir', pinDir]);
  if (r.code !== 0) throw new Error(`vivariumd status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** The slot a worker of host pid `pid` owns, per status. */
export function ownerSlot(pinDir: string, pid: number): StatusJson['slots'][number] | undefined {
  return status(pinDir).slots.find((s) => s.owner?.pid === pid);
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `check` until it returns something truthy (or throws the last failure after `timeoutMs`). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, everyMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      failure = err;
    }
    if (Date.now() > deadline) throw failure ?? new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Kills daemons this file started, unpins, and removes whatever a test left in the dir. */
export async function wipe(pinDir: string): Promise<void> {
  for (const [child, dir] of liveDaemons) {
    if (dir !== pinDir) continue;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  vivariumd(['stop', '--pin-dir', pinDir]);
  if (existsSync(pinDir)) rmSync(pinDir, { recursive: true, force: true });
  rmSync(socketOf(pinDir), { force: true });
}
