// A test-runner process registered with vivariumd: it owns one ring slot,
// and the kernel sends it the events of itself and its descendants.
import { join } from 'node:path';
import { Abi, BackendCode, Layout, TargetFlag } from './abi.generated.js';
import { u32Bytes, view } from './bytes.js';
import { decodeEvent } from './decode.js';
import { AbiMismatchError, DaemonNotRunningError, DecodeError, NoFreeSlotError } from './errors.js';
import type { VivariumEvent } from './events.js';
import { MAP_SPECS } from './map-spec.js';
import { BPF_ANY, BPF_NOEXIST, PinnedMap, openPin } from './pinned-map.js';
import { PIN, resolvePinDir } from './pins.js';
import { pidNamespaceInode, processStartTime } from './proc.js';
import { RingReader } from './ring-reader.js';
import { closeFd } from './native.js';

export type BackendName = 'syscalls' | 'lsm';

export interface DaemonMeta {
  abiVersion: number;
  backend: BackendName | 'none';
  ringCount: number;
  ringSize: number;
  daemonPid: number;
  dnsPort: number;
  daemonStartTime: bigint;
}

export interface SlotStats {
  emitted: bigint;
  dropped: bigint;
  truncated: bigint;
}

export interface DrainResult {
  events: VivariumEvent[];
  /** Events the kernel could not write to this worker's ring since the last drain. */
  dropped: number;
}

const BACKENDS = new Map<number, DaemonMeta['backend']>([
  [BackendCode.NONE, 'none'],
  [BackendCode.SYSCALLS, 'syscalls'],
  [BackendCode.LSM, 'lsm'],
]);

export function decodeMeta(bytes: Uint8Array): DaemonMeta {
  const dv = view(bytes);
  const M = Layout.viv_meta;
  return {
    abiVersion: dv.getUint32(M.abi_version.offset, true),
    backend: BACKENDS.get(dv.getUint32(M.backend.offset, true)) ?? 'none',
    ringCount: dv.getUint32(M.ring_count.offset, true),
    ringSize: dv.getUint32(M.ring_size.offset, true),
    daemonPid: dv.getUint32(M.daemon_pid.offset, true),
    dnsPort: dv.getUint16(M.dns_port.offset, true),
    daemonStartTime: dv.getBigUint64(M.daemon_start_time.offset, true),
  };
}

export function decodeStats(bytes: Uint8Array): SlotStats {
  const dv = view(bytes);
  const S = Layout.viv_stats;
  return {
    emitted: dv.getBigUint64(S.emitted.offset, true),
    dropped: dv.getBigUint64(S.dropped.offset, true),
    truncated: dv.getBigUint64(S.truncated.offset, true),
  };
}

/** Reads meta[0] and refuses a daemon of another ABI. The daemon process
 * itself need not be alive: its programs stay attached through pinned links. */
export function readMeta(metaMap: PinnedMap): DaemonMeta {
  const raw = metaMap.lookup(u32Bytes(0));
  const meta = raw && decodeMeta(raw);
  if (!meta || meta.abiVersion === 0)
    throw new DaemonNotRunningError(`vivarium: ${metaMap.path} is not initialised: vivariumd is starting or crashed (restart it: npx vivariumd)`);
  if (meta.abiVersion !== Abi.ABI_VERSION)
    throw new AbiMismatchError(
      `vivarium: vivariumd speaks ABI ${meta.abiVersion}, this client ABI ${Abi.ABI_VERSION} (run vivariumd from the same Vivarium version as the test packages)`,
    );
  return meta;
}

export interface RegisterOptions {
  pinDir?: string;
  /** Follow children (default true). */
  followChildren?: boolean;
}

export class Worker {
  readonly meta: DaemonMeta;
  private epoch = 1;
  private droppedSeen: bigint;
  private closed = false;

  private constructor(
    readonly pinDir: string,
    readonly slot: number,
    private readonly key: Uint8Array,
    private readonly targetFlags: number,
    private readonly maps: { targets: PinnedMap; owner: PinnedMap; stats: PinnedMap; meta: PinnedMap },
    private readonly ring: RingReader,
    private readonly ringFd: number,
    meta: DaemonMeta,
  ) {
    this.meta = meta;
    this.droppedSeen = this.stats().dropped;
  }

  /** Claims a free slot and starts observing this process. */
  static register(options: RegisterOptions = {}): Worker {
    const pinDir = resolvePinDir(options.pinDir);
    const metaMap = PinnedMap.open(join(pinDir, PIN.meta), MAP_SPECS.meta);
    const opened: PinnedMap[] = [metaMap];
    try {
      const meta = readMeta(metaMap);
      const targets = PinnedMap.open(join(pinDir, PIN.configTargets), MAP_SPECS.config_targets);
      opened.push(targets);
      const owner = PinnedMap.open(join(pinDir, PIN.ringOwner), MAP_SPECS.ring_owner);
      opened.push(owner);
      const stats = PinnedMap.open(join(pinDir, PIN.stats), MAP_SPECS.stats);
      opened.push(stats);

      const pidnsInode = pidNamespaceInode();
      const key = new Uint8Array(Layout.viv_target_key.size);
      const kv = view(key);
      kv.setUint32(Layout.viv_target_key.pidns_inum.offset, pidnsInode, true);
      kv.setUint32(Layout.viv_target_key.ns_tgid.offset, process.pid, true);

      const slot = claimSlot(owner, meta.ringCount, pidnsInode);
      let ringFd = -1;
      try {
        ringFd = openPin(join(pinDir, PIN.ring(slot)));
        const ring = new RingReader(ringFd);
        // Children of a previous owner may outlive it: stop following them,
        // then drop what they and their parent left in the ring.
        forgetSlot(targets, slot);
        ring.consume(() => {});
        const flags = options.followChildren === false ? 0 : TargetFlag.FOLLOW_CHILDREN;
        const worker = new Worker(pinDir, slot, key, flags, { targets, owner, stats, meta: metaMap }, ring, ringFd, meta);
        worker.writeTarget();
        return worker;
      } catch (err) {
        closeFd(ringFd);
        owner.delete(u32Bytes(slot));
        throw err;
      }
    } catch (err) {
      for (const map of opened) map.close();
      throw err;
    }
  }

