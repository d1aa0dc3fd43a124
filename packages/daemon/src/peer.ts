// Who is at the other end of a registration connection, pinned when the
// connection is accepted: a worker registers itself, and only itself. The
// pid alone would not do: a client could connect, hand the connection on and
// exit, and its pid, reused by another process, would be registered. A pidfd
// (SO_PEERPIDFD, Linux 6.5+) names the very process that connected; on older
// kernels its start time at accept tells a reused pid apart.
import { readFileSync } from 'node:fs';
import { VivariumError } from '@vivarium/core';
import { closeFd, peerCredentials, peerPidfd } from '@vivarium/core/kernel';
import { processCredentials, processStartTime } from './proc.js';

export interface Peer {
  /** Host pid (in the daemon's pid namespace). */
  pid: number;
  uid: number;
  gid: number;
  startTime: bigint;
  pidfd: number | undefined;
}

/** The process that connected on `fd`, as the kernel recorded it. */
export function identifyPeer(fd: number): Peer {
  const { pid, uid, gid } = peerCredentials(fd);
  const pidfd = peerPidfd(fd);
  const startTime = processStartTime(pid);
  if (startTime === undefined || (pidfd !== undefined && !pidfdAlive(pidfd, pid))) {
    if (pidfd !== undefined) closeFd(pidfd);
    throw new VivariumError(`vivarium: the process that connected (pid ${pid}) is gone`);
  }
  return { pid, uid, gid, startTime, pidfd };
}

/** Throws unless the process that connected is still there, as itself. */
export function assertPeerAlive(peer: Peer): void {
  const alive = peer.pidfd !== undefined ? pidfdAlive(peer.pidfd, peer.pid) : processStartTime(peer.pid) === peer.startTime;
  if (!alive) throw new VivariumError(`vivarium: the process that connected (pid ${peer.pid}) is gone: a registration is for the process that connects, only`);
}

/** Throws unless a process that a user other than root connected with still
 * runs with that user's credentials only. One that ran a setuid or setgid
 * program since (or holds capabilities) is a process the kernel no longer
 * lets that user trace or read, and vivariumd does not observe it for them. */
export function assertPeerUnprivileged(peer: Peer): void {
  if (peer.uid === 0) return;
  const now = processCredentials(peer.pid);
  if (!now) throw new VivariumError(`vivarium: the process that connected (pid ${peer.pid}) is gone`);
  const held = [
    ...(now.uids.every((id) => id === peer.uid) ? [] : [`uids ${now.uids.join('/')}`]),
    ...(now.gids.every((id) => id === peer.gid) ? [] : [`gids ${now.gids.join('/')}`]),
    ...(now.permitted === 0n ? [] : [`capabilities ${now.permitted.toString(16)}`]),
  ];
  if (held.length)
    throw new VivariumError(
      `vivarium: process ${peer.pid} connected as uid ${peer.uid} gid ${peer.gid} but now runs with ${held.join(', ')}: a user other than root cannot register a process that gained privileges (setuid, setgid, file capabilities)`,
    );
}

export function forgetPeer(peer: Peer | undefined): void {
  if (peer?.pidfd !== undefined) closeFd(peer.pidfd);
}

/** A pidfd's process is alive and is `pid` (fdinfo says Pid: -1 once it exited). */
function pidfdAlive(pidfd: number, pid: number): boolean {
  try {
    return new RegExp(`^Pid:\\s*${pid}$`, 'm').test(readFileSync(`/proc/self/fdinfo/${pidfd}`, 'utf8'));
  } catch {
    return false;
  }
}
