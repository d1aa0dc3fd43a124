// Reads a BPF ring buffer straight from its memory, with no FFI call per
// record: the consumer page (read-write) holds our position, the producer
// page and the twice-mapped data area (read-only) follow at one page.
// Records are an 8-byte header (length, busy bit 31, discard bit 30) and the
// sample, 8-byte aligned; the double mapping keeps wrapped records contiguous.
import { VivariumError } from './errors.js';
import { PAGE_SIZE, mapShared } from './shared-memory.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HEADER = 8;

/** Called with the ring's data view and a sample's [offset, offset+length). */
export type RecordSink = (view: DataView, offset: number, length: number) => void;

/** A ring's memory: the consumer position, and the producer page followed
 * by the data area mapped twice (2 * size bytes). */
export interface RingMemory {
  consumer: BigUint64Array;
  area: ArrayBuffer;
  size: number;
}

export class RingReader {
  readonly size: number;
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly data: DataView;
  private readonly mask: number;
  private closed = false;

  private constructor(memory: RingMemory, private readonly release: () => void) {
    if (memory.size < PAGE_SIZE || (memory.size & (memory.size - 1)) !== 0)
      throw new VivariumError(`ring: size ${memory.size} is not a power of two of at least ${PAGE_SIZE}`);
    this.size = memory.size;
    this.mask = memory.size - 1;
    this.consumer = memory.consumer;
    this.producer = new BigUint64Array(memory.area, 0, 1);
    this.data = new DataView(memory.area);
  }

  /** Maps the ring buffer map `fd` of `size` bytes (vivariumd said how big). */
  static map(fd: number, size: number): RingReader {
    const consumerPage = mapShared(fd, PAGE_SIZE, 0, true, 'the ring consumer page');
    let area;
    try {
      area = mapShared(fd, PAGE_SIZE + 2 * size, PAGE_SIZE, false, 'the ring data');
    } catch (err) {
      consumerPage.unmap();
      throw err;
    }
    const memory = { consumer: new BigUint64Array(consumerPage.buffer, 0, 1), area: area.buffer, size };
    return new RingReader(memory, () => {
      consumerPage.unmap();
      area.unmap();
    });
  }

  /** A reader over memory laid out as a ring (tests build rings by hand). */
  static overMemory(memory: RingMemory): RingReader {
    return new RingReader(memory, () => {});
  }

  /** Bytes written and not yet consumed. */
  pending(): number {
    return Number(this.producer[0]! - this.consumer[0]!);
  }

  /** Hands every committed record to `sink`, oldest first; returns how many. */
  consume(sink: RecordSink): number {
    if (this.closed) throw new VivariumError('ring: read after close');
    let cons = Number(this.consumer[0]!);
    const prod = Number(this.producer[0]!);
    let count = 0;
    try {
      while (cons < prod) {
        const at = PAGE_SIZE + (cons & this.mask);
        const header = this.data.getUint32(at, true);
        if (header & BUSY) break; // still being written: leave it for the next read
        const length = header & ~(BUSY | DISCARD);
        // Step past the record first: a sink that throws must not wedge the ring.
        cons += (length + HEADER + 7) & ~7;
        if (!(header & DISCARD)) {
          count++;
          sink(this.data, at + HEADER, length);
        }
      }
    } finally {
      this.consumer[0] = BigInt(cons);
    }
    return count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }
}