  get backend(): DaemonMeta['backend'] {
    return this.meta.backend;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  /** Starts a new observation window: events of work begun from now on carry the new epoch. */
  nextEpoch(): number {
    this.epoch++;
    this.writeTarget();
    return this.epoch;
  }

  stats(): SlotStats {
    const raw = this.maps.stats.lookup(u32Bytes(this.slot));
    return raw ? decodeStats(raw) : { emitted: 0n, dropped: 0n, truncated: 0n };
  }

  /** Everything the kernel has written for this worker so far. */
  drain(): DrainResult {
    const events: VivariumEvent[] = [];
    let undecodable = 0;
    this.ring.consume((dv, offset, length) => {
      try {
        events.push(decodeEvent(dv, offset, length));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        undecodable++; // counted as lost, never silently skipped
      }
    });
    const dropped = this.stats().dropped;
    const lost = Number(dropped - this.droppedSeen) + undecodable;
    this.droppedSeen = dropped;
    return { events, dropped: lost };
  }

  /** Stops observing and frees the slot. Safe to call twice. */
  unregister(): void {
    if (this.closed) return;
    this.closed = true;
    this.maps.targets.delete(this.key);
    forgetSlot(this.maps.targets, this.slot);
    const ownerKey = u32Bytes(this.slot);
    const current = this.maps.owner.lookup(ownerKey);
    if (current && sameOwner(current, this.key)) this.maps.owner.delete(ownerKey);
    this.ring.close();
    closeFd(this.ringFd);
    for (const map of Object.values(this.maps)) map.close();
  }

  private writeTarget(): void {
    const value = new Uint8Array(Layout.viv_target.size);
    const dv = view(value);
    dv.setUint32(Layout.viv_target.slot.offset, this.slot, true);
    dv.setUint32(Layout.viv_target.flags.offset, this.targetFlags, true);
    dv.setUint32(Layout.viv_target.epoch.offset, this.epoch, true);
    this.maps.targets.update(this.key, value, BPF_ANY);
  }
}

/** Deletes every config_targets entry that sends events to `slot`. */
function forgetSlot(targets: PinnedMap, slot: number): void {
  const T = Layout.viv_target;
  for (const key of [...targets.keys()]) {
    const value = targets.lookup(key);
    if (value && view(value).getUint32(T.slot.offset, true) === slot) targets.delete(key);
  }
}

function sameOwner(owner: Uint8Array, key: Uint8Array): boolean {
  const O = Layout.viv_owner;
  const K = Layout.viv_target_key;
  const a = view(owner);
  const b = view(key);
  return (
    a.getUint32(O.pidns_inum.offset, true) === b.getUint32(K.pidns_inum.offset, true) &&
    a.getUint32(O.ns_tgid.offset, true) === b.getUint32(K.ns_tgid.offset, true)
  );
}

/** Claims a slot with BPF_NOEXIST; takes over claims whose owner provably died. */
function claimSlot(owner: PinnedMap, ringCount: number, pidnsInode: number): number {
  const O = Layout.viv_owner;
  const mine = new Uint8Array(O.size);
  const dv = view(mine);
  dv.setUint32(O.pidns_inum.offset, pidnsInode, true);
  dv.setUint32(O.ns_tgid.offset, process.pid, true);
  dv.setBigUint64(O.start_time.offset, processStartTime() ?? 0n, true);

  for (let slot = 0; slot < ringCount; slot++) if (owner.update(u32Bytes(slot), mine, BPF_NOEXIST)) return slot;

  // All claimed. The kernel frees a slot when its owner exits, so leftovers
  // are rare (an unregister that never ran); reclaim those we can prove dead.
  for (let slot = 0; slot < ringCount; slot++) {
    const key = u32Bytes(slot);
    const claim = owner.lookup(key);
    if (!claim || !isDeadOwner(claim, pidnsInode)) continue;
    owner.delete(key);
    if (owner.update(key, mine, BPF_NOEXIST)) return slot;
  }
  throw new NoFreeSlotError(
    `vivarium: all ${ringCount} rings are claimed by live workers (run fewer workers, or restart vivariumd with --rings ${ringCount * 2})`,
  );
}

function isDeadOwner(claim: Uint8Array, pidnsInode: number): boolean {
  const O = Layout.viv_owner;
  const dv = view(claim);
  if (dv.getUint32(O.pidns_inum.offset, true) !== pidnsInode) return false; // cannot see it from here
  const pid = dv.getUint32(O.ns_tgid.offset, true);
  return processStartTime(pid) !== dv.getBigUint64(O.start_time.offset, true);
}

/** The backend the daemon serving the pin dir runs, for reports; never throws. */
export function runBackend(pinDir?: string): string {
  try {
    const metaMap = PinnedMap.open(join(resolvePinDir(pinDir), PIN.meta), MAP_SPECS.meta);
    try {
      return readMeta(metaMap).backend;
    } finally {
      metaMap.close();
    }
  } catch {
    return 'unknown';
  }
}
