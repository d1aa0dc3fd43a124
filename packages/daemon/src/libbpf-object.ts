// FFI to libbpf's object API (open, load, attach, pin), used only by the
// daemon. libbpf's own log is captured so a failed load can say why.
import { koffi, libbpfLibrary, libcLibrary, loadLibc } from '@vivarium/core/kernel';

type Ptr = unknown;

export interface LibbpfObjectApi {
  bpf_object__open_file(path: string, opts: null): Ptr;
  bpf_object__load(obj: Ptr): number;
  bpf_object__close(obj: Ptr): void;
  bpf_object__next_program(obj: Ptr, prev: Ptr | null): Ptr;
  bpf_object__find_map_by_name(obj: Ptr, name: string): Ptr;
  bpf_program__name(prog: Ptr): string;
  bpf_program__section_name(prog: Ptr): string;
  bpf_program__set_log_buf(prog: Ptr, buf: Ptr, size: number): number;
  bpf_program__set_autoload(prog: Ptr, autoload: boolean): number;
  btf__load_vmlinux_btf(): Ptr;
  btf__find_by_name_kind(btf: Ptr, name: string, kind: number): number;
  btf__free(btf: Ptr): void;
  bpf_program__attach(prog: Ptr): Ptr;
  bpf_program__attach_uprobe_opts(prog: Ptr, pid: number, binaryPath: string, funcOffset: number, opts: UprobeOpts): Ptr;
  bpf_object__next_map(obj: Ptr, prev: Ptr | null): Ptr;
  bpf_map__name(map: Ptr): string;
  bpf_map__reuse_fd(map: Ptr, fd: number): number;
  bpf_link__fd(link: Ptr): number;
  bpf_map__set_max_entries(map: Ptr, n: number): number;
  bpf_map__set_initial_value(map: Ptr, data: Uint8Array, size: number): number;
  bpf_map__fd(map: Ptr): number;
  bpf_link__pin(link: Ptr, path: string): number;
  bpf_link__destroy(link: Ptr): number;
  libbpf_get_error(ptr: Ptr): number;
}

/** struct bpf_uprobe_opts (libbpf 1.1, x86-64): sz, ref_ctr_offset, bpf_cookie, retprobe, func_name. */
export interface UprobeOpts {
  sz: number;
  ref_ctr_offset: number;
  bpf_cookie: number;
  retprobe: boolean;
  func_name: string | null;
}

const LIBBPF_DEBUG = 2;
let api: LibbpfObjectApi | undefined;
const log: string[] = [];

export function objectApi(): LibbpfObjectApi {
  if (api) return api;
  const lib = libbpfLibrary();
  koffi.struct('vivarium_uprobe_opts', {
    sz: 'size_t',
    ref_ctr_offset: 'size_t',
    bpf_cookie: 'uint64_t',
    retprobe: 'bool',
    func_name: 'const char *',
  });
  api = {
    bpf_object__open_file: lib.func('void *bpf_object__open_file(const char *path, const void *opts)'),
    bpf_object__load: lib.func('int bpf_object__load(void *obj)'),
    bpf_object__close: lib.func('void bpf_object__close(void *obj)'),
    bpf_object__next_program: lib.func('void *bpf_object__next_program(void *obj, void *prev)'),
    bpf_object__find_map_by_name: lib.func('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    bpf_program__name: lib.func('const char *bpf_program__name(void *prog)'),
    bpf_program__section_name: lib.func('const char *bpf_program__section_name(void *prog)'),
    bpf_program__set_log_buf: lib.func('int bpf_program__set_log_buf(void *prog, void *buf, size_t size)'),
    bpf_program__set_autoload: lib.func('int bpf_program__set_autoload(void *prog, bool autoload)'),
    btf__load_vmlinux_btf: lib.func('void *btf__load_vmlinux_btf(void)'),
    btf__find_by_name_kind: lib.func('int btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)'),
    btf__free: lib.func('void btf__free(void *btf)'),
    bpf_program__attach: lib.func('void *bpf_program__attach(void *prog)'),
    bpf_program__attach_uprobe_opts: lib.func(
      'void *bpf_program__attach_uprobe_opts(void *prog, int pid, const char *binary_path, size_t func_offset, const vivarium_uprobe_opts *opts)',
    ),
    bpf_object__next_map: lib.func('void *bpf_object__next_map(void *obj, void *prev)'),
    bpf_map__name: lib.func('const char *bpf_map__name(void *map)'),
    bpf_map__reuse_fd: lib.func('int bpf_map__reuse_fd(void *map, int fd)'),
    bpf_link__fd: lib.func('int bpf_link__fd(void *link)'),
    bpf_map__set_max_entries: lib.func('int bpf_map__set_max_entries(void *map, uint32_t max_entries)'),
    bpf_map__set_initial_value: lib.func('int bpf_map__set_initial_value(void *map, const uint8_t *data, size_t size)'),
    bpf_map__fd: lib.func('int bpf_map__fd(void *map)'),
    bpf_link__pin: lib.func('int bpf_link__pin(void *link, const char *path)'),
    bpf_link__destroy: lib.func('int bpf_link__destroy(void *link)'),
    libbpf_get_error: lib.func('long libbpf_get_error(const void *ptr)'),
  };
  // libbpf_print_fn_t takes a va_list; on x86-64 that is a pointer we hand
  // straight to libc's vsnprintf.
  const libc = koffi.load('libc.so.6');
  const vsnprintf = libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *ap)');
  const PrintFn = koffi.proto('int vivarium_libbpf_print(int level, const char *fmt, void *ap)');
  const setPrint = lib.func('void *libbpf_set_print(vivarium_libbpf_print *fn)');
  const buf = new Uint8Array(8192);
  const printer = koffi.register((level: number, fmt: string, ap: unknown) => {
    if (level === LIBBPF_DEBUG) return 0;
    const n = vsnprintf(buf, buf.length, fmt, ap) as number;
    log.push(Buffer.from(buf.subarray(0, Math.max(0, Math.min(n, buf.length - 1)))).toString('utf8'));
    if (log.length > 2000) log.splice(0, log.length - 2000);
    return 0;
  }, koffi.pointer(PrintFn));
  setPrint(printer);
  loadLibc();
  return api;
}

