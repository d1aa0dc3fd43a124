// What /proc says about a process: how the kernel keys it in
// config_targets, whether it is still the same process, and its name.
import { readFileSync, statSync } from 'node:fs';
import { HOST_PIDNS_INUM } from '@vivarium/core/kernel';

/** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined if the process is gone. Tells a live process from a reused PID. */
export function processStartTime(pid: number | 'self' = 'self'): bigint | undefined {
  const fields = statFields(pid);
  const field = fields?.[22 - 3];
  return field === undefined ? undefined : BigInt(field);
}

/** Fields 3… of /proc/<pid>/stat (comm, field 2, may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Alive and still the process that started at `startTime` (a zombie is dead). */
export function isAlive(pid: number, startTime: bigint): boolean {
  const fields = statFields(pid);
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return false;
  return BigInt(fields[22 - 3] ?? -1) === startTime;
}

/** Whether this process sees host pids (the kernel's observed_tgids are indexed by them). */
export function inHostPidNamespace(): boolean {
  return statSync('/proc/self/ns/pid').ino === HOST_PIDNS_INUM;
}

/** The key the kernel computes for a process (bpf/lib/targets.bpf.h): the
 * inode of its pid namespace and its pid in there (the last NSpid). */
export function targetKeyOf(pid: number): { pidnsInum: number; nsTgid: number } {
  const pidnsInum = statSync(`/proc/${pid}/ns/pid`).ino;
  const line = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  const nsTgid = Number(line?.trim().split(/\s+/).pop() ?? pid);
  return { pidnsInum, nsTgid };
}

/** The process's command name, for messages ('node'), or '?' when gone. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The inode of the process's mount namespace: paths of its events are judged as it sees them. */
export function mountNamespaceOf(pid: number): number {
  return statSync(`/proc/${pid}/ns/mnt`).ino;
}

/** A process's user and group ids (real, effective, saved, filesystem) and
 * permitted capabilities, from /proc/<pid>/status; undefined once it is gone. */
export function processCredentials(pid: number): { uids: number[]; gids: number[]; permitted: bigint } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ids = (name: string) => (new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1] ?? '').split(/\s+/).map(Number);
    return { uids: ids('Uid'), gids: ids('Gid'), permitted: BigInt(`0x${/^CapPrm:\s*([0-9a-f]+)$/m.exec(text)?.[1] ?? '0'}`) };
  } catch {
    return undefined;
  }
}
