// Loads one backend's BPF object, pins its maps, writes and freezes meta,
// then attaches and pins the programs: a daemon that can see meta finds
// everything in place. No ring exists yet: each worker gets its own when it
// registers (registry.ts). Any failure unpins what was done, so the kernel is
// never left half-attached.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Abi, type BackendName, MetaCodec, MetaFlag, U32Codec, VivariumError, backendCode, encode, errnoName } from '@vivarium/core';
import { MAP_PINS, PIN, loadLibbpf } from '@vivarium/core/kernel';
import { isNull, kernelFunctions, loadWithVerifierLog, objectApi, takeLibbpfLog } from './libbpf-object.js';
import { removePins } from './pin-dir.js';

export interface AttachOptions {
  objectPath: string;
  backend: BackendName;
  pinDir: string;
  rings: number;
  ringSize: number;
  maxTargets: number;
  dnsPorts: number[];
  /** vivariumd runs in the host's pid namespace (it can name host tgids). */
  hostPidNamespace: boolean;
}

export interface Attached {
  backend: BackendName;
  hooks: string[];
  /** LSM hooks of the object this kernel does not have (left out). */
  missing: string[];
  /** The path walk reads kernel memory by direct loads (bpf_rdonly_cast), not helper calls. */
  directLoads: boolean;
  /** Why the kernel refused the object with direct loads, when it did (then directLoads is false). */
  directRefused?: string;
}

/** The kfunc behind the objects' direct loads, and the map of their switch (bpf/lib/direct.bpf.h). */
const DIRECT_LOADS_KFUNC = 'bpf_rdonly_cast';
const DIRECT_LOADS_MAP = '.rodata.direct';

/** Maps with one entry per slot, sized by --rings. */
const PER_SLOT_MAPS = [PIN.rings, PIN.controls, PIN.counters, PIN.ringOwner] as const;

/** Attaches `backend`; throws a VivariumError carrying libbpf's log on failure. */
export function attach(options: AttachOptions): Attached {
  const api = objectApi();
  const lib = loadLibbpf();
  takeLibbpfLog();
  let loaded: Loaded;
  let directRefused: string | undefined;
  try {
    loaded = openAndLoad(options, true);
  } catch (err) {
    // A kernel with the kfunc that still refuses a direct load: the same
    // object walks by helper reads. If that fails too, direct loads were not the cause.
    if (!(err instanceof DirectLoadsRefused)) throw err;
    loaded = openAndLoad(options, false);
    directRefused = err.reason;
  }
  const { obj, programs, missing, directLoads } = loaded;
  const links: unknown[] = [];
  try {
    // meta is complete before anything runs, and frozen: nobody rewrites it.
    const metaFd = api.bpf_map__fd(findMap(obj, PIN.meta));
    check(lib.bpf_map_update_elem(metaFd, encode(U32Codec, 0), metaValue(options), 0), 'writing meta');
    check(lib.bpf_map_freeze(metaFd), 'freezing meta');
    for (const name of MAP_PINS) check(lib.bpf_obj_pin(api.bpf_map__fd(findMap(obj, name)), join(options.pinDir, name)), `pinning ${name}`);

    const hooks: string[] = [];
    for (const { prog, name } of programs) {
      const link = api.bpf_program__attach(prog);
      const err = isNull(link) ? -1 : api.libbpf_get_error(link);
      if (err) throw new VivariumError(`vivariumd: attaching ${name} failed: ${errnoName(err)}${libbpfDetail()}`);
      links.push(link);
      check(api.bpf_link__pin(link, join(options.pinDir, PIN.links, name)), `pinning link ${name}`);
      hooks.push(`${name} (${api.bpf_program__section_name(prog)})`);
    }
    return { backend: options.backend, hooks, missing, directLoads, ...(directRefused ? { directRefused } : {}) };
  } catch (err) {
    removePins(options.pinDir, { keepDir: true });
    throw err;
  } finally {
    // Pins hold the kernel objects now; our handles can go.
    for (const link of links) api.bpf_link__destroy(link);
    api.bpf_object__close(obj);
  }
}

interface Loaded {
  obj: unknown;
  programs: Array<{ prog: unknown; name: string }>;
  missing: string[];
  directLoads: boolean;
}

/** The verifier refused the object with direct loads on; `reason`: its line. */
class DirectLoadsRefused extends Error {
  constructor(readonly reason: string) {
    super(`the kernel refused the direct loads: ${reason}`);
  }
}

/** The verifier's reason in its log's tail: the last line that is neither an
 * instruction, a source line, nor the closing statistics. */
function verifierReason(tail: string[]): string | undefined {
  return tail.filter((l) => !/^(\d+: |; |processed \d+ insns|verification time|stack depth)/.test(l.trim())).pop()?.trim();
}

