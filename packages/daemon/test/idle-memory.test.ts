import { describe, expect, test } from 'vitest';
import { fileMappings } from '../src/idle-memory.js';

describe('the mappings an idle vivariumd hands back', () => {
  test('every mapping of a file, and nothing else', () => {
    const maps = [
      '556e9a6ef000-556e9a6f1000 r--p 00000000 fe:00 260131                     /usr/bin/node',
      '556e9a6f1000-556e9a6f6000 r-xp 00002000 fe:00 260131                     /usr/bin/node',
      '556e9b000000-556e9b021000 rw-p 00000000 00:00 0                          [heap]',
      '7f0000000000-7f0000400000 rw-s 00000000 00:0e 1043                       anon_inode:bpf-map',
      '7f0000400000-7f0000401000 rw-p 00000000 00:00 0 ',
      '7f0000401000-7f0000402000 rw-s 00000000 00:05 4                          /dev/zero (deleted)',
      '7f1000000000-7f1000028000 r--p 00000000 fe:00 263001                     /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7f1000028000-7f1000030000 r-xp 00028000 fe:00 263002                     /usr/lib/old lib.so (deleted)',
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
      '',
    ].join('\n');
    expect(fileMappings(maps)).toEqual([
      [0x556e9a6ef000, 0x556e9a6f1000],
      [0x556e9a6f1000, 0x556e9a6f6000],
      [0x7f1000000000, 0x7f1000028000],
      [0x7f1000028000, 0x7f1000030000],
    ]);
  });

  test("this process's own maps read as ranges", () => {
    const ranges = fileMappings();
    expect(ranges.length).toBeGreaterThan(0);
    for (const [start, end] of ranges) expect(end).toBeGreaterThan(start);
  });
});
