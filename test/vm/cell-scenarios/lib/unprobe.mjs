// node unprobe.mjs remove|keep NAME: reads the environment variable NAME,
// after putting back (remove) the instruction a uprobe's breakpoint replaced
// at the start of this process's getenv, with plain JavaScript: getenv's file
// offset in the C library (read from its symbol table as vivariumd reads
// it), where that offset is mapped (/proc/self/maps), and /proc/self/mem,
// which writes through the page's protection. Prints the first byte getenv
// had before: cc while the breakpoint was there.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// vivariumd's ELF reader, from the installed daemon package (the repository's
// workspace, or a project that installed the packed tarballs).
const daemon = path.dirname(createRequire(import.meta.url).resolve('@vivarium/daemon/package.json'));
const { functionOffsets } = await import(pathToFileURL(path.join(daemon, 'dist/uprobes/elf-symbols.js')).href);

const [how, name] = process.argv.slice(2);
// start-end perms offset dev inode path, of each mapping of the C library.
const libc = fs
  .readFileSync('/proc/self/maps', 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/))
  .filter((f) => /\/libc\.so\.6$/.test(f[5] ?? ''))
  .map(([range, , offset, , , file]) => {
    const [start, end] = range.split('-').map((hex) => Number.parseInt(hex, 16));
    return { start, end, offset: Number.parseInt(offset, 16), file };
  });
if (!libc.length) throw new Error('unprobe: no C library in /proc/self/maps');
const getenv = functionOffsets(libc[0].file, ['getenv']).get('getenv');
const text = libc.find((m) => getenv >= m.offset && getenv < m.offset + m.end - m.start);
const address = text.start + getenv - text.offset;

const original = Buffer.alloc(1);
const file = fs.openSync(text.file, 'r');
fs.readSync(file, original, 0, 1, getenv);
fs.closeSync(file);
const before = Buffer.alloc(1);
const mem = fs.openSync('/proc/self/mem', how === 'remove' ? 'r+' : 'r');
fs.readSync(mem, before, 0, 1, address);
if (how === 'remove') fs.writeSync(mem, original, 0, 1, address);
fs.closeSync(mem);
process.stdout.write(`${before[0].toString(16)}\n`);
process.env[name];
