// A BPF map opened from its pin on bpffs, checked against its spec.
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { AbiMismatchError, DaemonNotRunningError, PinPermissionError, VivariumError, errnoName, syscallError } from './errors.js';
import { type MapInfo, type MapSpec, specDifferences } from './map-spec.js';
import { closeFd, loadLibbpf } from './native.js';

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

const INFO_SIZE = 88; // struct bpf_map_info up to map_extra; the kernel copies what fits

export function mapInfo(fd: number): MapInfo {
  const buf = new Uint8Array(INFO_SIZE);
  const len = new Uint32Array([INFO_SIZE]);
  const ret = loadLibbpf().bpf_obj_get_info_by_fd(fd, buf, len);
  if (ret < 0) throw syscallError('bpf_obj_get_info_by_fd', ret);
  const dv = new DataView(buf.buffer);
  const nameBytes = buf.subarray(24, 40);
  const nul = nameBytes.indexOf(0);
  return {
    type: dv.getUint32(0, true),
    id: dv.getUint32(4, true),
    keySize: dv.getUint32(8, true),
    valueSize: dv.getUint32(12, true),
    maxEntries: dv.getUint32(16, true),
    flags: dv.getUint32(20, true),
    name: Buffer.from(nameBytes.subarray(0, nul < 0 ? 16 : nul)).toString('latin1'),
  };
}

/** Opens a pinned object, turning errno into the error a user can act on. */
export function openPin(path: string): number {
  const fd = loadLibbpf().bpf_obj_get(path);
  if (fd >= 0) return fd;
  const code = errnoName(fd);
  if (code === 'ENOENT')
    throw new DaemonNotRunningError(`vivarium: no pinned map at ${path}: vivariumd is not running (start it as root: npx vivariumd)`);
  if (code === 'EACCES' || code === 'EPERM') throw new PinPermissionError(`vivarium: cannot open ${path}: ${code} (${permissionHint(path)})`);
  throw new VivariumError(`vivarium: cannot open ${path}`, { cause: syscallError('bpf_obj_get', fd) });
}

/** What to do about a pin this process may not open. vivariumd --group
 * records the group as the pin dir's group, so the dir says who is let in. */
function permissionHint(path: string): string {
  const dir = dirname(path);
  let gid: number;
  try {
    gid = statSync(dir).gid;
  } catch {
    return 'run as root, or start vivariumd --group <group> and add this user to it';
  }
  if (gid === 0) return `${dir} is root's only: run as root, or start vivariumd --group <group> and add this user to it`;
  const group = groupName(gid);
  const member = process.getegid?.() === gid || (process.getgroups?.() ?? []).includes(gid);
  if (member) return `this process is in group ${group}, which vivariumd shares ${dir} with, yet may not open it: check ls -l ${dir}, or restart vivariumd --group ${group}`;
  return `vivariumd shares ${dir} with group ${group} only: sudo usermod -aG ${group} ${userName()}, then log in again`;
}

function groupName(gid: number): string {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    if (line) return line.split(':')[0]!;
  } catch {
    // no /etc/group: fall through
  }
  return `gid ${gid}`;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `$USER`;
  }
}

export class PinnedMap {
  private constructor(
    readonly path: string,
    readonly fd: number,
    readonly info: MapInfo,
  ) {}

  /** Opens `path` and refuses it, naming every difference, unless it matches `spec`. */
  static open(path: string, spec: MapSpec): PinnedMap {
    const fd = openPin(path);
    const info = mapInfo(fd);
    const diffs = specDifferences(spec, info);
    if (diffs.length > 0) {
      closeFd(fd);
      throw new AbiMismatchError(
        `vivarium: ${path} does not match this client: ${diffs.join('; ')} (restart vivariumd from the same Vivarium version as the test packages)`,
      );
    }
    return new PinnedMap(path, fd, info);
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

  close(): void {
    closeFd(this.fd);
  }
}
