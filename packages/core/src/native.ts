// FFI to Debian's libbpf.so.1 and libc through koffi, each library loaded on
// first use: importing @vivarium/core (for types, decoding, matchers) never
// needs them.
import type { LibraryHandle } from 'koffi';
import { koffi } from './koffi.js';
import { VivariumError } from './errors.js';

export interface Libbpf {
  /** sizeof the head of struct bpf_map_info this client reads. */
  mapInfoSize: number;
  bpf_obj_get(path: string): number;
  bpf_obj_pin(fd: number, path: string): number;
  bpf_map_lookup_elem(fd: number, key: Uint8Array, value: Uint8Array): number;
  bpf_map_update_elem(fd: number, key: Uint8Array, value: Uint8Array, flags: number): number;
  bpf_map_delete_elem(fd: number, key: Uint8Array): number;
  /** The same two on the libuv thread pool: updates of an array of maps
   * wait for an RCU grace period in the kernel, milliseconds each. */
  updateAsync(fd: number, key: Uint8Array, value: Uint8Array, flags: number): Promise<number>;
  deleteAsync(fd: number, key: Uint8Array): Promise<number>;
  bpf_map_get_next_key(fd: number, key: Uint8Array | null, next: Uint8Array): number;
  bpf_obj_get_info_by_fd(fd: number, info: Record<string, unknown>, len: number[]): number;
  bpf_map_create(type: number, name: string | null, keySize: number, valueSize: number, maxEntries: number, opts: MapCreateOptions | null): number;
  bpf_map_freeze(fd: number): number;
  bpf_map_get_fd_by_id(id: number): number;
  bpf_link_get_fd_by_id(id: number): number;
  bpf_prog_get_fd_by_id(id: number): number;
}

/** libbpf's struct bpf_map_create_opts (the fields this project sets). */
export interface MapCreateOptions {
  map_flags?: number;
  inner_map_fd?: number;
}

export interface Libc {
  mmap(addr: null, length: number, prot: number, flags: number, fd: number, offset: number): unknown;
  munmap(addr: unknown, length: number): number;
  madvise(addr: unknown, length: number, advice: number): number;
  close(fd: number): number;
}

let libbpf: Libbpf | undefined;
let libc: Libc | undefined;
let libbpfHandle: LibraryHandle | undefined;

export function loadLibbpf(): Libbpf {
  if (libbpf) return libbpf;
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libbpf.so.1');
  } catch (cause) {
    throw new VivariumError('libbpf: cannot load libbpf.so.1 (apt-get install -y libbpf1)', { cause });
  }
  libbpfHandle = lib;
  // The head of struct bpf_map_info (the kernel copies what fits).
  const mapInfo = koffi.struct('vivarium_bpf_map_info', {
    type: 'uint32_t',
    id: 'uint32_t',
    key_size: 'uint32_t',
    value_size: 'uint32_t',
    max_entries: 'uint32_t',
    map_flags: 'uint32_t',
    name: koffi.array('char', 16, 'String'),
  });
  // libbpf 1.1's struct bpf_map_create_opts; `sz` tells libbpf which fields exist.
  const createOpts = koffi.struct('vivarium_bpf_map_create_opts', {
    sz: 'size_t',
    btf_fd: 'uint32_t',
    btf_key_type_id: 'uint32_t',
    btf_value_type_id: 'uint32_t',
    btf_vmlinux_value_type_id: 'uint32_t',
    inner_map_fd: 'uint32_t',
    map_flags: 'uint32_t',
    map_extra: 'uint64_t',
    numa_node: 'uint32_t',
    map_ifindex: 'uint32_t',
  });
  const update = lib.func('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)');
  const remove = lib.func('int bpf_map_delete_elem(int fd, const void *key)');
  const onPool =
    (fn: { async: (...args: unknown[]) => void }) =>
    (...args: unknown[]) =>
      new Promise<number>((resolve, reject) => fn.async(...args, (err: unknown, ret: number) => (err ? reject(err) : resolve(ret))));
  const mapCreate = lib.func(
    'int bpf_map_create(int type, const char *name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, const vivarium_bpf_map_create_opts *opts)',
  );
  libbpf = {
    mapInfoSize: koffi.sizeof(mapInfo),
    bpf_obj_get: lib.func('int bpf_obj_get(const char *pathname)'),
    bpf_obj_pin: lib.func('int bpf_obj_pin(int fd, const char *pathname)'),
    bpf_map_lookup_elem: lib.func('int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)'),
    bpf_map_update_elem: update,
    bpf_map_delete_elem: remove,
    updateAsync: onPool(update) as Libbpf['updateAsync'],
    deleteAsync: onPool(remove) as Libbpf['deleteAsync'],
    bpf_map_get_next_key: lib.func('int bpf_map_get_next_key(int fd, const void *key, _Out_ void *next_key)'),
    bpf_obj_get_info_by_fd: lib.func('int bpf_obj_get_info_by_fd(int fd, _Inout_ vivarium_bpf_map_info *info, _Inout_ uint32_t *len)'),
    bpf_map_create: (type, name, keySize, valueSize, maxEntries, opts) =>
      mapCreate(type, name, keySize, valueSize, maxEntries, opts && { ...opts, sz: koffi.sizeof(createOpts) }) as number,
    bpf_map_freeze: lib.func('int bpf_map_freeze(int fd)'),
    bpf_map_get_fd_by_id: lib.func('int bpf_map_get_fd_by_id(uint32_t id)'),
    bpf_link_get_fd_by_id: lib.func('int bpf_link_get_fd_by_id(uint32_t id)'),
    bpf_prog_get_fd_by_id: lib.func('int bpf_prog_get_fd_by_id(uint32_t id)'),
  };
  return libbpf;
}

/** The koffi handle of libbpf, for the daemon's object-loading calls. */
export function libbpfLibrary(): LibraryHandle {
  loadLibbpf();
  return libbpfHandle!;
}

let libcHandle: LibraryHandle | undefined;

/** The koffi handle of libc, for modules that declare more of its functions. */
export function libcLibrary(): LibraryHandle {
  libcHandle ??= koffi.load('libc.so.6');
  return libcHandle;
}

export function loadLibc(): Libc {
  if (libc) return libc;
  const lib = libcLibrary();
  libc = {
    mmap: lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)'),
    munmap: lib.func('int munmap(void *addr, size_t length)'),
    madvise: lib.func('int madvise(void *addr, size_t length, int advice)'),
    close: lib.func('int close(int fd)'),
  };
  return libc;
}

export function closeFd(fd: number): void {
  if (fd >= 0) loadLibc().close(fd);
}

/** A view over native memory, without copy. */
export function viewOf(pointer: unknown, length: number): ArrayBuffer {
  return koffi.view(pointer, length) as ArrayBuffer;
}

export function addressOf(pointer: unknown): bigint {
  return koffi.address(pointer) as bigint;
}

export function lastErrno(): number {
  return koffi.errno();
}