/** libbpf's log lines since the last call, and clears them. */
export function takeLibbpfLog(): string[] {
  return log.splice(0, log.length);
}

export function isNull(ptr: Ptr): boolean {
  return ptr === null || koffi.address(ptr) === 0n;
}

/** Bytes of verifier log kept for a program that fails to load. */
const VERIFIER_LOG_SIZE = 4 << 20;

/**
 * Loads `obj` with a verifier log buffer of our own (libbpf fills it only
 * when a program is refused, retrying with logging on). libbpf prints that
 * log through one call whose text our print callback cuts to its start; the
 * verifier's reason is at its end. Returns the load's result and that end.
 */
export function loadWithVerifierLog(obj: Ptr): { ret: number; verifierTail: string[] } {
  const api = objectApi();
  const buf = koffi.alloc('char', VERIFIER_LOG_SIZE);
  try {
    for (let prog = api.bpf_object__next_program(obj, null); !isNull(prog); prog = api.bpf_object__next_program(obj, prog))
      api.bpf_program__set_log_buf(prog, buf, VERIFIER_LOG_SIZE);
    const ret = withSignalsHeld(() => api.bpf_object__load(obj));
    if (ret >= 0) return { ret, verifierTail: [] };
    const text = koffi.decode(buf, 'char', -1) as string;
    return { ret, verifierTail: text.split('\n').filter((l) => l.trim() !== '').slice(-20) };
  } finally {
    koffi.free(buf);
  }
}

/** glibc's sigset_t (1024 bits), and pthread_sigmask's `how`. */
const SIGSET_BYTES = 128;
const SIG_BLOCK = 0;
const SIG_SETMASK = 2;
let sigmask: ((how: number, set: Uint8Array | null, old: Uint8Array | null) => number) | undefined;

/**
 * Runs `fn` with every signal held on this thread. A load interrupted by a
 * signal fails with EAGAIN, which libbpf retries only a few times: under a
 * profiler (SIGPROF every millisecond) every load failed, reported as a
 * verifier refusal. A signal that arrives meanwhile is delivered once `fn`
 * returns.
 */
function withSignalsHeld<T>(fn: () => T): T {
  sigmask ??= libcLibrary().func('int pthread_sigmask(int how, const uint8_t *set, _Out_ uint8_t *oldset)') as unknown as typeof sigmask;
  const held = new Uint8Array(SIGSET_BYTES);
  if (sigmask!(SIG_BLOCK, new Uint8Array(SIGSET_BYTES).fill(0xff), held) !== 0) return fn();
  try {
    return fn();
  } finally {
    sigmask!(SIG_SETMASK, held, null);
  }
}

const BTF_KIND_FUNC = 12;

/** Which of these functions the running kernel's BTF has: LSM hooks come
 * and go between versions (bpf_lsm_file_truncate is 6.2+), and so do kfuncs. */
export function kernelFunctions(names: readonly string[]): Set<string> {
  const api = objectApi();
  const btf = api.btf__load_vmlinux_btf();
  if (isNull(btf)) return new Set();
  try {
    return new Set(names.filter((name) => api.btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0));
  } finally {
    api.btf__free(btf);
  }
}
