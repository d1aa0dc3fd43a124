import { describe, expect, test } from 'vitest';
import { HUFFMAN_LENGTHS, huffmanDecode } from '../../src/http/huffman.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('HPACK Huffman code', () => {
  test('the lengths make a complete prefix code (Kraft sum 1, with the 30-bit EOS)', () => {
    expect(HUFFMAN_LENGTHS).toHaveLength(256);
    const sum = HUFFMAN_LENGTHS.reduce((s, l) => s + 2 ** (30 - l), 0) + 1;
    expect(sum).toBe(2 ** 30);
  });

  test.each([
    ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
    ['a8eb 1064 9cbf', 'no-cache'],
    ['25a8 49e9 5ba9 7d7f', 'custom-key'],
    ['25a8 49e9 5bb8 e8b4 bf', 'custom-value'],
    ['6402', '302'],
    ['aec3 771a 4b', 'private'],
    ['d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3', 'https://www.example.com'],
  ])('RFC 7541 Appendix C: %s is %j', (input, expected) => {
    expect(text(huffmanDecode(hex(input)))).toBe(expected);
  });

  test('an empty string', () => {
    expect(huffmanDecode(new Uint8Array())).toHaveLength(0);
  });

  test.each([
    ['padding longer than 7 bits', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff ff'],
    ['padding that is not all ones', 'a8eb 1064 9cbe'],
    ['EOS inside the string', 'ffff fffc'],
  ])('%s is refused', (_, input) => {
    expect(() => huffmanDecode(hex(input))).toThrow(RangeError);
  });
});
