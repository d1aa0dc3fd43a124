// Where a function starts in an ELF file, as the file offset a uprobe is
// attached at. Our own reader rather than libbpf's func_name: libbpf 1.1
// refuses a name defined twice, and glibc 2.34+ defines dlopen twice (the
// GLIBC_2.2.5 and GLIBC_2.34 versions, at the same address).
import { closeSync, openSync, readSync } from 'node:fs';

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
/** Symbol tables larger than this are not read (a corrupt header). */
const MAX_TABLE = 256 << 20;

interface Section {
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
}

/** Which wanted name the NUL-terminated string at `at` is, if any: compared
 * in place, as node's table holds ~100,000 names and a string for each made
 * the daemon's start slow and its heap large. */
function wantedAt(strs: Buffer, at: number, wanted: ReadonlyArray<{ name: string; bytes: Buffer }>): string | undefined {
  for (const { name, bytes } of wanted) {
    const end = at + bytes.length;
    if (strs[at] === bytes[0] && strs[end] === 0 && strs.compare(bytes, 0, bytes.length, at, end) === 0) return name;
  }
  return undefined;
}

/** The file offsets of `names` defined as functions in `path` (dynamic
 * symbols first, then the full table); names not found are absent. Throws
 * when the file is not a 64-bit little-endian ELF. */
export function functionOffsets(path: string, names: readonly string[]): Map<string, number> {
  const fd = openSync(path, 'r');
  try {
    const read = (offset: number, length: number): Buffer => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, offset);
      if (n !== length) throw new Error(`${path}: short read at ${offset}`);
      return buf;
    };
    const header = Buffer.alloc(64);
    const got = readSync(fd, header, 0, 64, 0);
    if (got < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) throw new Error(`${path} is not a 64-bit little-endian ELF file`);
    const shoff = Number(header.readBigUInt64LE(0x28));
    const shentsize = header.readUInt16LE(0x3a);
    const shnum = header.readUInt16LE(0x3c);
    const table = read(shoff, shentsize * shnum);
    const sections: Section[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = i * shentsize;
      sections.push({
        type: table.readUInt32LE(at + 4),
        addr: table.readBigUInt64LE(at + 16),
        offset: Number(table.readBigUInt64LE(at + 24)),
        size: Number(table.readBigUInt64LE(at + 32)),
        link: table.readUInt32LE(at + 40),
      });
    }
    const wanted = new Set(names);
    const wantedBytes = [...wanted].map((name) => ({ name, bytes: Buffer.from(name, 'latin1') }));
    const found = new Map<string, number>();
    for (const type of [SHT_DYNSYM, SHT_SYMTAB]) {
      for (const symtab of sections.filter((s) => s.type === type)) {
        const strtab = sections[symtab.link];
        if (!strtab || symtab.size > MAX_TABLE || strtab.size > MAX_TABLE) continue;
        const syms = read(symtab.offset, symtab.size);
        const strs = read(strtab.offset, strtab.size);
        for (let at = 0; at + 24 <= syms.length; at += 24) {
          const kind = syms[at + 4]! & 0xf;
          const shndx = syms.readUInt16LE(at + 6);
          const value = syms.readBigUInt64LE(at + 8);
          if ((kind !== STT_FUNC && kind !== STT_GNU_IFUNC) || shndx === 0 || shndx >= sections.length || value === 0n) continue;
          const name = wantedAt(strs, syms.readUInt32LE(at), wantedBytes);
          if (name === undefined || found.has(name)) continue;
          const section = sections[shndx]!;
          found.set(name, Number(value - section.addr) + section.offset);
        }
      }
      if (found.size === wanted.size) break;
    }
    return found;
  } finally {
    closeSync(fd);
  }
}
