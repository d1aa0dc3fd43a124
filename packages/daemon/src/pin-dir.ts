// The pin directory on bpffs: mounting bpffs when absent, knowing what a
// directory holds, and removing exactly what vivariumd pinned.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VivariumError } from '@vivarium/core';
import { MAP_PINS, PIN } from '@vivarium/core/kernel';

function bpfMounts(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[2] === 'bpf')
    .map((f) => f[1]!);
}

function isOnBpffs(path: string): boolean {
  return bpfMounts().some((m) => path === m || path.startsWith(m.endsWith('/') ? m : `${m}/`));
}

/** Makes sure `pinDir` is on a bpf filesystem, mounting /sys/fs/bpf if needed. */
export function ensureBpffs(pinDir: string, log: (line: string) => void): void {
  if (!isOnBpffs(pinDir)) {
    if (!pinDir.startsWith('/sys/fs/bpf/'))
      throw new VivariumError(`vivariumd: pin dir ${pinDir} is not on a bpf filesystem (mount -t bpf bpf ${dirname(pinDir)}, or use --pin-dir /sys/fs/bpf/NAME)`);
    try {
      execFileSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf'], { stdio: 'pipe' });
    } catch (cause) {
      throw new VivariumError('vivariumd: bpffs is not mounted and mounting it failed (mount -t bpf bpf /sys/fs/bpf)', { cause });
    }
    log('mounted bpffs on /sys/fs/bpf');
  }
}

export function makePinDir(pinDir: string): void {
  mkdirSync(join(pinDir, PIN.links), { recursive: true, mode: 0o700 });
}

export function linkPins(pinDir: string): string[] {
  const dir = join(pinDir, PIN.links);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Pins of ABI 1 daemons (a shared stats map, one ring_N per slot): stop removes them too. */
function legacyPins(pinDir: string): string[] {
  return existsSync(pinDir) ? readdirSync(pinDir).filter((n) => n === 'stats' || /^ring_\d+$/.test(n)) : [];
}

export function hasPins(pinDir: string): boolean {
  return existsSync(join(pinDir, PIN.meta));
}

/**
 * Unpins everything vivariumd pins (which detaches the programs and frees
 * every map once no worker maps them any more) and nothing
 * else; then removes the dirs if that left them empty. `keepDir` keeps the
 * pin dir itself: the running daemon holds its lock on that inode.
 */
export function removePins(pinDir: string, { keepDir = false } = {}): void {
  for (const link of linkPins(pinDir)) rmSync(join(pinDir, PIN.links, link), { force: true });
  for (const name of [...MAP_PINS, ...legacyPins(pinDir)]) rmSync(join(pinDir, name), { force: true });
  for (const dir of keepDir ? [join(pinDir, PIN.links)] : [join(pinDir, PIN.links), pinDir]) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (someone else's pins) or already gone: leave it
    }
  }
}
