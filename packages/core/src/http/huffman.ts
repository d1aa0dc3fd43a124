// HPACK's Huffman code (RFC 7541, Appendix B). The code is canonical, so the
// bit lengths of the 256 octets (and of EOS, 30 bits) define it whole: codes
// are handed out in order of (length, octet). A unit test checks that the
// lengths make a complete prefix code and decodes the RFC's own examples.

/** Bit length of each octet's code, 0 to 255. */
export const HUFFMAN_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,];
const EOS = 256;
const EOS_LENGTH = 30;

/** Canonical decoding tables: per length, the first code, and where its symbols start in `symbols`. */
const { firstCode, firstIndex, counts, symbols } = (() => {
  const lengths = [...HUFFMAN_LENGTHS, EOS_LENGTH];
  const symbols = lengths.map((_, symbol) => symbol).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const counts = new Array<number>(EOS_LENGTH + 1).fill(0);
  for (const length of lengths) counts[length]!++;
  const firstCode = new Array<number>(EOS_LENGTH + 1).fill(0);
  const firstIndex = new Array<number>(EOS_LENGTH + 1).fill(0);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= EOS_LENGTH; length++) {
    code = (code + counts[length - 1]!) * 2;
    firstCode[length] = code;
    firstIndex[length] = index;
    index += counts[length]!;
  }
  return { firstCode, firstIndex, counts, symbols };
})();

/** The octets a Huffman-coded string stands for; throws on EOS, on padding
 * longer than 7 bits or not all ones (RFC 7541, 5.2). */
export function huffmanDecode(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let code = 0;
  let length = 0;
  for (const byte of input)
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      length++;
      const offset = code - firstCode[length]!;
      if (offset >= 0 && offset < counts[length]!) {
        const symbol = symbols[firstIndex[length]! + offset]!;
        if (symbol === EOS) throw new RangeError('hpack: EOS in a Huffman-coded string');
        out.push(symbol);
        code = 0;
        length = 0;
      } else if (length >= EOS_LENGTH) throw new RangeError('hpack: invalid Huffman code');
    }
  if (length > 7 || code !== 2 ** length - 1) throw new RangeError('hpack: invalid Huffman padding');
  return Uint8Array.from(out);
}
