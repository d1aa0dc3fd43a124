// vivariumd's pin directory on bpffs: the names of its pins, and the maps
// opened from them through their codecs. Root only: workers never open a
// pin (they get their own maps from the daemon's socket).
import { join } from 'node:path';
import {
  Abi,
  type Counters,
  CountersCodec,
  type Meta,
  MetaCodec,
  type Owner,
  OwnerCodec,
  type Target,
  TargetCodec,
  type TargetKey,
  TargetKeyCodec,
  U32Codec,
} from '../abi.generated.js';
import { type BackendName, backendName } from '../backend.js';
import { decode, encode } from '../codec.js';
import { AbiMismatchError, DaemonNotRunningError, syscallError } from '../errors.js';
import { closeFd, loadLibbpf } from '../native.js';
import { MAP_SPECS, WORKER_MAP_SPECS, specDifferences } from './map-spec.js';
import { PinnedMap, mapInfo, openPin } from './pinned-map.js';
import { TypedMap } from './typed-map.js';

export const PIN = {
  configTargets: 'config_targets',
  rings: 'rings',
  controls: 'controls',
  counters: 'counters',
  ringOwner: 'ring_owner',
  meta: 'meta',
  observedTgids: 'observed_tgids',
  /** Attached programs, pinned so they outlive the daemon process. */
  links: 'links',
} as const;

/** Every map vivariumd pins, by pin name (= map name in the BPF object). */
export const MAP_PINS = [PIN.configTargets, PIN.rings, PIN.controls, PIN.counters, PIN.ringOwner, PIN.meta, PIN.observedTgids] as const;
export type MapPin = (typeof MAP_PINS)[number];

const SLOT_ZERO = encode(U32Codec, 0);

/** meta[0], decoded. */
export interface DaemonMeta extends Omit<Meta, 'backend'> {
  backend: BackendName | 'none';
}

function toDaemonMeta(meta: Meta): DaemonMeta {
  const { backend, ...rest } = meta;
  return { ...rest, backend: backendName(backend) ?? 'none' };
}

/** Reads meta[0] and refuses pins of another ABI, naming both versions. */
function readMeta(map: PinnedMap): DaemonMeta {
  const raw = map.lookup(SLOT_ZERO);
  const meta = raw && toDaemonMeta(decode(MetaCodec, raw));
  if (!meta || meta.abiVersion === 0)
    throw new DaemonNotRunningError(`vivarium: ${map.path} is not initialised: vivariumd is starting or crashed (restart it: npx vivariumd)`);
  if (meta.abiVersion !== Abi.ABI_VERSION)
    throw new AbiMismatchError(`vivarium: these pins are of vivariumd ABI ${meta.abiVersion}, this client ABI ${Abi.ABI_VERSION} (run vivariumd from the same Vivarium version)`);
  return meta;
}

/** What the meta pin of `dir` says of its ABI without refusing anything: the
 * version it records (0 while uninitialised), or how its map differs from
 * this build's (the pins of an older or newer layout). */
export function pinnedAbi(dir: string): { version: number } | { differences: string[] } {
  const path = join(dir, PIN.meta);
  const fd = openPin(path);
  const differences = specDifferences(MAP_SPECS.meta, mapInfo(fd));
  if (differences.length > 0) {
    closeFd(fd);
    return { differences };
  }
  const meta = PinnedMap.adopt(fd, MAP_SPECS.meta, path);
  try {
    const raw = meta.lookup(SLOT_ZERO);
    return { version: raw ? decode(MetaCodec, raw).abiVersion : 0 };
  } finally {
    meta.close();
  }
}

export class PinDir {
  readonly targets: TypedMap<TargetKey, Target>;
  readonly owners: TypedMap<number, Owner>;
  /** Arrays of maps: written with an inner map's fd, read as its id. */
  readonly rings: TypedMap<number, number>;
  readonly controls: TypedMap<number, number>;
  readonly counters: TypedMap<number, number>;

  private constructor(
    readonly dir: string,
    readonly meta: DaemonMeta,
    readonly maps: Readonly<Record<MapPin, PinnedMap>>,
  ) {
    this.targets = new TypedMap(maps.config_targets, TargetKeyCodec, TargetCodec);
    this.owners = new TypedMap(maps.ring_owner, U32Codec, OwnerCodec);
    this.rings = new TypedMap(maps.rings, U32Codec, U32Codec);
    this.controls = new TypedMap(maps.controls, U32Codec, U32Codec);
    this.counters = new TypedMap(maps.counters, U32Codec, U32Codec);
  }

  static path(dir: string, pin: string): string {
    return join(dir, pin);
  }

  /** Opens every map pin of `dir`, meta first: pins of another ABI are refused naming both versions. */
  static open(dir: string): PinDir {
    const opened: PinnedMap[] = [];
    try {
      const metaMap = PinnedMap.open(join(dir, PIN.meta), MAP_SPECS.meta);
      opened.push(metaMap);
      const meta = readMeta(metaMap);
      const maps = { meta: metaMap } as Record<MapPin, PinnedMap>;
      for (const pin of MAP_PINS.filter((p) => p !== PIN.meta)) {
        maps[pin] = PinnedMap.open(join(dir, pin), MAP_SPECS[pin]);
        opened.push(maps[pin]);
      }
      return new PinDir(dir, meta, maps);
    } catch (err) {
      for (const map of opened) map.close();
      throw err;
    }
  }

  /** The counters of the worker in `slot` (read through the inner map's id). */
  slotCounters(slot: number): Counters | undefined {
    const id = this.counters.get(slot);
    if (id === undefined) return undefined;
    const fd = loadLibbpf().bpf_map_get_fd_by_id(id);
    if (fd < 0) throw syscallError(`opening the counters of slot ${slot}`, fd);
    const map = PinnedMap.adopt(fd, WORKER_MAP_SPECS.counters, `counters of slot ${slot}`);
    try {
      const raw = map.lookup(SLOT_ZERO);
      return raw && decode(CountersCodec, raw);
    } finally {
      map.close();
    }
  }

  close(): void {
    for (const map of Object.values(this.maps)) map.close();
  }
}

