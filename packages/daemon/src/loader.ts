// Loads one backend's BPF object, installs the rings, pins maps and
// links, and writes meta last: a worker that can read meta finds everything
// in place. Any failure unpins what was done, so the kernel is never left
// half-attached.
import { join } from 'node:path';
import {
  Abi,
  BackendCode,
  type BackendName,
  Layout,
  MapType,
  PIN,
  VivariumError,
  closeFd,
  errnoName,
  loadLibbpf,
  processStartTime,
  syscallError,
  u32Bytes,
  view,
} from '@vivarium/core';
import { isNull, objectApi, takeLibbpfLog } from './libbpf-object.js';
import { removePins } from './pin-dir.js';

export interface AttachOptions {
  objectPath: string;
  backend: BackendName;
  pinDir: string;
  rings: number;
  ringSize: number;
  dnsPort: number;
}

export interface Attached {
  backend: BackendName;
  hooks: string[];
}

const SIZED_MAPS = ['rings', 'ring_owner', 'stats'] as const;
const PINNED_MAPS = [PIN.configTargets, PIN.rings, PIN.ringOwner, PIN.stats, PIN.meta] as const;

/** Attaches `backend`; throws a VivariumError carrying libbpf's log on failure. */
export function attach(options: AttachOptions): Attached {
  const api = objectApi();
  const lib = loadLibbpf();
  takeLibbpfLog();
  const obj = api.bpf_object__open_file(options.objectPath, null);
  if (isNull(obj) || api.libbpf_get_error(obj))
    throw new VivariumError(`vivariumd: cannot open ${options.objectPath} (npm run build:bpf)`);
  const links: unknown[] = [];
  const ringFds: number[] = [];
  try {
    const programs: Array<{ prog: unknown; name: string }> = [];
    for (let prog = api.bpf_object__next_program(obj, null); !isNull(prog); prog = api.bpf_object__next_program(obj, prog))
      programs.push({ prog, name: api.bpf_program__name(prog) });

    for (const name of SIZED_MAPS) check(api.bpf_map__set_max_entries(findMap(obj, name), options.rings), `sizing ${name}`);
    // The inner ring template keeps its size: the kernel accepts rings of any
    // size in `rings` (and libbpf 1.1 cannot resize an inner map anyway).

    const loaded = api.bpf_object__load(obj);
    if (loaded < 0) throw loadError(options.backend, loaded);

    // One ring per slot, reachable by BPF through `rings` and by workers through its own pin.
    const ringsFd = api.bpf_map__fd(findMap(obj, 'rings'));
    for (let slot = 0; slot < options.rings; slot++) {
      const fd = lib.bpf_map_create(MapType.RINGBUF, `viv_ring_${slot}`, 0, 0, options.ringSize, null);
      if (fd < 0) throw new VivariumError(`vivariumd: cannot create ring ${slot} of ${options.ringSize} bytes (--ring-size must be a power of two, at least 4096)`, { cause: syscallError('bpf_map_create', fd) });
      ringFds.push(fd);
      check(lib.bpf_map_update_elem(ringsFd, u32Bytes(slot), u32Bytes(fd), 0), `installing ring ${slot}`);
      check(lib.bpf_obj_pin(fd, join(options.pinDir, PIN.ring(slot))), `pinning ring ${slot}`);
    }
    for (const name of PINNED_MAPS.filter((n) => n !== PIN.meta))
      check(lib.bpf_obj_pin(api.bpf_map__fd(findMap(obj, name)), join(options.pinDir, name)), `pinning ${name}`);

    const hooks: string[] = [];
    for (const { prog, name } of programs) {
      const link = api.bpf_program__attach(prog);
      const err = isNull(link) ? -1 : api.libbpf_get_error(link);
      if (err) throw new VivariumError(`vivariumd: attaching ${name} failed: ${errnoName(err)}${libbpfDetail()}`);
      links.push(link);
      check(api.bpf_link__pin(link, join(options.pinDir, PIN.linkDir, name)), `pinning link ${name}`);
      hooks.push(`${name} (${api.bpf_program__section_name(prog)})`);
    }

    const metaFd = api.bpf_map__fd(findMap(obj, 'meta'));
    check(lib.bpf_map_update_elem(metaFd, u32Bytes(0), metaValue(options), 0), 'writing meta');
    check(lib.bpf_obj_pin(metaFd, join(options.pinDir, PIN.meta)), 'pinning meta');
    return { backend: options.backend, hooks };
  } catch (err) {
    removePins(options.pinDir, { keepDir: true });
    throw err;
  } finally {
    // Pins hold the kernel objects now; our handles can go.
    for (const link of links) api.bpf_link__destroy(link);
    for (const fd of ringFds) closeFd(fd);
    api.bpf_object__close(obj);
  }
}

export function metaValue(options: { backend: BackendName; rings: number; ringSize: number; dnsPort: number }): Uint8Array {
  const M = Layout.viv_meta;
  const bytes = new Uint8Array(M.size);
  const dv = view(bytes);
  dv.setUint32(M.abi_version.offset, Abi.ABI_VERSION, true);
  dv.setUint32(M.backend.offset, options.backend === 'lsm' ? BackendCode.LSM : BackendCode.SYSCALLS, true);
  dv.setUint32(M.ring_count.offset, options.rings, true);
  dv.setUint32(M.ring_size.offset, options.ringSize, true);
  dv.setUint32(M.daemon_pid.offset, process.pid, true);
  dv.setUint16(M.dns_port.offset, options.dnsPort, true);
  dv.setBigUint64(M.daemon_start_time.offset, processStartTime() ?? 0n, true);
  return bytes;
}

function findMap(obj: unknown, name: string): unknown {
  const map = objectApi().bpf_object__find_map_by_name(obj, name);
  if (isNull(map)) throw new VivariumError(`vivariumd: map ${name} missing from the BPF object (rebuild: npm run build:bpf)`);
  return map;
}

function check(ret: number, what: string): void {
  if (ret < 0) throw new VivariumError(`vivariumd: ${what} failed: ${errnoName(ret)}${libbpfDetail()}`);
}

function libbpfDetail(): string {
  const lines = takeLibbpfLog()
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.length ? `\n${lines.slice(-25).join('\n')}` : '';
}

function loadError(backend: BackendName, ret: number): VivariumError {
  const code = errnoName(ret);
  const hint =
    backend === 'lsm' && code === 'EPERM'
      ? ' (this kernel refuses BPF LSM programs; use --backend syscalls or auto)'
      : backend === 'lsm'
        ? ' (BPF LSM needs a kernel booted with lsm=...,bpf; use --backend syscalls or auto)'
        : '';
  return new VivariumError(`vivariumd: loading the ${backend} backend failed: ${code}${hint}${libbpfDetail()}`);
}
