// A minimal i386 program, written at test time (no 32-bit toolchain needed):
// open(PATH, O_RDONLY) and exit(0), both through int 0x80. What an ordinary
// 32-bit binary a test runs does, in 23 bytes of code.
const fs = require('node:fs');

const BASE = 0x08048000;
const HEADERS = 52 + 32; // ELF header, one program header

function i386OpenAndExit(file, path) {
  const name = Buffer.from(`${path}\0`);
  const code = Buffer.from([
    0xb8, 5, 0, 0, 0, // mov eax, 5 (open)
    0xbb, 0, 0, 0, 0, // mov ebx, PATH (patched below)
    0x31, 0xc9, // xor ecx, ecx (O_RDONLY)
    0xcd, 0x80, // int 0x80
    0xb8, 1, 0, 0, 0, // mov eax, 1 (exit)
    0x31, 0xdb, // xor ebx, ebx
    0xcd, 0x80, // int 0x80
  ]);
  code.writeUInt32LE(BASE + HEADERS + code.length, 6);
  const size = HEADERS + code.length + name.length;
  const elf = Buffer.alloc(HEADERS);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(elf); // ELF, 32-bit, little-endian, version 1
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(3, 18); // EM_386
  elf.writeUInt32LE(1, 20); // version
  elf.writeUInt32LE(BASE + HEADERS, 24); // entry
  elf.writeUInt32LE(52, 28); // program headers' offset
  elf.writeUInt16LE(52, 40); // ELF header size
  elf.writeUInt16LE(32, 42); // program header size
  elf.writeUInt16LE(1, 44); // one program header
  elf.writeUInt32LE(1, 52); // PT_LOAD
  elf.writeUInt32LE(0, 56); // from offset 0
  elf.writeUInt32LE(BASE, 60); // vaddr
  elf.writeUInt32LE(BASE, 64); // paddr
  elf.writeUInt32LE(size, 68); // file size
  elf.writeUInt32LE(size, 72); // memory size
  elf.writeUInt32LE(5, 76); // R+X
  elf.writeUInt32LE(0x1000, 80); // alignment
  fs.writeFileSync(file, Buffer.concat([elf, code, name]), { mode: 0o755 });
  return file;
}

module.exports = { i386OpenAndExit };
