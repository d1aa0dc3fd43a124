// `vivariumd run`: attach (or adopt the pins of a daemon that died), serve
// registrations on the socket, sweep the slots of dead workers, and detach
// cleanly on SIGINT/SIGTERM.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Abi, type BackendName, MetaFlag, VivariumError } from '@vivarium/core';
import { PIN, PinDir, pinnedAbi } from '@vivarium/core/kernel';
import { type Group, describeAccess, lockDownPins, resolveGroup } from './access.js';
import { type Attached, attach as attachObject } from './loader.js';
import { lockHolder, lockPinDir } from './lock.js';
import { notifyReady, notifyStopping } from './notify.js';
import { inactiveLsmReason } from './lsm-active.js';
import { checkObjectOption, objectFor } from './objects.js';
import type { Options } from './options.js';
import { ensureBpffs, hasPins, linkPins, makePinDir, removePins } from './pin-dir.js';
import { Registry } from './registry.js';
import { inHostPidNamespace } from './proc.js';
import { serveRegistrations } from './server.js';
import { returnIdleMemory } from './idle-memory.js';
import { Uprobes } from './uprobes/attacher.js';
import { removeUprobeState, writeUprobeState } from './uprobes/state-file.js';
import { UPROBE_KINDS } from './uprobes/table.js';

/** How often slots of workers that died unseen (adopted ones) are collected and idle spares freed. */
const SWEEP_MS = 2000;

const restartHint = (pinDir: string) => `vivariumd stop --pin-dir ${pinDir}, then start again`;

function preflight(options: Options): Group | undefined {
  if (process.getuid?.() !== 0) throw new VivariumError('vivariumd: must run as root to load BPF programs (sudo npx vivariumd)');
  const group = options.group === undefined ? undefined : resolveGroup(options.group);
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    throw new VivariumError('vivariumd: this kernel exposes no BTF at /sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed)');
  checkObjectOption(options.objectPath, options.backend);
  if (options.backend !== 'auto') objectFor(options.backend, options.objectPath);
  return group;
}

/** The ABI of the pins in `pinDir`, refusing another layout with every difference named. */
function abiOfPins(pinDir: string): number {
  const abi = pinnedAbi(pinDir);
  if ('differences' in abi)
    throw new VivariumError(
      `vivariumd: ${pinDir} holds the pins of another Vivarium ABI: its meta map has ${abi.differences.join('; ')}; this vivariumd speaks ABI ${Abi.ABI_VERSION} (${restartHint(pinDir)})`,
    );
  return abi.version;
}

/** Existing pins of a daemon that died: refuse another ABI or backend, else adopt them. */
function adoptExisting(options: Options, log: (line: string) => void): BackendName | undefined {
  if (!hasPins(options.pinDir)) {
    removePins(options.pinDir, { keepDir: true }); // leftovers of an attach that died before meta
    return undefined;
  }
  const abi = abiOfPins(options.pinDir);
  if (abi !== Abi.ABI_VERSION)
    throw new VivariumError(`vivariumd: ${options.pinDir} holds the pins of a vivariumd speaking ABI ${abi}; this vivariumd speaks ABI ${Abi.ABI_VERSION} (${restartHint(options.pinDir)})`);
  const pins = PinDir.open(options.pinDir);
  try {
    const { backend, maxSlots, ringSize } = pins.meta;
    if (backend === 'none') throw new VivariumError(`vivariumd: ${options.pinDir} has no backend recorded (${restartHint(options.pinDir)})`);
    if (!(pins.meta.flags & MetaFlag.EVERY_TGID) && !inHostPidNamespace())
      throw new VivariumError(`vivariumd: ${options.pinDir} holds the pins of a vivariumd in the host's pid namespace; this one runs in a child pid namespace and cannot name its workers there (${restartHint(options.pinDir)})`);
    if (options.backend !== 'auto' && options.backend !== backend)
      throw new VivariumError(`vivariumd: ${options.pinDir} holds the ${backend} backend (vivariumd stop first to switch to ${options.backend})`);
    log(`adopted the pins in ${options.pinDir}: programs stayed attached, registered workers kept (--rings ${maxSlots}, --ring-size ${ringSize} as they were set)`);
    return backend;
  } finally {
    pins.close();
  }
}

