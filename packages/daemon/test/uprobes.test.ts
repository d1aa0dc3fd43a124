import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseOptions } from '../src/options.js';
import { workerBinaries } from '../src/uprobes/binaries.js';
import { functionOffsets } from '../src/uprobes/elf-symbols.js';
import { UPROBE_KINDS, UPROBE_PROGRAMS, UPROBE_TABLE } from '../src/uprobes/table.js';

const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

describe('the attach table', () => {
  test('kinds and programs, each program in both backends’ objects', () => {
    expect(UPROBE_KINDS).toEqual(['env', 'load']);
    expect(UPROBE_PROGRAMS).toEqual(['viv_uprobe_env', 'viv_uprobe_load']);
    for (const backend of ['syscalls', 'lsm']) {
      const object = new URL(`../bpf/${backend}.bpf.o`, import.meta.url);
      if (!existsSync(object)) continue; // not built: the e2e covers it
      const text = readFileSync(object).toString('latin1');
      for (const program of UPROBE_PROGRAMS) expect(text, `${program} in ${backend}.bpf.o`).toContain(program);
    }
  });

  test('one row per (symbol, file), cookies distinct per program', () => {
    const rows = UPROBE_TABLE.map((r) => `${r.in}:${r.symbol}`);
    expect(new Set(rows).size).toBe(rows.length);
    for (const program of UPROBE_PROGRAMS) {
      const cookies = UPROBE_TABLE.filter((r) => r.program === program).map((r) => r.cookie);
      expect(new Set(cookies).size, program).toBe(cookies.length);
    }
  });
});

describe.skipIf(!existsSync(LIBC))('functionOffsets', () => {
  test('the file offsets readelf gives, for symbols defined twice (dlopen) too; absent names are absent', () => {
    const offsets = functionOffsets(LIBC, ['getenv', 'dlopen', 'no_such_function']);
    const dynsym = execFileSync('readelf', ['-W', '--dyn-syms', LIBC], { encoding: 'utf8' });
    const address = (name: string) => Number.parseInt(new RegExp(`^\\s*\\d+: ([0-9a-f]+) .* ${name}@`, 'm').exec(dynsym)![1]!, 16);
    // libc's .text is mapped at its file offset: the address is the offset.
    expect(offsets.get('getenv')).toBe(address('getenv'));
    expect(offsets.get('dlopen')).toBe(address('dlopen'));
    expect(offsets.has('no_such_function')).toBe(false);
  });

  test('not an ELF file: an error naming it', () => {
    expect(() => functionOffsets('/etc/hostname', ['getenv'])).toThrow('/etc/hostname is not a 64-bit little-endian ELF file');
  });
});

describe('workerBinaries', () => {
  test('this process: its program, and the C library it maps (through /proc)', () => {
    const { program, libraries } = workerBinaries(process.pid);
    expect(program).toMatchObject({ path: `/proc/${process.pid}/exe`, shown: process.execPath, mapped: true });
    const libc = libraries.get('libc')!;
    expect(libc.some((f) => f.mapped && /libc\.so\.6$/.test(f.shown) && f.path.startsWith(`/proc/${process.pid}/map_files/`))).toBe(true);
    // Keyed by inode: the copy in the library directories is the mapped one, listed once.
    expect(new Set(libc.map((f) => f.key)).size).toBe(libc.length);
  });
});

test('--no-uprobes', () => {
  expect(parseOptions([]).uprobes).toBe(true);
  expect(parseOptions(['--no-uprobes']).uprobes).toBe(false);
});
