import { describe, expect, test } from 'vitest';
import { HpackDecoder } from '../../src/http/hpack.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const all = () => true;
const pairs = (decoder: HpackDecoder, block: string, wanted: (name: string) => boolean = all) =>
  decoder.decode(hex(block), wanted).fields.map((f) => [f.name, f.value]);

// RFC 7541, Appendix C.3 (literals) and C.4 (Huffman): three requests on one connection.
const REQUESTS = {
  literal: [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ],
  huffman: [
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ],
};

describe('HpackDecoder', () => {
  test.each(Object.entries(REQUESTS))('RFC 7541 examples, %s strings: the dynamic table carries :authority across requests', (_, blocks) => {
    const decoder = new HpackDecoder();
    expect(pairs(decoder, blocks[0]!)).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(pairs(decoder, blocks[1]!)).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    expect(pairs(decoder, blocks[2]!)).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
    expect(decoder.known).toBe(true);
  });

  test('only the names asked for leave the decoder, but every field enters the table', () => {
    const decoder = new HpackDecoder();
    const pseudo = (name: string) => name.startsWith(':');
    expect(pairs(decoder, REQUESTS.huffman[0]!, pseudo)).toHaveLength(4);
    expect(pairs(decoder, REQUESTS.huffman[1]!, pseudo).map(([n]) => n)).not.toContain('cache-control');
    // custom-key was inserted at index 62 by the third block: a fourth block referring to it decodes.
    pairs(decoder, REQUESTS.huffman[2]!, pseudo);
    expect(pairs(decoder, 'be')).toEqual([['custom-key', 'custom-value']]);
  });

  test('a table not followed from the start: its entries are unknown, static ones and literals still decode', () => {
    const decoder = new HpackDecoder(false);
    expect(pairs(decoder, REQUESTS.huffman[1]!)).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      ['?', undefined],
      ['cache-control', 'no-cache'],
    ]);
    // What it inserts from then on is known again, at the front.
    expect(pairs(decoder, 'be')).toEqual([['cache-control', 'no-cache']]);
    expect(pairs(decoder, 'bf')).toEqual([['?', undefined]]);
  });

  test('a block cut short: the fields before the cut, and the table is lost', () => {
    const decoder = new HpackDecoder();
    const cut = decoder.decode(hex('8286 8441 8cf1 e3c2'), all);
    expect(cut).toEqual({ fields: [{ name: ':method', value: 'GET' }, { name: ':scheme', value: 'http' }, { name: ':path', value: '/' }], complete: false });
    expect(decoder.known).toBe(false);
  });

  test('a reference beyond a known table is an error, not a guess', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('be'), all).complete).toBe(false);
  });

  test('a size update evicts: an entry that no longer fits is gone', () => {
    const decoder = new HpackDecoder();
    pairs(decoder, REQUESTS.literal[0]!);
    // Table size 0, then index 62 is beyond the table.
    expect(decoder.decode(hex('20 be'), all).complete).toBe(false);
  });

  test('literals never indexed and without indexing do not enter the table', () => {
    const decoder = new HpackDecoder();
    // 0x10: never indexed, new name 'password' value 'secret'; 0x04 0x0c '/sample/path': without indexing, name :path.
    expect(pairs(decoder, '1008 7061 7373 776f 7264 0673 6563 7265 74 040c 2f73 616d 706c 652f 7061 7468')).toEqual([
      ['password', 'secret'],
      [':path', '/sample/path'],
    ]);
    expect(decoder.decode(hex('be'), all).complete).toBe(false);
  });
});
