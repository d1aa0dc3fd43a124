// Strings for bytes decoded before. Tests read the same files again and
// again, and the C library's getenv asks for the same few names: the string
// decoded last time is reused instead of a new one, so a drain allocates
// less and the garbage collector, which copies every event a drain keeps,
// copies less. A table indexed by length and last four bytes holds each
// string with a copy of its bytes; a hit is checked against them, four
// bytes at a time (a call into Buffer's native code costs more than the
// whole check for a path's few dozen bytes).
const SLOTS = 1024; // a power of two
/** Longer texts (HTTP heads, argument lists) are rarely repeated: not kept,
 * so the table holds 1 MiB at most. */
const LONGEST = 512;

interface Known {
  text: string;
  bytes: DataView;
}
const known: Array<Known | undefined> = new Array<Known | undefined>(SLOTS).fill(undefined);

/** The same bytes as text (Buffer) and as numbers (DataView): offsets are into both. */
export interface Backing {
  buffer: Buffer;
  view: DataView;
}

/** bytes[from, to) as UTF-8 text: for bytes seen recently, the same string as then. */
export function internedText(bytes: Backing, from: number, to: number): string {
  const n = to - from;
  if (n < 4 || n > LONGEST) return n === 0 ? '' : bytes.buffer.toString('utf8', from, to);
  const slot = (Math.imul(bytes.view.getUint32(to - 4, true) ^ n, 0x9e3779b1) >>> 22) & (SLOTS - 1);
  const seen = known[slot];
  if (seen !== undefined && seen.bytes.byteLength === n && sameBytes(bytes.view, from, seen.bytes, 0, n)) return seen.text;
  const text = bytes.buffer.toString('utf8', from, to);
  const copy = new Uint8Array(n);
  copy.set(bytes.buffer.subarray(from, to));
  known[slot] = { text, bytes: new DataView(copy.buffer) };
  return text;
}

/** a[aFrom, aFrom + n) equals b[bFrom, bFrom + n). */
export function sameBytes(a: DataView, aFrom: number, b: DataView, bFrom: number, n: number): boolean {
  let i = 0;
  for (; i + 4 <= n; i += 4) if (a.getUint32(aFrom + i) !== b.getUint32(bFrom + i)) return false;
  for (; i < n; i++) if (a.getUint8(aFrom + i) !== b.getUint8(bFrom + i)) return false;
  return true;
}
