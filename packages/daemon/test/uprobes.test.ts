import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { workerBinaries } from '../src/uprobes/binaries.js';
import { functionOffsets, gnuHash } from '../src/uprobes/elf-symbols.js';
import { formatStatus, type Status } from '../src/status.js';
import { UPROBE_KINDS, UPROBE_PROGRAMS, UPROBE_TABLE } from '../src/uprobes/table.js';
import { readUprobeState, writeUprobeState } from '../src/uprobes/state-file.js';
import type { UprobeState } from '../src/uprobes/attacher.js';

const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

describe('the attach table', () => {
  test('kinds and programs, each program in both backends’ objects', () => {
    expect(UPROBE_KINDS).toEqual(['env', 'load', 'http']);
    expect(UPROBE_PROGRAMS).toEqual(['viv_uprobe_env', 'viv_uprobe_load', 'viv_uprobe_http', 'viv_uret_http', 'viv_tls_free']);
    // The kernel keeps 15 characters of a program's name: an adopting daemon knows its programs by it.
    expect(UPROBE_PROGRAMS.filter((name) => name.length > 15)).toEqual([]);
    for (const backend of ['syscalls', 'lsm']) {
      const object = new URL(`../bpf/${backend}.bpf.o`, import.meta.url);
      if (!existsSync(object)) continue; // not built: the e2e covers it
      const text = readFileSync(object).toString('latin1');
      for (const program of UPROBE_PROGRAMS) expect(text, `${program} in ${backend}.bpf.o`).toContain(program);
    }
  });

  test('vivariumd status names the kinds attached on demand', () => {
    const status: Status = {
      pinDir: '/sys/fs/bpf/vivarium',
      socket: '/run/vivarium/vivarium.sock',
      backend: 'syscalls',
      abiVersion: 6,
      daemon: { pid: 1, running: true },
      rings: { max: 4, size: 1 << 22, inUse: 0 },
      maxTargets: 16384,
      dnsPorts: [53],
      access: { group: null, gid: 0 },
      hooks: [],
      uprobes: { programs: null, files: [{ file: '/usr/lib/x86_64-linux-gnu/libc.so.6', key: '1:2', symbols: ['getenv'] }], workers: {}, onDemand: ['env', 'load', 'http'] },
      targets: [],
      slots: [],
    };
    expect(formatStatus(status).split('\n').filter((l) => l.includes('uprobes:') || l.includes('attached once'))).toEqual([
      'uprobes:  /usr/lib/x86_64-linux-gnu/libc.so.6 (getenv)',
      '          env, load, http: attached once a worker asks (a check of it, a policy, a reporter)',
    ]);
  });

  test('one row per (program, symbol, file), cookies distinct per program and file', () => {
    const rows = UPROBE_TABLE.map((r) => `${r.program}:${r.in}:${r.symbol}`);
    expect(new Set(rows).size).toBe(rows.length);
    for (const program of UPROBE_PROGRAMS)
      for (const where of new Set(UPROBE_TABLE.map((r) => r.in))) {
        const cookies = UPROBE_TABLE.filter((r) => r.program === program && r.in === where).map((r) => r.cookie);
        expect(new Set(cookies).size, `${program} in ${where}`).toBe(cookies.length);
      }
  });

  test('http: SSL_write in node or in a libssl it maps is required (one of them); the rest adds coverage', () => {
    const http = UPROBE_TABLE.filter((r) => r.kind === 'http').map((r) => `${r.program} ${r.in} ${r.symbol}${r.retprobe ? ' (return)' : ''} ${r.oneOf ? 'one-of' : r.optional ? 'optional' : 'required'}`);
    expect(http).toEqual([
      'viv_uprobe_http program SSL_write one-of',
      'viv_uret_http program SSL_write (return) one-of',
      'viv_uprobe_http program SSL_write_ex optional',
      'viv_uret_http program SSL_write_ex (return) optional',
      'viv_uprobe_http libssl SSL_write one-of',
      'viv_uret_http libssl SSL_write (return) one-of',
      'viv_uprobe_http libssl SSL_write_ex optional',
      'viv_uret_http libssl SSL_write_ex (return) optional',
      'viv_tls_free program SSL_free optional',
      'viv_tls_free libssl SSL_free optional',
    ]);
  });
});

