// `vivariumd status`: what is attached and who is observed, from the pins
// (root only) and the pin dir's lock (who serves it).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { TargetFlag } from '@vivarium/core';
import { type DaemonMeta, PinDir } from '@vivarium/core/kernel';
import { lockHolder } from './lock.js';
import { linkPins } from './pin-dir.js';
import { commandOf } from './proc.js';
import type { UprobeState } from './uprobes/attacher.js';
import { readUprobeState } from './uprobes/state-file.js';
import { UPROBE_KINDS } from './uprobes/table.js';

export interface Status {
  pinDir: string;
  socket: string;
  backend: DaemonMeta['backend'];
  abiVersion: number;
  daemon: { pid: number | null; running: boolean };
  /** Slots: at most `max` workers at once, each with a ring of `size` bytes. */
  rings: { max: number; size: number; inUse: number };
  maxTargets: number;
  dnsPorts: number[];
  /** Who may register: the socket's group (null: root only). */
  access: { group: string | null; gid: number };
  hooks: string[];
  /** Uprobes attached, and kinds unavailable per registered worker (null: no daemon state). */
  uprobes: UprobeState | null;
  targets: Array<{ pidnsInode: number; pid: number; slot: number; child: boolean; epoch: number }>;
  slots: Array<{
    slot: number;
    owner: { pid: number; nsPid: number; pidnsInode: number; uid: number; command: string } | null;
    emitted: string;
    dropped: string;
    truncated: string;
    unfollowed: string;
  }>;
}

export function readStatus(pinDir: string, socket: string): Status {
  const pins = PinDir.open(pinDir);
  try {
    const targets: Status['targets'] = [...pins.targets.entries()]
      .map(([key, target]) => ({
        pidnsInode: key.pidnsInum,
        pid: key.nsTgid,
        slot: target.slot,
        child: (target.flags & TargetFlag.CHILD) !== 0,
        epoch: target.epoch,
      }))
      .sort((a, b) => a.slot - b.slot || a.pid - b.pid);
    const owners = new Map(pins.owners.entries());
    const used = [...new Set([...owners.keys(), ...[...pins.rings.entries()].map(([slot]) => slot)])].sort((a, b) => a - b);
    const slots: Status['slots'] = used.map((slot) => {
      const owner = owners.get(slot);
      const c = pins.slotCounters(slot);
      return {
        slot,
        owner: owner ? { pid: owner.hostPid, nsPid: owner.nsTgid, pidnsInode: owner.pidnsInum, uid: owner.uid, command: commandOf(owner.hostPid) } : null,
        emitted: String(c?.emitted ?? 0n),
        dropped: String(c?.dropped ?? 0n),
        truncated: String(c?.truncated ?? 0n),
        unfollowed: String(c?.unfollowed ?? 0n),
      };
    });
    const pid = lockHolder(pinDir) ?? null;
    return {
      pinDir,
      socket,
      backend: pins.meta.backend,
      abiVersion: pins.meta.abiVersion,
      daemon: { pid, running: pid !== null },
      rings: { max: pins.meta.maxSlots, size: pins.meta.ringSize, inUse: slots.filter((x) => x.owner).length },
      maxTargets: pins.meta.maxTargets,
      dnsPorts: pins.meta.dnsPorts.filter((p) => p !== 0),
      access: socketAccess(socket),
      hooks: linkPins(pinDir),
      uprobes: readUprobeState(socket),
      targets,
      slots,
    };
  } finally {
    pins.close();
  }
}

function socketAccess(socket: string): Status['access'] {
  let gid: number;
  try {
    gid = statSync(socket).gid;
  } catch {
    return { group: null, gid: 0 };
  }
  if (gid === 0) return { group: null, gid };
  try {
    return { group: execFileSync('getent', ['group', String(gid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0]!, gid };
  } catch {
    return { group: String(gid), gid };
  }
}

export function formatStatus(s: Status): string {
  const lines = [
    `vivariumd ${s.daemon.running ? `running (pid ${s.daemon.pid})` : 'not running (programs stay attached through pinned links; registering needs a daemon)'}`,
    `backend:  ${s.backend}`,
    `pin dir:  ${s.pinDir} (ABI ${s.abiVersion})`,
    `socket:   ${s.socket}`,
    `rings:    ${s.rings.inUse} of ${s.rings.max} in use (${s.slots.length - s.rings.inUse} spare), ${s.rings.size} bytes each`,
    `targets:  ${s.targets.length} of ${s.maxTargets}`,
    `dns:      ${s.dnsPorts.length ? `ports ${s.dnsPorts.join(', ')}` : 'off'}`,
    `access:   ${s.access.group === null ? 'root only' : `root and group ${s.access.group}`}`,
    `hooks:    ${s.hooks.join(', ') || 'none'}`,
    ...uprobeLines(s.uprobes),
    ...s.targets.map((t) => `  pid ${t.pid} (pidns ${t.pidnsInode}) → slot ${t.slot}${t.child ? ` (child, window ${t.epoch})` : ''}`),
    ...s.slots.map(
      (x) =>
        `  slot ${x.slot}: ${x.owner ? `pid ${x.owner.pid} (${x.owner.command}, uid ${x.owner.uid})` : 'spare (ready for the next worker)'}, emitted ${x.emitted}, dropped ${x.dropped}, truncated ${x.truncated}, unfollowed ${x.unfollowed}`,
    ),
  ];
  return lines.join('\n');
}

function uprobeLines(u: UprobeState | null): string[] {
  if (!u) return [];
  if (u.programs) return [`uprobes:  unavailable (${u.programs}): ${UPROBE_KINDS.join(' and ')} events cannot be seen`];
  return [
    `uprobes:  ${u.files.map((f) => `${f.file} (${f.symbols.join(', ')})`).join(', ') || (u.idle ? `detached (${u.idle})` : 'none attached yet')}`,
    ...(u.onDemand?.length ? [`          ${u.onDemand.join(', ')}: attached once a worker asks (a check of it, a policy, a reporter)`] : []),
    ...Object.entries(u.workers).flatMap(([pid, kinds]) => Object.entries(kinds).map(([kind, why]) => `  pid ${pid}: ${kind} events unavailable: ${why}`)),
  ];
}
