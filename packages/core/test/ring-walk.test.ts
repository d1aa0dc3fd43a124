// The ring reader's walk over a fake ring (no kernel, no mmap): a data area
// mapped "twice" like the kernel's, records written the way the kernel
// writes them. Wrapped records arrive whole, busy ones wait, discarded ones
// are skipped, and no header, however hostile, makes the walk hang.
import { describe, expect, test } from 'vitest';
// The reader is internal to @vivarium/core (workers get it from Worker.register).
import { RingReader } from '../src/ring-reader.js';

const PAGE = 4096;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/** A RingReader over plain memory, and a producer writing into it like BPF. */
function fakeRing(size: number) {
  // The producer page, then the data area "mapped twice", as the kernel lays out a ring's mmap.
  const area = new ArrayBuffer(PAGE + 2 * size);
  const bytes = new Uint8Array(area);
  const consumer = new BigUint64Array(1);
  const producer = new BigUint64Array(area, 0, 1);
  const reader = RingReader.overMemory({ consumer, area, size });
  // The kernel maps the data pages twice in a row: a byte at i is also at i + size.
  const put = (pos: number, value: number) => {
    const at = pos & (size - 1);
    bytes[PAGE + at] = value;
    bytes[PAGE + size + at] = value;
  };
  const putU32 = (pos: number, value: number) => {
    for (let i = 0; i < 4; i++) put(pos + i, (value >>> (8 * i)) & 0xff);
  };
  let prod = 0;
  return {
    reader,
    consumer,
    /** Appends a record; returns its position so a test can flip its header later. */
    write(sample: Uint8Array, flags = 0): number {
      const at = prod;
      putU32(at, sample.length | flags);
      putU32(at + 4, 0); // page offset word, unused by readers
      sample.forEach((b, i) => put(at + 8 + i, b));
      prod += (sample.length + 8 + 7) & ~7;
      producer[0] = BigInt(prod);
      return at;
    },
    setHeader(at: number, value: number) {
      putU32(at, value);
    },
    free: () => size - (prod - Number(consumer[0])),
    /** Raw header word, for hostile tests: claims any length. */
    writeRaw(header: number, advance: number) {
      putU32(prod, header);
      prod += advance;
      producer[0] = BigInt(prod);
    },
  };
}

const read = (reader: RingReader) => {
  const samples: number[][] = [];
  reader.consume((view, offset, length) => samples.push([...new Uint8Array(view.buffer, offset, length)]));
  return samples;
};

const sampleOf = (n: number, length: number) => Uint8Array.from({ length }, (_, i) => (n * 31 + i) & 0xff);

describe('RingReader walk', () => {
  test('a record that wraps past the end of the data area arrives whole', () => {
    const ring = fakeRing(4096);
    ring.write(sampleOf(0, 4000));
    expect(read(ring.reader)).toEqual([[...sampleOf(0, 4000)]]);
    ring.write(sampleOf(1, 200)); // starts at 4008, ends past 4096
    expect(read(ring.reader)).toEqual([[...sampleOf(1, 200)]]);
  });

  test('a busy record stops the walk until it is committed; a discarded one is skipped', () => {
    const ring = fakeRing(4096);
    ring.write(sampleOf(1, 10));
    const busy = ring.write(sampleOf(2, 20), BUSY);
    ring.write(sampleOf(3, 30));
    expect(read(ring.reader)).toEqual([[...sampleOf(1, 10)]]);
    expect(read(ring.reader)).toEqual([]);
    ring.setHeader(busy, 20 | DISCARD);
    expect(read(ring.reader)).toEqual([[...sampleOf(3, 30)]]);
    expect(ring.reader.pending()).toBe(0);
  });

  test('fuzz: random sizes, discards and drain points deliver every committed record once, in order', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (const size of [4096, 8192, 65536]) {
      const ring = fakeRing(size);
      const expected: number[][] = [];
      const got: number[][] = [];
      for (let n = 0; n < 5000; n++) {
        const length = random() % 600;
        if (ring.free() < length + 16) got.push(...read(ring.reader)); // the kernel would drop: drain instead
        const discard = random() % 7 === 0;
        ring.write(sampleOf(n, length), discard ? DISCARD : 0);
        if (!discard) expected.push([...sampleOf(n, length)]);
        if (random() % 5 === 0) got.push(...read(ring.reader));
      }
      got.push(...read(ring.reader));
      expect(got.length).toBe(expected.length);
      expect(got).toEqual(expected);
      expect(ring.reader.pending()).toBe(0);
    }
  }, 30_000); // 1-2 s alone; CPU-bound, so beside a busy machine (a VM run) it passed 5 s

  // consume() steps past a record before handing it out, so a sink that
  // throws cannot wedge the ring (Worker.drain counts it as lost).
  test('a record the sink refuses is consumed, not handed out again on every drain', () => {
    const ring = fakeRing(4096);
    ring.write(sampleOf(1, 10));
    ring.write(sampleOf(2, 20));
    ring.write(sampleOf(3, 30));
    const lengths: number[] = [];
    const sink = (_view: DataView, _offset: number, length: number) => {
      if (length === 20) throw new Error('undecodable');
      lengths.push(length);
    };
    expect(() => ring.reader.consume(sink)).toThrow('undecodable');
    ring.reader.consume(sink); // the bad record is behind the consumer now
    expect(lengths).toEqual([10, 30]);
    expect(ring.reader.pending()).toBe(0);
  });

  test('a ring size that is not a power of two of at least a page is refused', () => {
    for (const size of [1000, 4096 + 8, 2048])
      expect(() => RingReader.overMemory({ consumer: new BigUint64Array(1), area: new ArrayBuffer(PAGE + 2 * size), size })).toThrow(
        `ring: size ${size} is not a power of two of at least ${PAGE}`,
      );
  });

  test('a closed reader refuses to read', () => {
    const ring = fakeRing(4096);
    ring.reader.close();
    expect(() => ring.reader.consume(() => {})).toThrow('ring: read after close');
  });

  test('fuzz: hostile headers never hang the walk and never hand out a range outside the mapping', () => {
    let seed = 99;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let round = 0; round < 2000; round++) {
      const size = 4096;
      const ring = fakeRing(size);
      for (let i = 0; i < 1 + (random() % 20); i++) ring.writeRaw((random() * 2 + (random() & 1)) >>> 0, 8 * (1 + (random() % 64)));
      let calls = 0;
      const count = ring.reader.consume((view, offset, length) => {
        calls++;
        expect(offset).toBeGreaterThanOrEqual(PAGE + 8);
        expect(offset).toBeLessThan(PAGE + size + 8);
        // A length past the mapping is the decoder's to refuse (DecodeError); the walk only must not loop.
        expect(length).toBeGreaterThanOrEqual(0);
        expect(view.byteLength).toBe(PAGE + 2 * size);
      });
      expect(count).toBe(calls);
      expect(calls).toBeLessThanOrEqual(20);
    }
  });
});