/** Opens, sizes and loads the object, with direct loads if `direct` and the
 * kernel has them; on failure the object is closed again. */
function openAndLoad(options: AttachOptions, direct: boolean): Loaded {
  const api = objectApi();
  const obj = api.bpf_object__open_file(options.objectPath, null);
  if (isNull(obj) || api.libbpf_get_error(obj)) throw new VivariumError(`vivariumd: cannot open ${options.objectPath} (npm run build:bpf)`);
  let directLoads = false;
  try {
    const programs: Array<{ prog: unknown; name: string }> = [];
    for (let prog = api.bpf_object__next_program(obj, null); !isNull(prog); prog = api.bpf_object__next_program(obj, prog))
      programs.push({ prog, name: api.bpf_program__name(prog) });
    // An LSM hook this kernel does not have is left out, and said so.
    const lsmHooks = programs.map(({ prog }) => api.bpf_program__section_name(prog)).filter((s) => s.startsWith('lsm/')).map((s) => s.slice('lsm/'.length));
    const present = kernelFunctions([DIRECT_LOADS_KFUNC, ...lsmHooks.map((hook) => `bpf_lsm_${hook}`)]);
    const missing = new Set(lsmHooks.filter((hook) => !present.has(`bpf_lsm_${hook}`)));
    for (let i = programs.length - 1; i >= 0; i--) {
      const section = api.bpf_program__section_name(programs[i]!.prog);
      // uprobes are loaded and attached per worker's files (uprobes/attacher.ts).
      if (!missing.has(section.replace(/^lsm\//, '')) && !isUprobe(section)) continue;
      api.bpf_program__set_autoload(programs[i]!.prog, false);
      programs.splice(i, 1);
    }

    for (const name of PER_SLOT_MAPS) check(api.bpf_map__set_max_entries(findMap(obj, name), options.rings), `sizing ${name}`);
    check(api.bpf_map__set_max_entries(findMap(obj, PIN.configTargets), options.maxTargets), `sizing ${PIN.configTargets}`);
    check(api.bpf_map__set_max_entries(findMap(obj, PIN.observedTgids), 1 + Math.ceil(pidMax() / 64)), `sizing ${PIN.observedTgids}`); // word 0: the generation
    directLoads = direct && present.has(DIRECT_LOADS_KFUNC);
    check(api.bpf_map__set_initial_value(findMap(obj, DIRECT_LOADS_MAP), encode(U32Codec, directLoads ? 1 : 0), 4), 'setting viv_direct_loads');

    const { ret, verifierTail } = loadWithVerifierLog(obj);
    // Only the verifier can refuse a direct load (an LSM the kernel refuses is not that).
    if (ret < 0 && directLoads && verifierTail.length) throw new DirectLoadsRefused(verifierReason(verifierTail) ?? errnoName(ret));
    if (ret < 0) throw loadError(options.backend, ret, verifierTail);
    return { obj, programs, missing: [...missing], directLoads };
  } catch (err) {
    api.bpf_object__close(obj);
    throw err;
  }
}

function isUprobe(section: string): boolean {
  return section === 'uprobe' || section === 'uretprobe' || section.startsWith('uprobe/') || section.startsWith('uretprobe/');
}

function metaValue(options: AttachOptions): Uint8Array {
  return encode(MetaCodec, {
    abiVersion: Abi.ABI_VERSION,
    backend: backendCode(options.backend),
    maxSlots: options.rings,
    ringSize: options.ringSize,
    maxTargets: options.maxTargets,
    dnsPorts: options.dnsPorts,
    flags: options.hostPidNamespace ? 0 : MetaFlag.EVERY_TGID,
  });
}

/** The kernel's pid_max now (observed_tgids has a bit for each pid below
 * it; a pid above, after a raise, is looked up in full). */
function pidMax(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 1 << 22;
  } catch {
    return 1 << 22;
  }
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

function loadError(backend: BackendName, ret: number, verifierTail: string[]): VivariumError {
  const code = errnoName(ret);
  // A verifier's refusal is the object's fault on this kernel, not the kernel's set-up.
  const hint =
    backend === 'lsm' && code === 'EPERM'
      ? ' (this kernel refuses BPF LSM programs; use --backend syscalls or auto)'
      : verifierTail.length
        ? ' (the kernel\'s verifier refused a program: its log below; please report it with `uname -r`)'
        : backend === 'lsm'
          ? ' (BPF LSM needs a kernel booted with lsm=...,bpf; use --backend syscalls or auto)'
          : '';
  const detail = verifierTail.length ? `\nverifier:\n${verifierTail.join('\n')}` : libbpfDetail();
  return new VivariumError(`vivariumd: loading the ${backend} backend failed: ${code}${hint}${detail}`);
}