function attachBackend(options: Options, log: (line: string) => void): { backend: BackendName; hooks: string[] } {
  makePinDir(options.pinDir);
  const attach = (backend: BackendName) => {
    const attached = attachObject({
      backend,
      objectPath: objectFor(backend, options.objectPath),
      pinDir: options.pinDir,
      rings: options.rings,
      ringSize: options.ringSize,
      maxTargets: options.maxTargets,
      dnsPorts: options.dnsPorts,
      hostPidNamespace: inHostPidNamespace(),
    });
    if (attached.missing.length) log(`LSM hooks this kernel does not have, left out: ${attached.missing.join(', ')}`);
    log(`paths: walked by ${pathWalk(attached)}`);
    return attached;
  };
  const inactive = inactiveLsmReason();
  if (options.backend === 'lsm' && inactive) throw new VivariumError(`vivariumd: the lsm backend cannot run: ${inactive} (use --backend syscalls or auto)`);
  if (options.backend !== 'auto') return attach(options.backend);
  if (inactive) {
    const attached = attach('syscalls');
    log(`backend syscalls: lsm is unavailable here (${inactive})`);
    return attached;
  }
  try {
    const attached = attach('lsm');
    log('backend lsm: the kernel loaded and attached the BPF LSM programs');
    return attached;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0]!.replace(/^vivariumd: /, '');
    makePinDir(options.pinDir);
    const attached = attach('syscalls');
    log(`backend syscalls: lsm is unavailable here (${reason})`);
    return attached;
  }
}

/** How the loaded programs walk paths, and why when not by direct loads. */
function pathWalk(attached: Attached): string {
  if (attached.directLoads) return 'direct loads (bpf_rdonly_cast)';
  if (attached.directRefused) return `helper reads (the kernel refused the direct loads: ${attached.directRefused})`;
  return 'helper reads (this kernel has no bpf_rdonly_cast, 6.2+)';
}

export async function run(options: Options, log: (line: string) => void): Promise<void> {
  const group = preflight(options);
  ensureBpffs(options.pinDir, log);
  makePinDir(options.pinDir);
  const lock = lockPinDir(options.pinDir, () => {
    const pid = lockHolder(options.pinDir);
    return pid ? `vivariumd pid ${pid}` : 'another vivariumd, still starting';
  });
  let pins: PinDir | undefined;
  let hooks: string[];
  let backend: BackendName | undefined;
  try {
    backend = adoptExisting(options, log);
    hooks = linkPins(options.pinDir);
    if (!backend) ({ backend, hooks } = attachBackend(options, log));
    lockDownPins(options.pinDir);
    pins = PinDir.open(options.pinDir);
  } catch (err) {
    pins?.close();
    if (!hasPins(options.pinDir)) removePins(options.pinDir); // our empty dirs
    lock.release();
    throw err;
  }
  const registry = new Registry(pins, pins.meta.ringSize);
  const swept = await registry.sweep();
  if (swept.length) log(`freed ${swept.length} slot(s) of workers that are gone: ${swept.join(', ')}`);
  const uprobes = options.uprobes.length
    ? Uprobes.load(objectFor(backend, options.objectPath), options.pinDir, log, options.uprobes)
    : Uprobes.off(options.pinDir, log);
  if (uprobes.unusable) log(`uprobes unavailable (${UPROBE_KINDS.join(' and ')} events cannot be seen): ${uprobes.unusable}`);
  let stopping = false;
  // Written when it changed: most registrations leave it as it was (0.8 ms of a registration's work).
  let lastState: string | undefined;
  const onUprobes = () => {
    if (stopping) return;
    try {
      lastState = writeUprobeState(options.socket, uprobes.state(), lastState);
    } catch (err) {
      log(`could not write the uprobe state for vivariumd status: ${(err as Error).message}`);
    }
  };
  // Uprobes see nothing while no worker is registered (connected, or adopted from an earlier
  // daemon): detached once that has lasted --uprobes-idle seconds.
  const noWorker = () => {
    const { owned, adopted } = registry.counts();
    return owned === 0 && adopted === 0;
  };
  const onLeft = () => {
    if (options.uprobesIdle !== undefined) uprobes.detachWhenIdle(options.uprobesIdle, noWorker, onUprobes);
  };
  let server;
  try {
    server = await serveRegistrations(registry, { path: options.socket, backend, ringSize: pins.meta.ringSize, gid: group?.gid, uprobes, onUprobes, onLeft, log });
    onUprobes(); // beside the socket: its directory exists now
    onLeft(); // none registered yet
  } catch (err) {
    uprobes.close();
    removeUprobeState(options.socket);
    pins.close();
    lock.release();
    throw err;
  }
  const sweeper = setInterval(() => void registry.sweep().catch((err: Error) => log(`sweep failed: ${err.message}`)), SWEEP_MS);
  log(describeAccess(options.socket, group));
  log(`hooks: ${hooks.join(', ')}`);
  returnIdleMemory();
  log(`ready: backend ${backend}, pins in ${options.pinDir}, workers register on ${options.socket}, pid ${process.pid} (stop with Ctrl-C or vivariumd stop)`);
  notifyReady(backend, options, log);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      notifyStopping(log);
      clearInterval(sweeper);
      server.close();
      registry.close();
      pins.close();
      stopping = true;
      uprobes.close();
      removeUprobeState(options.socket);
      removePins(options.pinDir);
      lock.release();
      log(`${signal}: detached and unpinned ${options.pinDir}`);
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
