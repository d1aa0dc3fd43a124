// Who may do what. Every pin is root's only (0600, dirs 0700): no user but
// root reads a ring, writes config_targets or touches meta. Who may
// register a worker is the registration socket's owner and mode: root only
// (0600, the default), or the members of one group (--group: root:group 0660).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { VivariumError } from '@vivarium/core';
import { MAP_PINS, PIN } from '@vivarium/core/kernel';
import { linkPins } from './pin-dir.js';

export interface Group {
  name: string;
  gid: number;
}

/** The group named (or numbered) by --group, from the system's group database. */
export function resolveGroup(group: string): Group {
  let line: string;
  try {
    line = execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new VivariumError(`vivariumd: --group ${group}: no such group (groupadd ${group}, then usermod -aG ${group} USER)`);
  }
  const [name, , gid] = line.split('\n')[0]!.split(':');
  return { name: name!, gid: Number(gid) };
}

/** Makes every pin and pin directory root's only (an earlier version or a
 * hand-made dir may have left them open). */
export function lockDownPins(pinDir: string): void {
  const set = (path: string, mode: number) => {
    if (!existsSync(path)) return;
    chownSync(path, 0, 0);
    chmodSync(path, mode);
  };
  set(pinDir, 0o700);
  set(join(pinDir, PIN.links), 0o700);
  for (const pin of MAP_PINS) set(join(pinDir, pin), 0o600);
  for (const link of linkPins(pinDir)) set(join(pinDir, PIN.links, link), 0o600);
}

export function describeAccess(socket: string, group: Group | undefined): string {
  return group
    ? `access: members of group ${group.name} (gid ${group.gid}) may register workers (${socket} root:${group.name} 0660); pins are root's only`
    : `access: root only (${socket} 0600; --group NAME lets the members of a group register workers)`;
}
