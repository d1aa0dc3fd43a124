// A pinned map seen through the codecs of its key and value.
import type { Codec } from '../codec.js';
import { decode, encode } from '../codec.js';
import { BPF_ANY, type PinnedMap } from './pinned-map.js';

export class TypedMap<K, V> {
  constructor(
    readonly map: PinnedMap,
    private readonly keyCodec: Codec<K>,
    private readonly valueCodec: Codec<V>,
  ) {}

  get(key: K): V | undefined {
    const raw = this.map.lookup(encode(this.keyCodec, key));
    return raw && decode(this.valueCodec, raw);
  }

  /** False when `flags` forbade the write (BPF_NOEXIST on a present key, ...). */
  set(key: K, value: V, flags = BPF_ANY): boolean {
    return this.map.update(encode(this.keyCodec, key), encode(this.valueCodec, value), flags);
  }

  delete(key: K): boolean {
    return this.map.delete(encode(this.keyCodec, key));
  }

  *keys(): Generator<K> {
    for (const raw of this.map.keys()) yield decode(this.keyCodec, raw);
  }

  *values(): Generator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Every present entry (keys that vanish while iterating are skipped). */
  *entries(): Generator<[K, V]> {
    for (const raw of this.map.keys()) {
      const value = this.map.lookup(raw);
      if (value) yield [decode(this.keyCodec, raw), decode(this.valueCodec, value)];
    }
  }
}
