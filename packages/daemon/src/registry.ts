// Who holds which slot. vivariumd alone writes a worker's config_targets
// entry, its slot's owner, and its per-worker maps: a ring, a control (its
// window, mapped read-write by the worker) and counters (written by the
// kernel only: frozen for user space).
//
// Installing a map in an array of maps costs an RCU grace period in the
// kernel (milliseconds), so slots are recycled, not rebuilt: a slot whose
// worker left is quarantined for one grace period (no program can still be
// writing for the old worker), its ring emptied and its window reset, and it
// is ready for the next worker. A daemon starts with no slot: the first
// worker's registration makes its own (one grace period, ~25 ms here), then
// spare ready slots are kept while workers come and go, and freed after a
// minute without registrations: an idle daemon holds no rings.
import {
  ControlCodec,
  MetaFlag,
  NoFreeSlotError,
  type Owner,
  type Target,
  TargetFlag,
  U32Codec,
  VivariumError,
  encode,
  errnoName,
  syscallError,
} from '@vivarium/core';
import { BPF_NOEXIST, type MapSpec, MapType, type Mapping, ObservedTgids, PAGE_SIZE, type PinDir, WORKER_MAP_SPECS, closeFd, loadLibbpf, mapShared } from '@vivarium/core/kernel';
import { type Peer, assertPeerAlive } from './peer.js';
import { commandOf, isAlive, mountNamespaceOf, targetKeyOf } from './proc.js';
import { returnIdleMemory } from './idle-memory.js';

export interface Registration {
  slot: number;
  owner: Owner;
  targetFlags: number;
  /** The worker's maps, in REPLY_FDS order (the registry keeps them open). */
  fds: [ring: number, control: number, counters: number];
}

/** The window a worker starts in. */
export const FIRST_EPOCH = 1;
/** Spare ready slots kept while workers register. */
const SPARE = 2;
/** Spare slots are freed after this long without a registration. */
const IDLE_MS = 60_000;
/** A registration that finds every slot taken waits this long, at most, for
 * slots being made or recycled. */
const SLOT_WAIT_MS = 20;
const SLOT_WAIT_LIMIT_MS = 5_000;

interface Slot {
  index: number;
  ring: number;
  control: number;
  counters: number;
  state: 'preparing' | 'ready' | 'owned' | 'recycling' | 'retiring';
  connected: boolean;
}

const SLOT_ZERO = encode(U32Codec, 0);

export class Registry {
  /** Slots whose maps this daemon created (it holds their fds). */
  private readonly slots = new Map<number, Slot>();
  /** Slots held by workers of a daemon whose pins this one adopted. */
  private readonly adopted = new Set<number>();
  private lastRegistration = Date.now();
  /** Memory was handed back since the last registration. */
  private handedBack = false;
  private readonly barrier: RcuBarrier;
  private readonly tgids: ObservedTgids;

  constructor(
    private readonly pins: PinDir,
    private readonly ringSize: number,
  ) {
    this.barrier = new RcuBarrier();
    this.tgids = ObservedTgids.map(pins.maps.observed_tgids);
    if (pins.meta.flags & MetaFlag.EVERY_TGID) this.tgids.markEvery();
    // An empty slot of an array of maps is ENOENT: entries() lists installed ones.
    for (const [slot] of pins.rings.entries()) this.adopted.add(slot);
    for (const slot of pins.owners.keys()) this.adopted.add(slot);
  }

