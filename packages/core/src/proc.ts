// What a process knows about itself that the kernel keys on.
import { readFileSync, statSync } from 'node:fs';

/** Inode of the pid namespace the process lives in (/proc/self/ns/pid). */
export function pidNamespaceInode(pid: number | 'self' = 'self'): number {
  return statSync(`/proc/${pid}/ns/pid`).ino;
}

/** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined if the process is gone. Tells a live owner from a reused PID. */
export function processStartTime(pid: number | 'self' = 'self'): bigint | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = rest[22 - 3];
  return field === undefined ? undefined : BigInt(field);
}
