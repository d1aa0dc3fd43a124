// `vivariumd status`: what is attached and who is observed, from the pins alone.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Layout, MAP_SPECS, PIN, PinnedMap, TargetFlag, decodeStats, readMeta, u32Bytes, view, type DaemonMeta } from '@vivarium/core';
import { daemonAlive } from './daemon-state.js';
import { linkPins } from './pin-dir.js';

export interface Status {
  pinDir: string;
  backend: DaemonMeta['backend'];
  abiVersion: number;
  daemon: { pid: number; running: boolean };
  rings: { count: number; size: number };
  /** Who may register: the pin dir's group (null: root only). */
  access: { group: string | null; gid: number };
  hooks: string[];
  targets: Array<{ pidnsInode: number; pid: number; slot: number; child: boolean; epoch: number }>;
  slots: Array<{ slot: number; owner: { pidnsInode: number; pid: number } | null; emitted: string; dropped: string; truncated: string }>;
}

function openMaps(pinDir: string) {
  // meta first: pins of another ABI are refused naming both versions.
  const metaMap = PinnedMap.open(join(pinDir, PIN.meta), MAP_SPECS.meta);
  try {
    const meta = readMeta(metaMap);
    const opened: PinnedMap[] = [];
    const open = (name: string, spec: (typeof MAP_SPECS)[keyof typeof MAP_SPECS]) => {
      const map = PinnedMap.open(join(pinDir, name), spec);
      opened.push(map);
      return map;
    };
    try {
      return {
        meta,
        maps: {
          meta: metaMap,
          targets: open(PIN.configTargets, MAP_SPECS.config_targets),
          owner: open(PIN.ringOwner, MAP_SPECS.ring_owner),
          stats: open(PIN.stats, MAP_SPECS.stats),
        },
      };
    } catch (err) {
      for (const map of opened) map.close();
      throw err;
    }
  } catch (err) {
    metaMap.close();
    throw err;
  }
}

export function readStatus(pinDir: string): Status {
  const { meta, maps } = openMaps(pinDir);
  try {
    const K = Layout.viv_target_key;
    const T = Layout.viv_target;
    const O = Layout.viv_owner;
    const targets: Status['targets'] = [];
    for (const key of maps.targets.keys()) {
      const value = maps.targets.lookup(key);
      if (!value) continue;
      const k = view(key);
      const v = view(value);
      targets.push({
        pidnsInode: k.getUint32(K.pidns_inum.offset, true),
        pid: k.getUint32(K.ns_tgid.offset, true),
        slot: v.getUint32(T.slot.offset, true),
        child: (v.getUint32(T.flags.offset, true) & TargetFlag.CHILD) !== 0,
        epoch: v.getUint32(T.epoch.offset, true),
      });
    }
    targets.sort((a, b) => a.slot - b.slot || a.pid - b.pid);
    const slots: Status['slots'] = [];
    for (let slot = 0; slot < meta.ringCount; slot++) {
      const ownerRaw = maps.owner.lookup(u32Bytes(slot));
      const statsRaw = maps.stats.lookup(u32Bytes(slot));
      const s = statsRaw ? decodeStats(statsRaw) : { emitted: 0n, dropped: 0n, truncated: 0n };
      if (!ownerRaw && s.emitted === 0n && s.dropped === 0n) continue;
      const o = ownerRaw && view(ownerRaw);
      slots.push({
        slot,
        owner: o ? { pidnsInode: o.getUint32(O.pidns_inum.offset, true), pid: o.getUint32(O.ns_tgid.offset, true) } : null,
        emitted: String(s.emitted),
        dropped: String(s.dropped),
        truncated: String(s.truncated),
      });
    }
    return {
      pinDir,
      backend: meta.backend,
      abiVersion: meta.abiVersion,
      daemon: { pid: meta.daemonPid, running: daemonAlive(meta) },
      rings: { count: meta.ringCount, size: meta.ringSize },
      access: pinAccess(pinDir),
      hooks: linkPins(pinDir),
      targets,
      slots,
    };
  } finally {
    for (const map of Object.values(maps)) map.close();
  }
}

function pinAccess(pinDir: string): Status['access'] {
  const gid = statSync(pinDir).gid;
  if (gid === 0) return { group: null, gid };
  try {
    return { group: execFileSync('getent', ['group', String(gid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0]!, gid };
  } catch {
    return { group: String(gid), gid };
  }
}

export function formatStatus(s: Status): string {
  const lines = [
    `vivariumd ${s.daemon.running ? `running (pid ${s.daemon.pid})` : `not running (last pid ${s.daemon.pid}; programs stay attached through pinned links)`}`,
    `backend:  ${s.backend}`,
    `pin dir:  ${s.pinDir} (ABI ${s.abiVersion})`,
    `rings:    ${s.rings.count} × ${s.rings.size} bytes`,
    `access:   ${s.access.group === null ? 'root only' : `root and group ${s.access.group}`}`,
    `hooks:    ${s.hooks.join(', ') || 'none'}`,
    `targets:  ${s.targets.length}`,
    ...s.targets.map((t) => `  pid ${t.pid} (pidns ${t.pidnsInode}) → slot ${t.slot}${t.child ? ' (child)' : ''}, epoch ${t.epoch}`),
    `slots:    ${s.slots.length} in use or used`,
    ...s.slots.map(
      (x) =>
        `  slot ${x.slot}: ${x.owner ? `owner pid ${x.owner.pid}` : 'free'}, emitted ${x.emitted}, dropped ${x.dropped}, truncated ${x.truncated}`,
    ),
  ];
  return lines.join('\n');
}
