// One daemon per pin dir: an exclusive flock(2) on the directory, held for
// the daemon's life. The kernel releases it when the process dies, however
// it dies, so a SIGKILLed daemon never blocks its successor, and two daemons
// started at once cannot both attach (and tear down each other's pins).
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { VivariumError, errnoName } from '@vivarium/core';
import { koffi } from '@vivarium/core/kernel';

const LOCK_EX = 2;
const LOCK_NB = 4;

let flock: ((fd: number, operation: number) => number) | undefined;

export interface PinDirLock {
  release(): void;
}

/** Locks `pinDir` (creating it) or throws naming who holds it. */
export function lockPinDir(pinDir: string, holder: () => string): PinDirLock {
  flock ??= koffi.load('libc.so.6').func('int flock(int fd, int operation)') as (fd: number, operation: number) => number;
  for (let attempt = 0; ; attempt++) {
    mkdirSync(pinDir, { recursive: true, mode: 0o700 });
    const fd = openSync(pinDir, constants.O_RDONLY | constants.O_DIRECTORY);
    if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      const code = errnoName(koffi.errno());
      closeSync(fd);
      if (code === 'EWOULDBLOCK' || code === 'EAGAIN')
        throw new VivariumError(`vivariumd: ${pinDir} is already served by ${holder()} (vivariumd stop --pin-dir ${pinDir}, or use another --pin-dir)`);
      throw new VivariumError(`vivariumd: cannot lock ${pinDir}: ${code}`);
    }
    // A daemon that was stopping may have removed the dir we just locked.
    if (sameInode(fd, pinDir) || attempt >= 3) return { release: () => closeSync(fd) };
    closeSync(fd);
  }
}

function sameInode(fd: number, path: string): boolean {
  try {
    return fstatSync(fd).ino === statSync(path).ino;
  } catch {
    return false;
  }
}

/** The pid of the process holding the lock on `pinDir` (the serving
 * daemon), from /proc/locks; undefined when nobody serves it. */
export function lockHolder(pinDir: string): number | undefined {
  let dev: number;
  let ino: number;
  try {
    ({ dev, ino } = statSync(pinDir));
  } catch {
    return undefined;
  }
  const major = ((dev >> 8) & 0xfff) | Math.floor(dev / 2 ** 32) & ~0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & ~0xff);
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    // 1: FLOCK  ADVISORY  WRITE 4242 00:1e:12345 0 EOF
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[3] !== 'WRITE') continue;
    const [maj, min, inode] = (fields[5] ?? '').split(':');
    if (Number(inode) === ino && parseInt(maj!, 16) === major && parseInt(min!, 16) === minor) return Number(fields[4]);
  }
  return undefined;
}
