// `vivariumd run`: attach (or adopt the pins of a crashed daemon), then
// serve in the foreground until SIGINT/SIGTERM, which detach cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbiMismatchError,
  type BackendName,
  MAP_SPECS,
  PIN,
  PinnedMap,
  VivariumError,
  loadLibbpf,
  readMeta,
  u32Bytes,
} from '@vivarium/core';
import { attach, metaValue } from './loader.js';
import { daemonAlive } from './daemon-state.js';
import type { Options } from './options.js';
import { ensureBpffs, hasPins, linkPins, makePinDir, removePins } from './pin-dir.js';

export const DEFAULT_OBJECT = fileURLToPath(new URL('../bpf/vivarium.bpf.o', import.meta.url));

function preflight(options: Options): string {
  if (process.getuid?.() !== 0) throw new VivariumError('vivariumd: must run as root to load BPF programs (sudo npx vivariumd)');
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    throw new VivariumError('vivariumd: this kernel exposes no BTF at /sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed)');
  loadLibbpf();
  const objectPath = options.objectPath ?? DEFAULT_OBJECT;
  if (!existsSync(objectPath)) throw new VivariumError(`vivariumd: BPF object ${objectPath} not found (npm run build:bpf)`);
  return objectPath;
}

/** Existing pins: refuse a live daemon or another ABI; adopt a dead daemon's. */
function adoptExisting(options: Options, log: (line: string) => void): BackendName | undefined {
  if (!hasPins(options.pinDir)) {
    removePins(options.pinDir); // leftovers of an attach that died before meta
    return undefined;
  }
  const metaMap = PinnedMap.open(join(options.pinDir, PIN.meta), MAP_SPECS.meta);
  try {
    let meta;
    try {
      meta = readMeta(metaMap);
    } catch (err) {
      if (err instanceof AbiMismatchError)
        throw new VivariumError(`vivariumd: ${options.pinDir} holds maps of another Vivarium ABI (vivariumd stop --pin-dir ${options.pinDir}, then start again)`, { cause: err });
      throw err;
    }
    if (daemonAlive(meta))
      throw new VivariumError(`vivariumd: ${options.pinDir} is already served by vivariumd pid ${meta.daemonPid} (vivariumd stop, or use another --pin-dir)`);
    if (meta.backend === 'none') throw new VivariumError(`vivariumd: ${options.pinDir} has no backend recorded (vivariumd stop, then start again)`);
    if (options.backend !== 'auto' && options.backend !== meta.backend)
      throw new VivariumError(`vivariumd: ${options.pinDir} holds the ${meta.backend} backend (vivariumd stop first to switch to ${options.backend})`);
    metaMap.update(u32Bytes(0), metaValue({ backend: meta.backend, rings: meta.ringCount, ringSize: meta.ringSize, dnsPort: meta.dnsPort }));
    log(`adopted the pins of vivariumd pid ${meta.daemonPid}: programs stayed attached, registered workers kept (${meta.ringCount} rings × ${meta.ringSize} bytes)`);
    return meta.backend;
  } finally {
    metaMap.close();
  }
}

function attachBackend(options: Options, objectPath: string, log: (line: string) => void): { backend: BackendName; hooks: string[] } {
  makePinDir(options.pinDir);
  const common = { objectPath, pinDir: options.pinDir, rings: options.rings, ringSize: options.ringSize, dnsPort: options.dnsPort };
  if (options.backend !== 'auto') return attach({ ...common, backend: options.backend });
  try {
    const attached = attach({ ...common, backend: 'lsm' });
    log('backend lsm: the kernel loaded and attached the BPF LSM programs');
    return attached;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0]!.replace(/^vivariumd: /, '');
    makePinDir(options.pinDir);
    const attached = attach({ ...common, backend: 'syscalls' });
    log(`backend syscalls: lsm is unavailable here (${reason})`);
    return attached;
  }
}

export async function run(options: Options, log: (line: string) => void): Promise<void> {
  const objectPath = preflight(options);
  ensureBpffs(options.pinDir, log);
  let backend = adoptExisting(options, log);
  let hooks = linkPins(options.pinDir);
  if (!backend) ({ backend, hooks } = attachBackend(options, objectPath, log));
  log(`hooks: ${hooks.join(', ')}`);
  log(`ready: backend ${backend}, pins in ${options.pinDir}, pid ${process.pid} (stop with Ctrl-C or vivariumd stop)`);

  await new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    const shutdown = (signal: string) => {
      clearInterval(keepAlive);
      removePins(options.pinDir);
      log(`${signal}: detached and unpinned ${options.pinDir}`);
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
