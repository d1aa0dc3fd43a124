// Is the daemon that wrote meta still alive? (pid plus start time, so a
// reused pid is not mistaken for it; a zombie, killed but not yet reaped by
// its parent, is dead: it will never detach.)
import { readFileSync } from 'node:fs';
import { type DaemonMeta, processStartTime } from '@vivarium/core';

export function daemonAlive(meta: DaemonMeta): boolean {
  return meta.daemonPid !== 0 && processStartTime(meta.daemonPid) === meta.daemonStartTime && !isZombie(meta.daemonPid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true; // gone
  }
}
