// The shape of every pinned map, kept apart from the live maps: opening a pin
// checks it against its spec and names every difference, which is how a
// client refuses a daemon of another ABI.
import { Layout } from './abi.generated.js';

export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_ARRAY: 6,
  ARRAY_OF_MAPS: 12,
  RINGBUF: 27,
} as const;

export interface MapSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** Unchecked when absent (sizes chosen by the daemon's flags). */
  readonly maxEntries?: number;
}

export const MAP_SPECS = {
  config_targets: { type: MapType.HASH, keySize: Layout.viv_target_key.size, valueSize: Layout.viv_target.size },
  rings: { type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4 },
  ring_owner: { type: MapType.HASH, keySize: 4, valueSize: Layout.viv_owner.size },
  stats: { type: MapType.ARRAY, keySize: 4, valueSize: Layout.viv_stats.size },
  meta: { type: MapType.ARRAY, keySize: 4, valueSize: Layout.viv_meta.size, maxEntries: 1 },
} as const satisfies Record<string, MapSpec>;

export const RING_SPEC: MapSpec = { type: MapType.RINGBUF, keySize: 0, valueSize: 0 };

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
  return diffs;
}