describe.skipIf(!existsSync(LIBC))('functionOffsets', () => {
  test('the file offsets readelf gives, for symbols defined twice (dlopen) too; absent names are absent', () => {
    // 'dl' and 'getenv_' are a prefix of and longer than names libc defines: whole names only.
    const offsets = functionOffsets(LIBC, ['getenv', 'dlopen', 'no_such_function', 'dl', 'getenv_']);
    const dynsym = execFileSync('readelf', ['-W', '--dyn-syms', LIBC], { encoding: 'utf8' });
    const address = (name: string) => Number.parseInt(new RegExp(`^\\s*\\d+: ([0-9a-f]+) .* ${name}@`, 'm').exec(dynsym)![1]!, 16);
    // libc's .text is mapped at its file offset: the address is the offset.
    expect(offsets.get('getenv')).toBe(address('getenv'));
    expect(offsets.get('dlopen')).toBe(address('dlopen'));
    expect(offsets.has('no_such_function')).toBe(false);
    expect(offsets.has('dl')).toBe(false);
    expect(offsets.has('getenv_')).toBe(false);
    expect(functionOffsets(LIBC, ['secure_getenv']).get('secure_getenv')).toBe(address('secure_getenv'));
  });

  test("node's own OpenSSL: SSL_write and SSL_write_ex are exported by this node (official builds link OpenSSL in)", () => {
    const offsets = functionOffsets(process.execPath, ['SSL_write', 'SSL_write_ex']);
    if (offsets.size === 0) return; // a node using the system's libssl: covered through it
    expect([...offsets.keys()].sort()).toEqual(['SSL_write', 'SSL_write_ex']);
    expect(offsets.get('SSL_write')).not.toBe(offsets.get('SSL_write_ex'));
  });

  test('the GNU hash of a name is the dynamic loader\'s (h * 33 + c from 5381, 32 bits)', () => {
    expect(gnuHash(Buffer.from(''))).toBe(5381);
    expect(gnuHash(Buffer.from('printf'))).toBe(0x156b2bb8);
    expect(gnuHash(Buffer.from('exit'))).toBe(0x7c967e3f);
  });

  test("every name of the table found through libc's .gnu.hash, at readelf's addresses", () => {
    const names = ['getenv', 'secure_getenv', 'setenv', 'unsetenv', 'putenv', 'clearenv', 'dlopen', 'dlmopen'];
    const offsets = functionOffsets(LIBC, names);
    const dynsym = execFileSync('readelf', ['-W', '--dyn-syms', LIBC], { encoding: 'utf8' });
    const address = (name: string) => Number.parseInt(new RegExp(`^\\s*\\d+: ([0-9a-f]+) .* ${name}@`, 'm').exec(dynsym)![1]!, 16);
    for (const name of names) expect([name, offsets.get(name)]).toEqual([name, address(name)]);
  });

  // The daemon reads files a worker controls (its own, in its container):
  // a .gnu.hash that lies must neither keep it reading nor hide a symbol.
  test('a corrupt .gnu.hash: the same offsets, found by the full scan, in bounded time', () => {
    const names = ['getenv', 'dlopen', 'no_such_function'];
    const want = functionOffsets(LIBC, names);
    const section = /\.gnu\.hash\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(execFileSync('readelf', ['-W', '-S', LIBC], { encoding: 'utf8' }))!;
    const [offset, size] = [Number.parseInt(section[1]!, 16), Number.parseInt(section[2]!, 16)];
    const dir = mkdtempSync(join(tmpdir(), 'vivarium-elf-'));
    try {
      const bytes = readFileSync(LIBC);
      const endless = Buffer.from(bytes);
      // No chain ends: every word of the section with its low bit cleared.
      for (let at = offset + 16; at + 4 <= offset + size; at += 4) endless.writeUInt32LE((endless.readUInt32LE(at) & ~1) >>> 0, at);
      const oversized = Buffer.from(bytes);
      oversized.writeUInt32LE(0xffffffff, offset + 8); // bloom words: the header no longer fits its section
      for (const [file, content] of [['endless.so', endless], ['oversized.so', oversized]] as const) {
        writeFileSync(join(dir, file), content);
        expect(functionOffsets(join(dir, file), names)).toEqual(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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


describe('the uprobe state file (vivariumd status)', () => {
  test('written when its text changes, and again when it was removed (a cleaned /run); not rewritten otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vivarium-state-'));
    try {
      const socket = join(dir, 'vivarium.sock');
      const file = join(dir, 'vivarium.uprobes.json');
      const state: UprobeState = { programs: null, files: [], workers: {}, onDemand: ['env'] };
      let written = writeUprobeState(socket, state);
      expect(readUprobeState(socket)).toEqual(state);
      const made = statSync(file).ino;
      written = writeUprobeState(socket, state, written);
      expect(statSync(file).ino).toBe(made); // the same text: left as it was (written by rename: a new inode each time)
      rmSync(file);
      written = writeUprobeState(socket, state, written);
      expect(readUprobeState(socket)).toEqual(state);
      const changed = { ...state, workers: { '42': { http: 'not asked' } } };
      writeUprobeState(socket, changed, written);
      expect(readUprobeState(socket)).toEqual(changed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
