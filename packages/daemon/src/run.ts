// `vivariumd run`: attach (or adopt the pins of a crashed daemon), then
// serve in the foreground until SIGINT/SIGTERM, which detach cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Abi,
  type BackendName,
  type DaemonMeta,
  MAP_SPECS,
  PIN,
  PinnedMap,
  VivariumError,
  closeFd,
  decodeMeta,
  loadLibbpf,
  mapInfo,
  openPin,
  readMeta,
  specDifferences,
  u32Bytes,
} from '@vivarium/core';
import { type PinGroup, applyAccess, resolveGroup } from './access.js';
import { attach as attachObject, metaValue } from './loader.js';
import { checkObjectOption, objectFor } from './objects.js';
import { inactiveLsmReason } from './lsm-active.js';
import { daemonAlive } from './daemon-state.js';
import { lockPinDir } from './lock.js';
import type { Options } from './options.js';
import { ensureBpffs, hasPins, linkPins, makePinDir, removePins } from './pin-dir.js';

const restartHint = (pinDir: string) => `vivariumd stop --pin-dir ${pinDir}, then start again`;

function preflight(options: Options): { group: PinGroup | undefined } {
  if (process.getuid?.() !== 0) throw new VivariumError('vivariumd: must run as root to load BPF programs (sudo npx vivariumd)');
  const group = options.group === undefined ? undefined : resolveGroup(options.group);
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    throw new VivariumError('vivariumd: this kernel exposes no BTF at /sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed)');
  loadLibbpf();
  checkObjectOption(options.objectPath, options.backend);
  if (options.backend !== 'auto') objectFor(options.backend, options.objectPath);
  return { group };
}

/** Existing pins: refuse a live daemon or another ABI; adopt a dead daemon's. */
function adoptExisting(options: Options, log: (line: string) => void): BackendName | undefined {
  if (!hasPins(options.pinDir)) {
    removePins(options.pinDir, { keepDir: true }); // leftovers of an attach that died before meta
    return undefined;
  }
  const metaMap = openForeignMeta(options.pinDir);
  try {
    const meta = readForeignMeta(metaMap, options.pinDir);
    if (daemonAlive(meta))
      throw new VivariumError(`vivariumd: ${options.pinDir} is already served by vivariumd pid ${meta.daemonPid} (vivariumd stop --pin-dir ${options.pinDir}, or use another --pin-dir)`);
    if (meta.backend === 'none') throw new VivariumError(`vivariumd: ${options.pinDir} has no backend recorded (${restartHint(options.pinDir)})`);
    if (options.backend !== 'auto' && options.backend !== meta.backend)
      throw new VivariumError(`vivariumd: ${options.pinDir} holds the ${meta.backend} backend (vivariumd stop first to switch to ${options.backend})`);
    metaMap.update(u32Bytes(0), metaValue({ backend: meta.backend, rings: meta.ringCount, ringSize: meta.ringSize, dnsPort: meta.dnsPort }));
    log(`adopted the pins of vivariumd pid ${meta.daemonPid}: programs stayed attached, registered workers kept (${meta.ringCount} rings × ${meta.ringSize} bytes)`);
    return meta.backend;
  } finally {
    metaMap.close();
  }
}

/** meta of pins found in the dir, refusing another layout with every difference named. */
function openForeignMeta(pinDir: string): PinnedMap {
  const path = join(pinDir, PIN.meta);
  const fd = openPin(path);
  const diffs = specDifferences(MAP_SPECS.meta, mapInfo(fd));
  closeFd(fd);
  if (diffs.length > 0)
    throw new VivariumError(
      `vivariumd: ${pinDir} holds the pins of another Vivarium ABI: its meta map has ${diffs.join('; ')}; this vivariumd speaks ABI ${Abi.ABI_VERSION} (${restartHint(pinDir)})`,
    );
  return PinnedMap.open(path, MAP_SPECS.meta);
}

function readForeignMeta(metaMap: PinnedMap, pinDir: string): DaemonMeta {
  const raw = metaMap.lookup(u32Bytes(0));
  const abi = raw ? decodeMeta(raw).abiVersion : 0;
  if (abi !== 0 && abi !== Abi.ABI_VERSION)
    throw new VivariumError(`vivariumd: ${pinDir} holds the pins of a vivariumd speaking ABI ${abi}; this vivariumd speaks ABI ${Abi.ABI_VERSION} (${restartHint(pinDir)})`);
  try {
    return readMeta(metaMap);
  } catch (cause) {
    throw new VivariumError(`vivariumd: ${pinDir} holds pins without a valid meta (${restartHint(pinDir)})`, { cause });
  }
}

/** Who holds the pin dir's lock, for the message refusing a second daemon. */
function holder(pinDir: string): string {
  try {
    const metaMap = PinnedMap.open(join(pinDir, PIN.meta), MAP_SPECS.meta);
    try {
      return `vivariumd pid ${readMeta(metaMap).daemonPid}`;
    } finally {
      metaMap.close();
    }
  } catch {
    return 'another vivariumd, still starting';
  }
}

function attachBackend(options: Options, log: (line: string) => void): { backend: BackendName; hooks: string[] } {
  makePinDir(options.pinDir);
  const common = { pinDir: options.pinDir, rings: options.rings, ringSize: options.ringSize, dnsPort: options.dnsPort };
  const attach = (o: typeof common & { backend: BackendName }) => attachObject({ ...o, objectPath: objectFor(o.backend, options.objectPath) });
  const inactive = inactiveLsmReason();
  if (options.backend === 'lsm' && inactive) throw new VivariumError(`vivariumd: the lsm backend cannot run: ${inactive} (use --backend syscalls or auto)`);
  if (options.backend !== 'auto') return attach({ ...common, backend: options.backend });
  if (inactive) {
    const attached = attach({ ...common, backend: 'syscalls' });
    log(`backend syscalls: lsm is unavailable here (${inactive})`);
    return attached;
  }
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
  const { group } = preflight(options);
  ensureBpffs(options.pinDir, log);
  makePinDir(options.pinDir);
  const lock = lockPinDir(options.pinDir, () => holder(options.pinDir));
  let backend: BackendName | undefined;
  let hooks: string[];
  try {
    backend = adoptExisting(options, log);
    hooks = linkPins(options.pinDir);
    if (!backend) ({ backend, hooks } = attachBackend(options, log));
    applyAccess(options.pinDir, group, log);
  } catch (err) {
    if (!hasPins(options.pinDir)) removePins(options.pinDir); // our empty dirs
    lock.release();
    throw err;
  }
  log(`hooks: ${hooks.join(', ')}`);
  log(`ready: backend ${backend}, pins in ${options.pinDir}, pid ${process.pid} (stop with Ctrl-C or vivariumd stop)`);

  await new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    const shutdown = (signal: string) => {
      clearInterval(keepAlive);
      removePins(options.pinDir);
      lock.release();
      log(`${signal}: detached and unpinned ${options.pinDir}`);
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