  /** Registers `peer` in a ready slot (making one if none is). */
  async register(peer: Peer, followChildren: boolean): Promise<Registration> {
    const { startTime } = peer;
    for (const [slot, owner] of this.pins.owners.entries())
      if (owner.hostPid === peer.pid && owner.startTime === startTime)
        throw new VivariumError(`vivarium: process ${peer.pid} is already registered (slot ${slot}): one registration per process`);
    const owner: Owner = { ...targetKeyOf(peer.pid), hostPid: peer.pid, uid: peer.uid, startTime };
    assertPeerAlive(peer); // the key above is that process's, not a successor's
    this.lastRegistration = Date.now();
    this.handedBack = false;
    const slot = await this.nextSlot();
    try {
      if (!this.pins.owners.set(slot.index, owner, BPF_NOEXIST)) throw new VivariumError(`vivariumd: slot ${slot.index} has an owner already`);
      slot.state = 'owned';
      slot.connected = true;
      const targetFlags = (followChildren ? TargetFlag.FOLLOW_CHILDREN : 0) | (peer.uid === 0 ? 0 : TargetFlag.UNPRIVILEGED);
      this.setTarget(owner, { slot: slot.index, flags: targetFlags, epoch: FIRST_EPOCH, mntnsInum: mountNamespaceOf(peer.pid) });
      return { slot: slot.index, owner, targetFlags, fds: [slot.ring, slot.control, slot.counters] };
    } catch (err) {
      void this.release(slot.index);
      throw err;
    } finally {
      this.topUp();
    }
  }

  /** The worker of `slot` left: nobody is observed through it any more;
   * the slot is recycled for the next worker. */
  async release(index: number): Promise<void> {
    this.forgetTargets(index);
    this.pins.owners.delete(index);
    const slot = this.slots.get(index);
    if (!slot) {
      // A slot of a previous daemon: we hold none of its maps.
      this.adopted.delete(index);
      await this.uninstall(index);
      return;
    }
    if (slot.state === 'recycling' || slot.state === 'retiring') return;
    slot.state = 'recycling';
    slot.connected = false;
    try {
      // After a grace period no program still writes for the old worker.
      await this.barrier.wait();
      resetRing(slot.ring);
      checked(loadLibbpf().bpf_map_update_elem(slot.control, SLOT_ZERO, encode(ControlCodec, { epoch: FIRST_EPOCH, reserved: 0 }), 0), 'resetting a control');
      slot.state = 'ready';
    } catch {
      await this.retire(slot);
    }
  }

  /** Releases slots whose owner died without its connection ending here
   * (workers of an adopted daemon), and frees spare slots when idle. */
  async sweep(): Promise<number[]> {
    const released: number[] = [];
    const owners = new Map(this.pins.owners.entries());
    for (const index of new Set([...this.adopted, ...owners.keys()])) {
      if (this.slots.get(index)?.connected) continue;
      const owner = owners.get(index);
      if (owner && isAlive(owner.hostPid, owner.startTime)) continue;
      released.push(index);
      await this.release(index);
    }
    const idle = () => Date.now() - this.lastRegistration > IDLE_MS;
    if (idle()) {
      const spares = [...this.slots.values()].filter((s) => s.state === 'ready');
      // Each still a spare, and the daemon still idle, when its turn comes: a
      // worker that registered while the one before was retired may hold it
      // now (retiring it took its ring and counters out of the kernel's
      // arrays: its events went nowhere, and its integrity probe found its
      // registration gone).
      for (const slot of spares) if (slot.state === 'ready' && idle()) await this.retire(slot);
      // Once per idle spell (what registrations, or the start, faulted in since), and after freeing rings.
      if (spares.length || !this.handedBack) returnIdleMemory();
      this.handedBack = true;
    }
    return released;
  }

  /** Slots in use (owned) and spare (ready), for logs and tests. */
  counts(): { owned: number; ready: number; adopted: number } {
    const states = [...this.slots.values()].map((s) => s.state);
    return { owned: states.filter((s) => s === 'owned').length, ready: states.filter((s) => s === 'ready').length, adopted: this.adopted.size };
  }

  /** Frees every slot's maps this daemon holds (at shutdown). */
  close(): void {
    for (const slot of this.slots.values()) for (const fd of [slot.ring, slot.control, slot.counters]) closeFd(fd);
    this.slots.clear();
    this.barrier.close();
    this.tgids.unmap();
  }

