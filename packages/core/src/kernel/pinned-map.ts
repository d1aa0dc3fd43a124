// A BPF map opened from its pin on bpffs, checked against its spec, or held
// by fd (a map vivariumd created, or one received from it).
import { AbiMismatchError, AccessDeniedError, DaemonNotRunningError, VivariumError, errnoName, syscallError } from '../errors.js';
import { closeFd, loadLibbpf } from '../native.js';
import { type MapInfo, type MapSpec, specDifferences } from './map-spec.js';

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
const BPF_EXIST = 2;

export function mapInfo(fd: number): MapInfo {
  const lib = loadLibbpf();
  const info: Record<string, unknown> = {};
  const ret = lib.bpf_obj_get_info_by_fd(fd, info, [lib.mapInfoSize]);
  if (ret < 0) throw syscallError('bpf_obj_get_info_by_fd', ret);
  return {
    type: info.type as number,
    id: info.id as number,
    keySize: info.key_size as number,
    valueSize: info.value_size as number,
    maxEntries: info.max_entries as number,
    flags: info.map_flags as number,
    name: info.name as string,
  };
}

/** Opens a pinned object, turning errno into the error a user can act on. */
export function openPin(path: string): number {
  const fd = loadLibbpf().bpf_obj_get(path);
  if (fd >= 0) return fd;
  const code = errnoName(fd);
  if (code === 'ENOENT') throw new DaemonNotRunningError(`vivarium: nothing pinned at ${path}: vivariumd is not running there (start it as root: npx vivariumd)`);
  if (code === 'EACCES' || code === 'EPERM')
    throw new AccessDeniedError(`vivarium: cannot open ${path}: ${code} (vivariumd's pins are root's only: run this as root)`);
  throw new VivariumError(`vivarium: cannot open ${path}`, { cause: syscallError('bpf_obj_get', fd) });
}

/** Refuses a map unless it matches `spec`, naming every difference. */
function checkSpec(what: string, spec: MapSpec, info: MapInfo): void {
  const diffs = specDifferences(spec, info);
  if (diffs.length > 0)
    throw new AbiMismatchError(`vivarium: ${what} does not match this version of Vivarium: ${diffs.join('; ')} (run vivariumd and the test packages from the same Vivarium version)`);
}

export class PinnedMap {
  private constructor(
    readonly path: string,
    readonly fd: number,
    readonly info: MapInfo,
  ) {}

  /** Opens the pin at `path` and checks it against `spec`. */
  static open(path: string, spec: MapSpec): PinnedMap {
    return PinnedMap.adopt(openPin(path), spec, path);
  }

  /** Takes ownership of `fd` (closed on a mismatch and by close()). */
  static adopt(fd: number, spec: MapSpec, what: string): PinnedMap {
    try {
      const info = mapInfo(fd);
      checkSpec(what, spec, info);
      return new PinnedMap(what, fd, info);
    } catch (err) {
      closeFd(fd);
      throw err;
    }
  }

  lookup(key: Uint8Array, value: Uint8Array = new Uint8Array(this.info.valueSize)): Uint8Array | undefined {
    const ret = loadLibbpf().bpf_map_lookup_elem(this.fd, key, value);
    if (ret === 0) return value;
    if (errnoName(ret) === 'ENOENT') return undefined;
    throw syscallError(`lookup in ${this.path}`, ret);
  }

  /** False when `flags` forbade the write (BPF_NOEXIST on a present key, ...). */
  update(key: Uint8Array, value: Uint8Array, flags = BPF_ANY): boolean {
    const ret = loadLibbpf().bpf_map_update_elem(this.fd, key, value, flags);
    if (ret === 0) return true;
    const code = errnoName(ret);
    if ((code === 'EEXIST' && flags === BPF_NOEXIST) || (code === 'ENOENT' && flags === BPF_EXIST)) return false;
    throw syscallError(`update of ${this.path}`, ret);
  }

  delete(key: Uint8Array): boolean {
    const ret = loadLibbpf().bpf_map_delete_elem(this.fd, key);
    if (ret === 0) return true;
    if (errnoName(ret) === 'ENOENT') return false;
    throw syscallError(`delete from ${this.path}`, ret);
  }

  *keys(): Generator<Uint8Array> {
    const lib = loadLibbpf();
    let prev: Uint8Array | null = null;
    for (;;) {
      const next: Uint8Array = new Uint8Array(this.info.keySize);
      const ret = lib.bpf_map_get_next_key(this.fd, prev, next);
      if (ret !== 0) {
        if (errnoName(ret) === 'ENOENT') return;
        throw syscallError(`iteration of ${this.path}`, ret);
      }
      yield next;
      prev = next;
    }
  }

  /** No more writes from user space, ever (BPF programs still write). */
  freeze(): void {
    const ret = loadLibbpf().bpf_map_freeze(this.fd);
    if (ret < 0) throw syscallError(`freezing ${this.path}`, ret);
  }

  close(): void {
    closeFd(this.fd);
  }
}
