// HPACK (RFC 7541) header block decoding with the dynamic table of one
// HTTP/2 connection. Every field is decoded, since each may enter the table,
// but only the names asked for leave `decode`; the table itself (bounded by
// its size, 4096 octets unless the encoder says otherwise) stays in the
// worker's memory and is never recorded.
import { huffmanDecode } from './huffman.js';

export interface HeaderField {
  name: string;
  /** undefined: the field refers to a table entry that was not seen. */
  value: string | undefined;
}

/** RFC 7541, Appendix A: index 1 to 61. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

const ENTRY_OVERHEAD = 32;
const DEFAULT_TABLE_SIZE = 4096;

/** A block that cannot be decoded (cut short, or not HPACK). */
export class HpackError extends RangeError {
  override name = 'HpackError';
}

interface Entry {
  name: string | undefined;
  value: string | undefined;
  size: number;
}

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at >= this.bytes.length;
  }
  peek(): number {
    if (this.done) throw new HpackError('hpack: block ends within a field');
    return this.bytes[this.at]!;
  }
  /** An integer with an n-bit prefix (RFC 7541, 5.1). */
  integer(prefixBits: number): number {
    const max = 2 ** prefixBits - 1;
    let value = this.peek() & max;
    this.at++;
    if (value < max) return value;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.peek();
      this.at++;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new HpackError('hpack: integer too large');
  }
  /** A string literal (RFC 7541, 5.2): its text and its length in octets. */
  string(): { text: string; octets: number } {
    const huffman = (this.peek() & 0x80) !== 0;
    const length = this.integer(7);
    if (this.at + length > this.bytes.length) throw new HpackError('hpack: block ends within a string');
    const raw = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    const octets = huffman ? huffmanDecode(raw) : raw;
    return { text: Buffer.from(octets.buffer, octets.byteOffset, octets.length).toString('latin1'), octets: octets.length };
  }
}

/** The decoding side of one connection's header compression. */
export class HpackDecoder {
  /** Newest first, as indices 62, 63, ... count. */
  private entries: Entry[] = [];
  private size = 0;
  private maxSize = DEFAULT_TABLE_SIZE;
  /** The table is not known (a block was missed or cut): entries it held
   * before, and their number, are unknown from then on. */
  private lostEntries = false;

  constructor(known = true) {
    this.lostEntries = !known;
  }

  /** Whether the table is still followed exactly. */
  get known(): boolean {
    return !this.lostEntries;
  }

  /** From now on, the table is not known: a block was missed or cut. */
  lose(): void {
    // Entries seen so far now sit at indices shifted by what was missed.
    this.lostEntries = true;
    this.entries = [];
    this.size = 0;
  }

  /** The fields of one header block whose names `wanted` accepts, in order.
   * A block cut short: the fields before the cut, and the table lost. */
  decode(block: Uint8Array, wanted: (name: string) => boolean): { fields: HeaderField[]; complete: boolean } {
    const reader = new Reader(block);
    const fields: HeaderField[] = [];
    const keep = (name: string | undefined, value: string | undefined) => {
      // A name that is not known could be any name: kept as unknown.
      if (name === undefined) fields.push({ name: '?', value: undefined });
      else if (wanted(name)) fields.push({ name, value });
    };
    try {
      while (!reader.done) {
        const first = reader.peek();
        if (first & 0x80) {
          const entry = this.entry(reader.integer(7));
          keep(entry.name, entry.value);
        } else if ((first & 0xc0) === 0x40) {
          const { name, value, size } = this.literal(reader, 6);
          keep(name, value);
          this.insert({ name, value, size });
        } else if ((first & 0xe0) === 0x20) {
          this.maxSize = reader.integer(5);
          this.evict(0);
        } else {
          const { name, value } = this.literal(reader, 4);
          keep(name, value);
        }
      }
      return { fields, complete: true };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      this.lose();
      return { fields, complete: false };
    }
  }

  private literal(reader: Reader, prefixBits: number): Entry {
    const index = reader.integer(prefixBits);
    const name = index === 0 ? reader.string() : undefined;
    const value = reader.string();
    if (name) return { name: name.text.toLowerCase(), value: value.text, size: name.octets + value.octets + ENTRY_OVERHEAD };
    const entry = this.entry(index);
    const nameOctets = entry.name === undefined ? undefined : Buffer.byteLength(entry.name, 'latin1');
    return { name: entry.name, value: value.text, size: nameOctets === undefined ? Number.NaN : nameOctets + value.octets + ENTRY_OVERHEAD };
  }

  private entry(index: number): Entry {
    if (index === 0) throw new HpackError('hpack: index 0');
    if (index <= STATIC_TABLE.length) {
      const [name, value] = STATIC_TABLE[index - 1]!;
      return { name, value, size: 0 };
    }
    const entry = this.entries[index - STATIC_TABLE.length - 1];
    if (entry) return entry;
    if (this.lostEntries) return { name: undefined, value: undefined, size: Number.NaN };
    throw new HpackError(`hpack: index ${index} is beyond the table`);
  }

  private insert(entry: Entry): void {
    if (Number.isNaN(entry.size)) {
      // Its size is not known, so neither is what it evicts.
      this.lose();
      return;
    }
    this.evict(entry.size);
    if (entry.size <= this.maxSize) {
      this.entries.unshift(entry);
      this.size += entry.size;
    }
  }

  /** Oldest entries out until `room` more octets fit. */
  private evict(room: number): void {
    while (this.entries.length && this.size + room > this.maxSize) this.size -= this.entries.pop()!.size;
  }
}