  /** A ready slot: a spare, a new one, or — all taken but some being made
   * or recycled — the first of those to be ready. */
  private async nextSlot(): Promise<Slot> {
    for (let waited = 0; ; waited += SLOT_WAIT_MS) {
      const ready = this.takeReady();
      if (ready) return ready;
      try {
        return await this.prepare(this.freeIndex());
      } catch (err) {
        const busy = [...this.slots.values()].some((s) => s.state === 'preparing' || s.state === 'recycling');
        if (!(err instanceof NoFreeSlotError) || !busy || waited > SLOT_WAIT_LIMIT_MS) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, SLOT_WAIT_MS));
    }
  }

  /** Writes a worker's config_targets entry, or says who fills the table. */
  private setTarget(owner: Owner, target: Target): void {
    this.tgids.mark(owner.hostPid); // before the entry: never an entry without its bit
    try {
      this.pins.targets.set({ pidnsInum: owner.pidnsInum, nsTgid: owner.nsTgid }, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'E2BIG') throw err;
      const perSlot = new Map<number, number>();
      for (const t of this.pins.targets.values()) perSlot.set(t.slot, (perSlot.get(t.slot) ?? 0) + 1);
      const owners = new Map(this.pins.owners.entries());
      const top = [...perSlot].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([slot, n]) => {
        const o = owners.get(slot);
        return `slot ${slot}${o ? ` (pid ${o.hostPid}, ${commandOf(o.hostPid)})` : ''} follows ${n}`;
      });
      const max = this.pins.meta.maxTargets;
      throw new VivariumError(
        `vivarium: the kernel's table of observed processes is full (--max-targets ${max}): ${top.join(', ')} (stop those processes, or restart vivariumd with --max-targets ${max * 2})`,
        { cause: err },
      );
    }
  }

  private takeReady(): Slot | undefined {
    for (const slot of this.slots.values()) if (slot.state === 'ready') return slot;
    return undefined;
  }

  /** Keeps SPARE ready slots, so registrations do not wait for a grace period. */
  private topUp(): void {
    const spare = [...this.slots.values()].filter((s) => s.state === 'ready' || s.state === 'preparing').length;
    for (let i = spare; i < SPARE; i++) {
      let index: number;
      try {
        index = this.freeIndex();
      } catch {
        return; // all slots in use: no spare to make
      }
      this.prepare(index).then(
        (slot) => {
          slot.state = 'ready';
        },
        () => {},
      );
    }
  }

  /** The lowest slot nobody uses, or a NoFreeSlotError naming the holders. */
  private freeIndex(): number {
    const owners = new Map(this.pins.owners.entries());
    for (let index = 0; index < this.pins.meta.maxSlots; index++)
      if (!this.slots.has(index) && !this.adopted.has(index) && !owners.has(index)) return index;
    const holders = [...owners.values()].slice(0, 8).map((o) => `pid ${o.hostPid} (${commandOf(o.hostPid)})`);
    throw new NoFreeSlotError(
      `vivarium: all ${this.pins.meta.maxSlots} slots are held by live workers: ${holders.join(', ')}${owners.size > 8 ? `, … ${owners.size - 8} more` : ''} (stop some, run fewer test workers: Vitest maxWorkers, Jest --maxWorkers, or restart vivariumd with --rings ${this.pins.meta.maxSlots * 2})`,
    );
  }

  /** Creates a slot's maps and installs them (one grace period, off the event loop). */
  private async prepare(index: number): Promise<Slot> {
    const lib = loadLibbpf();
    const fds: number[] = [];
    // Each as map-spec.ts specifies it (PinDir.slotCounters opens counters against the same spec).
    const create = (what: keyof typeof WORKER_MAP_SPECS, maxEntries: number) => {
      const spec: MapSpec = WORKER_MAP_SPECS[what];
      const fd = lib.bpf_map_create(spec.type, `viv_${what}`, spec.keySize, spec.valueSize, maxEntries, { map_flags: spec.flags ?? 0 });
      if (fd < 0) throw new VivariumError(`vivariumd: creating a ${what} failed`, { cause: syscallError('bpf_map_create', fd) });
      fds.push(fd);
      return fd;
    };
    const slot: Slot = { index, ring: -1, control: -1, counters: -1, state: 'preparing', connected: false };
    this.slots.set(index, slot);
    try {
      slot.ring = create('ring', this.ringSize);
      slot.control = create('control', WORKER_MAP_SPECS.control.maxEntries);
      slot.counters = create('counters', WORKER_MAP_SPECS.counters.maxEntries);
      checked(lib.bpf_map_update_elem(slot.control, SLOT_ZERO, encode(ControlCodec, { epoch: FIRST_EPOCH, reserved: 0 }), 0), 'writing a control');
      checked(lib.bpf_map_freeze(slot.counters), 'freezing counters');
      const key = encode(U32Codec, index);
      const rets = await Promise.all([
        lib.updateAsync(this.pins.rings.map.fd, key, encode(U32Codec, slot.ring), 0),
        lib.updateAsync(this.pins.controls.map.fd, key, encode(U32Codec, slot.control), 0),
        lib.updateAsync(this.pins.counters.map.fd, key, encode(U32Codec, slot.counters), 0),
      ]);
      for (const ret of rets) checked(ret, `installing the maps of slot ${index}`);
      return slot;
    } catch (err) {
      await this.retire(slot);
      throw err;
    }
  }

  /** Takes a slot's maps out of the kernel's arrays and closes them: the ring is freed. */
  private async retire(slot: Slot): Promise<void> {
    slot.state = 'retiring';
    await this.uninstall(slot.index);
    for (const fd of [slot.ring, slot.control, slot.counters]) closeFd(fd);
    this.slots.delete(slot.index);
  }

  private async uninstall(index: number): Promise<void> {
    const lib = loadLibbpf();
    const key = encode(U32Codec, index);
    await Promise.all([this.pins.rings, this.pins.controls, this.pins.counters].map((m) => lib.deleteAsync(m.map.fd, key)));
  }

  /** Deletes every config_targets entry that sends events to `slot`. */
  private forgetTargets(slot: number): void {
    for (const [key, target] of [...this.pins.targets.entries()]) if (target.slot === slot) this.pins.targets.delete(key);
  }
}

