// observed_tgids (bpf/lib/maps.bpf.h): a generation, then one bit per host
// tgid that may have a config_targets entry, so the kernel's programs let
// every other task go after one load. vivariumd sets a worker's bit before
// writing its entry, with an atomic OR on the mapped words: the kernel sets
// and clears other bits of the same word (forks and exits) at the same
// moment.
import { mapShared, pagesFor, type Mapping } from '../shared-memory.js';
import type { PinnedMap } from './pinned-map.js';

/** inode of the host's pid namespace (PROC_PID_INIT_INO): only a daemon
 * there sees the host tgids the bits are indexed by. */
export const HOST_PIDNS_INUM = 0xeffffffc;

/** The word of observed_tgids holding host tgid's bit (word 0 is the generation). */
export function tgidWord(tgid: number): number {
  return 1 + Math.floor(tgid / 64);
}

export class ObservedTgids {
  private constructor(
    private readonly mapping: Mapping,
    private readonly words: BigUint64Array,
  ) {}

  /** Maps the pinned map read-write (root only, as every pin). */
  static map(pin: PinnedMap): ObservedTgids {
    const count = pin.info.maxEntries;
    const mapping = mapShared(pin.fd, pagesFor(count * 8), 0, true, pin.path);
    return new ObservedTgids(mapping, new BigUint64Array(mapping.buffer, 0, count));
  }

  /** Before tgid's entry is written. A tgid past the map is always looked up.
   * Then the generation: a CPU running one of tgid's threads since before the
   * bit decides again at its next syscall (bpf/lib/running.bpf.h). */
  mark(tgid: number): void {
    const index = tgidWord(tgid);
    if (index < this.words.length) Atomics.or(this.words, index, 1n << BigInt(tgid % 64));
    Atomics.add(this.words, 0, 1n);
  }

  /** Every bit, for good (VIV_META_EVERY_TGID: the kernel clears none). */
  markEvery(): void {
    this.words.fill(0xffff_ffff_ffff_ffffn, 1); // in this mode the kernel only sets bits: plain stores lose none
    Atomics.add(this.words, 0, 1n);
  }

  unmap(): void {
    this.mapping.unmap();
  }
}
