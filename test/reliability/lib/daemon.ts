// vivariumd for the reliability tests: started without the stop-first of
// test/helpers/daemon.ts (restarts must find the old pins), killed with any
// signal, and every pin dir wiped afterwards. Pin dirs are
// /sys/fs/bpf/vivarium-rel-*, never anyone else's.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { VIVARIUMD, liveDaemons } from '../../helpers/daemon.js';

export { type Daemon, spawnDaemon as startDaemon } from '../../helpers/daemon.js';

export const pinDirFor = (name: string) => `/sys/fs/bpf/vivarium-rel-${name}`;

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

export interface StatusJson {
  backend: string;
  daemon: { pid: number; running: boolean };
  rings: { count: number; size: number };
  access: { group: string | null; gid: number };
  hooks: string[];
  targets: Array<{ pidnsInode: number; pid: number; slot: number; child: boolean; epoch: number }>;
  slots: Array<{ slot: number; owner: { pidnsInode: number; pid: number } | null; emitted: string; dropped: string }>;
}

export function status(pinDir: string): StatusJson {
  const r = vivariumd(['status', '--json', '--pin-dir', pinDir]);
  if (r.code !== 0) throw new Error(`vivariumd status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
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
}
