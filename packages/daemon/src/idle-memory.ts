// Hands memory malloc holds but no longer uses back to the kernel. Loading
// the BPF object (libbpf parses the kernel's BTF) and reading ELF symbol
// tables free megabytes that glibc keeps: trimmed after start, the idle
// daemon's anonymous memory is 14.5-15.8 MB instead of 20.2 (resident 57-58
// MB instead of 63).
import { libcLibrary } from '@vivarium/core/kernel';

let trim: ((pad: number) => number) | null | undefined;

export function returnFreedMemory(): void {
  if (trim === undefined) {
    try {
      trim = libcLibrary().func('int malloc_trim(size_t pad)') as (pad: number) => number;
    } catch {
      trim = null; // not glibc: nothing to trim this way
    }
  }
  trim?.(0);
}