/** Waits for an RCU grace period: replacing the inner map of an array of
 * maps does (kernel/bpf/syscall.c, maybe_wait_bpf_programs). */
class RcuBarrier {
  private readonly outer: number;
  private readonly inner: number;

  constructor() {
    const lib = loadLibbpf();
    this.inner = lib.bpf_map_create(MapType.ARRAY, 'viv_barrier_in', 4, 4, 1, null);
    this.outer = lib.bpf_map_create(MapType.ARRAY_OF_MAPS, 'viv_barrier', 4, 4, 1, { inner_map_fd: this.inner });
    if (this.inner < 0 || this.outer < 0) throw new VivariumError('vivariumd: creating the RCU barrier map failed', { cause: syscallError('bpf_map_create', Math.min(this.inner, this.outer)) });
  }

  async wait(): Promise<void> {
    checked(await loadLibbpf().updateAsync(this.outer, SLOT_ZERO, encode(U32Codec, this.inner), 0), 'waiting for a grace period');
  }

  close(): void {
    closeFd(this.outer);
    closeFd(this.inner);
  }
}

/** Discards whatever a ring holds: its consumer position jumps to the producer's. */
function resetRing(fd: number): void {
  let consumer: Mapping | undefined;
  let producer: Mapping | undefined;
  try {
    consumer = mapShared(fd, PAGE_SIZE, 0, true, 'a ring consumer page');
    producer = mapShared(fd, PAGE_SIZE, PAGE_SIZE, false, 'a ring producer page');
    new BigUint64Array(consumer.buffer, 0, 1)[0] = new BigUint64Array(producer.buffer, 0, 1)[0]!;
  } finally {
    consumer?.unmap();
    producer?.unmap();
  }
}

function checked(ret: number, what: string): void {
  if (ret < 0) throw new VivariumError(`vivariumd: ${what} failed: ${errnoName(ret)}`, { cause: syscallError(what, ret) });
}
