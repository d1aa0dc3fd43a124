// Who may use the pins: root only (the default), or the members of one
// group (--group). bpffs keeps ordinary owners and modes, and opening a pin
// (BPF_OBJ_GET) checks them like a file: read+write on the pin, search on
// the directories above it. Map operations on an open fd and mmap of a ring
// need no capability, so group members register without root.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PIN, VivariumError } from '@vivarium/core';
import { linkPins } from './pin-dir.js';

export interface PinGroup {
  name: string;
  gid: number;
}

/** The group named (or numbered) by --group, from the system's group database. */
export function resolveGroup(group: string): PinGroup {
  let line: string;
  try {
    line = execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new VivariumError(`vivariumd: --group ${group}: no such group (groupadd ${group}, then usermod -aG ${group} USER)`);
  }
  const [name, , gid] = line.split('\n')[0]!.split(':');
  return { name: name!, gid: Number(gid) };
}

/** Pins a worker opens: meta, the shared maps and every slot's ring. */
function workerPins(pinDir: string): string[] {
  const rings = existsSync(pinDir) ? readdirSync(pinDir).filter((n) => /^ring_\d+$/.test(n)) : [];
  return [PIN.meta, PIN.configTargets, PIN.ringOwner, PIN.stats, ...rings].map((n) => join(pinDir, n));
}

/**
 * Sets owner and mode of everything vivariumd pinned. With a group: the pin
 * dir and links dir root:group 0750, the pins workers open root:group 0660.
 * The `rings` map of maps and the link pins stay 0600 either way: a writer of
 * `rings` could point any slot at a ring it reads, and no worker needs them.
 * Without a group everything is root:root, 0600 / 0700 (a restart without
 * --group revokes an earlier grant).
 */
export function applyAccess(pinDir: string, group: PinGroup | undefined, log: (line: string) => void): void {
  const gid = group?.gid ?? 0;
  const dirs = [pinDir, join(pinDir, PIN.linkDir)].filter((d) => existsSync(d));
  const set = (path: string, mode: number) => {
    chownSync(path, 0, gid);
    chmodSync(path, mode);
  };
  const setDirs = () => dirs.forEach((d) => set(d, group ? 0o750 : 0o700));
  if (!group) setDirs(); // close the way in first
  for (const pin of workerPins(pinDir)) if (existsSync(pin)) set(pin, group ? 0o660 : 0o600);
  for (const pin of [join(pinDir, PIN.rings), ...linkPins(pinDir).map((l) => join(pinDir, PIN.linkDir, l))])
    if (existsSync(pin)) set(pin, 0o600);
  if (group) setDirs(); // open the way in last
  if (!group) {
    log(`access: root only (--group NAME lets the members of a group register workers)`);
    return;
  }
  log(`access: members of group ${group.name} (gid ${group.gid}) may register workers: pins root:${group.name} 0660, dirs 0750`);
  const parent = dirname(pinDir);
  if ((statSync(parent).mode & 0o001) === 0)
    log(`warning: ${parent} is not searchable by other users, so group ${group.name} cannot reach ${pinDir} (chmod o+x ${parent})`);
}
