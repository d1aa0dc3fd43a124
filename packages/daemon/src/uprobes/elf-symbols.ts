// Where a function starts in an ELF file, as the file offset a uprobe is
// attached at. Our own reader rather than libbpf's func_name: libbpf 1.1
// refuses a name defined twice, and glibc 2.34+ defines dlopen twice (the
// GLIBC_2.2.5 and GLIBC_2.34 versions, at the same address).
import { closeSync, openSync, readSync } from 'node:fs';

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHT_GNU_HASH = 0x6ffffff6;
const SYM_SIZE = 24;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
/** Symbol tables larger than this are not read (a corrupt header). */
const MAX_TABLE = 256 << 20;
/** Hash chain entries followed per name, at most: real chains are a few
 * entries long, and a crafted file (a worker's own, in its container) must
 * not keep the daemon reading. */
const MAX_CHAIN = 4096;

interface Section {
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
}

/** The file offset of the function the symbol entry at `table[at]` defines, or undefined. */
function functionOffset(table: Buffer, at: number, sections: readonly Section[]): number | undefined {
  const kind = table[at + 4]! & 0xf;
  const shndx = table.readUInt16LE(at + 6);
  const value = table.readBigUInt64LE(at + 8);
  if ((kind !== STT_FUNC && kind !== STT_GNU_IFUNC) || shndx === 0 || shndx >= sections.length || value === 0n) return undefined;
  const section = sections[shndx]!;
  return Number(value - section.addr) + section.offset;
}

/** The GNU symbol hash of a name (the dynamic loader's: h * 33 + c). */
export function gnuHash(name: Uint8Array): number {
  let h = 5381;
  for (const c of name) h = ((h << 5) + h + c) >>> 0;
  return h;
}

/** A function `name` defines, found through a .gnu.hash section: its bucket,
 * then its chain, whose entries share the hash's upper 31 bits. */
function gnuHashLookup(
  read: (offset: number, length: number) => Buffer,
  hash: Section, dynsym: Section, dynstr: Section, name: Buffer, sections: readonly Section[],
): number | undefined {
  const head = read(hash.offset, 16);
  const [buckets, symoffset, bloomWords] = [head.readUInt32LE(0), head.readUInt32LE(4), head.readUInt32LE(8)];
  if (buckets === 0) return undefined;
  const bucketsAt = hash.offset + 16 + bloomWords * 8;
  const chainAt = bucketsAt + buckets * 4;
  const hashEnd = hash.offset + hash.size;
  if (chainAt > hashEnd) return undefined; // a header that does not fit its section
  const symbols = Math.min(Math.floor(dynsym.size / SYM_SIZE), symoffset + (hashEnd - chainAt) / 4);
  const h = gnuHash(name);
  const first = read(bucketsAt + (h % buckets) * 4, 4).readUInt32LE(0);
  for (let index = first; index >= symoffset && index < symbols && index - first < MAX_CHAIN; index++) {
    const chain = read(chainAt + (index - symoffset) * 4, 4).readUInt32LE(0);
    if ((chain | 1) === (h | 1)) {
      const sym = read(dynsym.offset + index * SYM_SIZE, SYM_SIZE);
      const at = sym.readUInt32LE(0);
      const offset = functionOffset(sym, 0, sections);
      if (offset !== undefined && at + name.length < dynstr.size) {
        const text = read(dynstr.offset + at, name.length + 1);
        if (text[name.length] === 0 && text.compare(name, 0, name.length, 0, name.length) === 0) return offset;
      }
    }
    if (chain & 1) break; // the chain's last entry
  }
  return undefined;
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
    const found = new Map<string, number>();
    // The dynamic loader's own lookup first: a few small reads per name. node
    // exports ~75,000 symbols, and reading its whole table cost 35–77 ms and
    // ~13 MB of the daemon's memory.
    for (const hash of sections.filter((s) => s.type === SHT_GNU_HASH)) {
      const dynsym = sections[hash.link];
      const dynstr = dynsym && sections[dynsym.link];
      if (dynsym?.type !== SHT_DYNSYM || !dynstr) continue;
      for (const name of wanted) {
        if (found.has(name)) continue;
        const offset = gnuHashLookup(read, hash, dynsym, dynstr, Buffer.from(name, 'latin1'), sections);
        if (offset !== undefined) found.set(name, offset);
      }
    }
    if (found.size === wanted.size) return found;
    // No hash table, or names only in the full table: every symbol, compared in place.
    const wantedBytes = [...wanted].filter((name) => !found.has(name)).map((name) => ({ name, bytes: Buffer.from(name, 'latin1') }));
    for (const type of [SHT_DYNSYM, SHT_SYMTAB]) {
      for (const symtab of sections.filter((s) => s.type === type)) {
        const strtab = sections[symtab.link];
        if (!strtab || symtab.size > MAX_TABLE || strtab.size > MAX_TABLE) continue;
        const syms = read(symtab.offset, symtab.size);
        const strs = read(strtab.offset, strtab.size);
        for (let at = 0; at + SYM_SIZE <= syms.length; at += SYM_SIZE) {
          const offset = functionOffset(syms, at, sections);
          if (offset === undefined) continue;
          const name = wantedAt(strs, syms.readUInt32LE(at), wantedBytes);
          if (name !== undefined && !found.has(name)) found.set(name, offset);
        }
      }
      if (found.size === wanted.size) break;
    }
    return found;
  } finally {
    closeSync(fd);
  }
}
