// The shape of every pinned map, kept apart from the live maps: opening a pin
// checks it against its spec and names every difference, which is how a
// client refuses pins of another ABI.
import { ControlCodec, CountersCodec, MetaCodec, OwnerCodec, TargetCodec, TargetKeyCodec, U32Codec } from '../abi.generated.js';

export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_ARRAY: 6,
  ARRAY_OF_MAPS: 12,
  RINGBUF: 27,
} as const;

export const MapFlag = {
  NO_PREALLOC: 1 << 0,
  RDONLY: 1 << 3,
  MMAPABLE: 1 << 10,
} as const;

export interface MapSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** Unchecked when absent (sizes chosen by the daemon's flags). */
  readonly maxEntries?: number;
  /** Flags the map must have (others are not checked). */
  readonly flags?: number;
}

/** The pinned maps of the protocol (bpf/vivarium.h). */
export const MAP_SPECS = {
  config_targets: { type: MapType.HASH, keySize: TargetKeyCodec.size, valueSize: TargetCodec.size },
  rings: { type: MapType.ARRAY_OF_MAPS, keySize: U32Codec.size, valueSize: U32Codec.size },
  controls: { type: MapType.ARRAY_OF_MAPS, keySize: U32Codec.size, valueSize: U32Codec.size },
  counters: { type: MapType.ARRAY_OF_MAPS, keySize: U32Codec.size, valueSize: U32Codec.size },
  ring_owner: { type: MapType.HASH, keySize: U32Codec.size, valueSize: OwnerCodec.size },
  meta: { type: MapType.ARRAY, keySize: U32Codec.size, valueSize: MetaCodec.size, maxEntries: 1 },
  observed_tgids: { type: MapType.ARRAY, keySize: U32Codec.size, valueSize: 8, flags: MapFlag.MMAPABLE },
} as const satisfies Record<string, MapSpec>;

/** The per-worker maps vivariumd creates at registration and hands over. */
export const WORKER_MAP_SPECS = {
  ring: { type: MapType.RINGBUF, keySize: 0, valueSize: 0 },
  control: { type: MapType.ARRAY, keySize: U32Codec.size, valueSize: ControlCodec.size, maxEntries: 1, flags: MapFlag.MMAPABLE },
  counters: { type: MapType.ARRAY, keySize: U32Codec.size, valueSize: CountersCodec.size, maxEntries: 1, flags: MapFlag.MMAPABLE },
} as const satisfies Record<string, MapSpec>;

export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

const TYPE_NAMES = new Map<number, string>(Object.entries(MapType).map(([k, v]) => [v, k.toLowerCase()]));
const typeName = (type: number) => TYPE_NAMES.get(type) ?? `type ${type}`;

/** Every way `info` differs from `spec`, as readable phrases. */
export function specDifferences(spec: MapSpec, info: MapInfo): string[] {
  const diffs: string[] = [];
  if (info.type !== spec.type) diffs.push(`type ${typeName(info.type)}, expected ${typeName(spec.type)}`);
  if (info.keySize !== spec.keySize) diffs.push(`key size ${info.keySize}, expected ${spec.keySize}`);
  if (info.valueSize !== spec.valueSize) diffs.push(`value size ${info.valueSize}, expected ${spec.valueSize}`);
  if (spec.maxEntries !== undefined && info.maxEntries !== spec.maxEntries)
    diffs.push(`max entries ${info.maxEntries}, expected ${spec.maxEntries}`);
  if (spec.flags !== undefined && (info.flags & spec.flags) !== spec.flags)
    diffs.push(`flags 0x${info.flags.toString(16)}, expected 0x${spec.flags.toString(16)} set`);
  return diffs;
}
