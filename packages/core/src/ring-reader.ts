// Reads a BPF ring buffer straight from its mmap, with no FFI call per
// record: the consumer page (read-write) holds our position, the producer
// page and the twice-mapped data area (read-only) follow at one page.
// Records are an 8-byte header (length, busy bit 31, discard bit 30) and the
// sample, 8-byte aligned; the double mapping keeps wrapped records contiguous.
import { VivariumError } from './errors.js';
import { mapInfo } from './pinned-map.js';
import { MapType } from './map-spec.js';
import { addressOf, loadLibc, viewOf } from './native.js';

const PAGE = 4096; // x86-64; the kernel requires page-aligned ring offsets
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HEADER = 8;
const MADV_DONTFORK = 10;

/** Called with the ring's data view and a sample's [offset, offset+length). */
export type RecordSink = (view: DataView, offset: number, length: number) => void;

export class RingReader {
  readonly size: number;
  private readonly consumerPtr: unknown;
  private readonly producerPtr: unknown;
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly data: DataView;
  private readonly mask: number;
  private closed = false;

  constructor(readonly fd: number) {
    const info = mapInfo(fd);
    if (info.type !== MapType.RINGBUF) throw new VivariumError(`ring: fd ${fd} is not a ring buffer (map type ${info.type})`);
    this.size = info.maxEntries;
    this.mask = this.size - 1;
    const libc = loadLibc();
    this.consumerPtr = libc.mmap(null, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addressOf(this.consumerPtr) === MAP_FAILED) throw new VivariumError('ring: mmap of the consumer page failed');
    const dataLength = PAGE + 2 * this.size;
    this.producerPtr = libc.mmap(null, dataLength, PROT_READ, MAP_SHARED, fd, PAGE);
    if (addressOf(this.producerPtr) === MAP_FAILED) {
      libc.munmap(this.consumerPtr, PAGE);
      throw new VivariumError('ring: mmap of the data area failed');
    }
    // Children never need the ring; without this every fork copies the
    // mapping's page tables and every exec tears them down (~75 µs per MiB).
    libc.madvise(this.consumerPtr, PAGE, MADV_DONTFORK);
    libc.madvise(this.producerPtr, dataLength, MADV_DONTFORK);
    this.consumer = new BigUint64Array(viewOf(this.consumerPtr, PAGE), 0, 1);
    const producerArea = viewOf(this.producerPtr, dataLength);
    this.producer = new BigUint64Array(producerArea, 0, 1);
    this.data = new DataView(producerArea);
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
        const at = PAGE + (cons & this.mask);
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
    const libc = loadLibc();
    libc.munmap(this.consumerPtr, PAGE);
    libc.munmap(this.producerPtr, PAGE + 2 * this.size);
  }
}
