// Hands back to the kernel what an idle vivariumd holds but no longer uses,
// once ready and again each time it goes idle:
// - malloc's free memory: loading the BPF object (libbpf parses the kernel's
//   BTF) and reading ELF symbol tables free megabytes that glibc keeps
//   (anonymous memory 20.2 -> 14.5-15.8 MB);
// - the pages of node's binary and libraries that only this process maps:
//   most of the ~38 MB of them resident after start are code and data that
//   loading and attaching ran once. MADV_PAGEOUT reclaims them now rather than
//   under memory pressure; pages another process maps too are skipped by the
//   kernel, and what the daemon runs again faults back in (resident 54-58 MiB
//   -> 23-29 MiB with no other node running, its next registration within
//   noise: BENCHMARKS.md).
import { readFileSync } from 'node:fs';
import { libcLibrary } from '@vivarium/core/kernel';

const MADV_PAGEOUT = 21; // Linux 5.4

interface Libc {
  trim: ((pad: number) => number) | null; // null: not glibc, nothing to trim this way
  madvise: (addr: number, length: number, advice: number) => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const lib = libcLibrary();
  let trim: Libc['trim'] = null;
  try {
    trim = lib.func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {}
  // Addresses as integers: these ranges come from /proc/self/maps.
  const madvise = lib.func('int madvise(uintptr_t addr, size_t length, int advice)') as Libc['madvise'];
  libc = { trim, madvise };
  return libc;
}

/** The address ranges of this process's file mappings (code, read-only data
 * and data of node and its libraries), from /proc/self/maps. */
export function fileMappings(maps = readFileSync('/proc/self/maps', 'utf8')): Array<[start: number, end: number]> {
  const ranges: Array<[number, number]> = [];
  for (const line of maps.split('\n')) {
    // start-end perms offset dev inode path
    const [, start, end, inode, path] = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s+(\/.*)$/.exec(line) ?? [];
    if (!start || !end || inode === '0' || path?.startsWith('/dev/')) continue;
    ranges.push([Number.parseInt(start, 16), Number.parseInt(end, 16)]);
  }
  return ranges;
}

export function returnIdleMemory(): void {
  const { trim, madvise } = load();
  trim?.(0);
  // A kernel without MADV_PAGEOUT refuses it (EINVAL): nothing is lost.
  for (const [start, end] of fileMappings()) madvise(start, end - start, MADV_PAGEOUT);
}
