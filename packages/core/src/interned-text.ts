// Strings for bytes decoded before. Tests read the same files again and
// again, and the C library's getenv asks for the same few names: the string
// decoded last time is reused instead of a new one, so a drain allocates
// less and the garbage collector, which copies every event a drain keeps,
// copies less. Keyed by length and last four bytes, checked byte for byte;
// ASCII only, where a byte is its character code.
const LIMIT = 1024;
/** Longer texts (HTTP heads, argument lists) are rarely repeated: not kept,
 * so the table holds 512 KiB at most. */
const LONGEST = 512;
const known = new Map<number, string>();

/** buffer[from, to) as UTF-8 text: for ASCII bytes seen recently, the same string as then. */
export function internedText(buffer: Buffer, from: number, to: number): string {
  const n = to - from;
  if (n < 4 || n > LONGEST) return n === 0 ? '' : buffer.toString('utf8', from, to);
  const last = buffer[to - 4]! | (buffer[to - 3]! << 8) | (buffer[to - 2]! << 16) | (buffer[to - 1]! << 24);
  const key = Math.imul(last ^ n, 0x9e3779b1) >>> 2; // a small integer, so no number is allocated for it
  const seen = known.get(key);
  if (seen !== undefined && seen.length === n && sameAscii(buffer, from, seen)) return seen;
  const text = buffer.toString('utf8', from, to);
  if (text.length === n && isAscii(buffer, from, to)) {
    if (known.size >= LIMIT) known.clear();
    known.set(key, text);
  }
  return text;
}

function sameAscii(buffer: Uint8Array, from: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (buffer[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

function isAscii(buffer: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buffer[i]! > 0x7f) return false;
  return true;
}
