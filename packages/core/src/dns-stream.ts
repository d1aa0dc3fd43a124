// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): every message after its
// two-byte length, on a stream whose writes need not follow its messages —
// the length written alone, a message in pieces, several in one write. The
// kernel reports each write on a stream to a DNS port as a segment (its
// first bytes, how many were written, the TCP sequence number of the first);
// this frames each stream's segments into the queries they complete. Where
// a stream can no longer be framed (bytes it was not shown, or shown only in
// part before a message's length) every later write on it fails closed.
import { decodeDnsQuestion } from './dns-message.js';
import type { DnsEvent, UnobservableEvent, VivariumEvent } from './events.js';

/** A write on a TCP stream to a DNS port, before framing. `result`: the
 * bytes written; `bytes`: the first of them (the rest were not copied). */
export interface DnsSegment extends Omit<DnsEvent, 'kind' | 'name' | 'type' | 'addressed'> {
  kind: 'dns_segment';
  /** The stream: its socket's inode. */
  stream: number;
  /** TCP sequence number of the first byte written. */
  seq: number;
  bytes: Uint8Array;
}

/** Bytes of a message kept: its question ends within 12 + 255 + 4. */
const MESSAGE_KEPT = 512;
/** Streams remembered, least recently written forgotten first. */
export const STREAMS_MAX = 1024;
const SYSCALL = 'a write on a DNS-over-TCP stream';

const UNSEEN_BYTES =
  'bytes on this DNS-over-TCP stream were sent by a call whose bytes Vivarium does not see (sendfile, splice, io_uring) or by two threads at once: its queries can no longer be read (send each query with write, writev or sendmsg from one thread)';
const UNCOPIED_LENGTH =
  'a write on this DNS-over-TCP stream put a query\'s length after its first 512 bytes or 4 buffers, which are all the kernel copies: its queries can no longer be read (write each query by itself)';
const FORGOTTEN = `more than ${STREAMS_MAX} DNS-over-TCP streams were written at once, and this one, in the middle of a query, was forgotten: its queries can no longer be read`;

interface Stream {
  /** Sequence number the next write must start at. */
  next: number;
  /** Why it can no longer be framed. */
  lost: string | undefined;
  /** Length bytes read of the next message (0..1), and their value so far. */
  lengthRead: number;
  length: number;
  /** The current message's length. */
  messageLength: number;
  /** Bytes of the current message still to come; -1 while its length is read. */
  remaining: number;
  /** The current message's first bytes, how many are kept, and whether a
   * byte was not copied (none after it is kept: they would not follow on). */
  kept: Uint8Array;
  keptLength: number;
  gap: boolean;
}

/** One worker's DNS-over-TCP streams. */
export class DnsStreams {
  private readonly streams = new Map<number, Stream>();

  /** Appends to `out` the events `segment` makes: a dns event per message
   * it ends, or an unobservable event when its stream cannot be framed. */
  frame(segment: DnsSegment, out: VivariumEvent[]): void {
    if (segment.result <= 0) return; // nothing was written
    let stream = this.streams.get(segment.stream);
    if (stream) this.streams.delete(segment.stream); // set again below: the most recent last
    else stream = { next: segment.seq, lost: undefined, lengthRead: 0, length: 0, messageLength: 0, remaining: -1, kept: new Uint8Array(MESSAGE_KEPT), keptLength: 0, gap: false };
    this.streams.set(segment.stream, stream);
    this.forgetOldest(segment, out);

    if (!stream.lost && segment.seq !== stream.next) stream.lost = UNSEEN_BYTES;
    if (stream.lost) {
      out.push(unframed(segment, stream.lost));
      return;
    }
    stream.next = (segment.seq + segment.result) >>> 0;
    const { bytes, result: written } = segment;
    const copied = Math.min(bytes.length, written);
    for (let at = 0; at < written; ) {
      if (stream.remaining < 0) {
        if (at >= copied) {
          stream.lost = UNCOPIED_LENGTH;
          out.push(unframed(segment, stream.lost));
          return;
        }
        stream.length = stream.length * 256 + bytes[at++]!;
        if (++stream.lengthRead < 2) continue;
        stream.remaining = stream.messageLength = stream.length;
        stream.lengthRead = stream.length = stream.keptLength = 0;
        stream.gap = false;
      }
      const take = Math.min(stream.remaining, written - at);
      if (!stream.gap) {
        const known = Math.max(0, Math.min(take, copied - at));
        const keep = Math.min(known, MESSAGE_KEPT - stream.keptLength);
        stream.kept.set(bytes.subarray(at, at + keep), stream.keptLength);
        stream.keptLength += keep;
        stream.gap = known < take;
      }
      at += take;
      stream.remaining -= take;
      if (stream.remaining === 0) {
        out.push(query(segment, stream.kept.subarray(0, stream.keptLength), stream.keptLength < stream.messageLength));
        stream.remaining = -1;
      }
    }
  }

  /** Past STREAMS_MAX the least recently written stream is forgotten: one
   * in the middle of a message fails closed now (its next write would be
   * read as starting one). */
  private forgetOldest(segment: DnsSegment, out: VivariumEvent[]): void {
    if (this.streams.size <= STREAMS_MAX) return;
    const [id, oldest] = this.streams.entries().next().value as [number, Stream];
    this.streams.delete(id);
    if (!oldest.lost && (oldest.remaining >= 0 || oldest.lengthRead > 0)) out.push(unframed(segment, FORGOTTEN));
  }
}

function query(segment: DnsSegment, message: Uint8Array, cut: boolean): DnsEvent {
  const question = decodeDnsQuestion(message);
  const { timeNs, pid, tid, child, result, errno, epoch, server } = segment;
  return {
    kind: 'dns', timeNs, pid, tid, child, result, errno, epoch,
    truncated: cut,
    name: question?.name ?? '',
    type: question?.type ?? '',
    server,
    addressed: false,
  };
}

function unframed(segment: DnsSegment, reason: string): UnobservableEvent {
  const { timeNs, pid, tid, child, result, errno, epoch } = segment;
  return { kind: 'unobservable', timeNs, pid, tid, child, result, errno, epoch, truncated: false, syscall: SYSCALL, reason };
}
