// Is the daemon that wrote meta still alive? (pid plus start time, so a
// reused pid is not mistaken for it.)
import { type DaemonMeta, processStartTime } from '@vivarium/core';

export function daemonAlive(meta: DaemonMeta): boolean {
  return meta.daemonPid !== 0 && processStartTime(meta.daemonPid) === meta.daemonStartTime;
}
