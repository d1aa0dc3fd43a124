// Mappings of BPF maps into this process (mmap of a ring or an mmapable
// array's fd), invisible to children: without MADV_DONTFORK every fork
// copies the mapping's page tables and every exec tears them down.
import { VivariumError } from './errors.js';
import { addressOf, lastErrno, loadLibc, viewOf } from './native.js';
import { errnoName } from './errors.js';

export const PAGE_SIZE = 4096; // x86-64; the kernel requires page-aligned offsets
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const MADV_DONTFORK = 10;

export interface Mapping {
  /** The mapped bytes, without copy. */
  readonly buffer: ArrayBuffer;
  unmap(): void;
}

/** Maps `length` bytes of `fd` at `offset`, read-only unless `writable`. */
export function mapShared(fd: number, length: number, offset: number, writable: boolean, what: string): Mapping {
  const libc = loadLibc();
  const pointer = libc.mmap(null, length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, offset);
  if (addressOf(pointer) === MAP_FAILED) throw new VivariumError(`vivarium: mmap of ${what} failed: ${errnoName(lastErrno())}`);
  libc.madvise(pointer, length, MADV_DONTFORK);
  let mapped = true;
  return {
    buffer: viewOf(pointer, length),
    unmap: () => {
      if (mapped) libc.munmap(pointer, length);
      mapped = false;
    },
  };
}

/** Bytes a mapping of an mmapable array map of `valueSize` x 1 needs. */
export function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}
