// Framing DNS over TCP from the kernel's segments: queries however the
// writes cut them, and fail-closed where a stream cannot be framed.
import { describe, expect, test } from 'vitest';
import { type DnsSegment, DnsStreams, STREAMS_MAX } from '../src/dns-stream.js';
import type { VivariumEvent } from '../src/events.js';
import { inet } from './helpers/events.js';

/** A query for `name` (A), its ID `id`. */
function message(name: string, id = 0x1234): Uint8Array {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

function prefixed(m: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
}

/** Feeds writes of one stream (each: its bytes, and optionally how many
 * were written when more than were copied); the events they make. */
function frame(writes: Array<Uint8Array | { bytes: Uint8Array; written: number; seq?: number }>, streams = new DnsStreams(), stream = 7, start = 1000): VivariumEvent[] {
  const out: VivariumEvent[] = [];
  let seq = start;
  for (const w of writes) {
    const { bytes, written, seq: at } = w instanceof Uint8Array ? { bytes: w, written: w.length, seq: undefined } : w;
    const segment: DnsSegment = {
      kind: 'dns_segment', timeNs: 1, pid: 10, tid: 10, child: false, result: written, errno: undefined, epoch: 1, truncated: false,
      server: inet('127.0.0.1', 53), stream, seq: at ?? seq, bytes,
    };
    streams.frame(segment, out);
    seq = ((at ?? seq) + Math.max(written, 0)) >>> 0;
  }
  return out;
}

const names = (events: VivariumEvent[]) => events.map((e) => (e.kind === 'dns' ? e.name : e.kind));

describe('DNS over TCP: one query per message, however the writes cut it', () => {
  test('a message written whole after its length', () => {
    expect(frame([prefixed(message('whole.test'))])).toMatchObject([{ kind: 'dns', name: 'whole.test', type: 'A', server: { text: '127.0.0.1:53' }, addressed: false, truncated: false }]);
  });

  test('the length written alone, then the message', () => {
    const m = message('split.test');
    expect(names(frame([prefixed(m).subarray(0, 2), m]))).toEqual(['split.test']);
  });

  test('a message whose ID reads as its length less two is still read from its start', () => {
    // The length went alone; read as a prefixed message, "x.allowed.test" would be "allowed.test".
    const m = message('x.allowed.test');
    const disguised = message('x.allowed.test', m.length - 2);
    expect(names(frame([prefixed(disguised).subarray(0, 2), disguised]))).toEqual(['x.allowed.test']);
  });

  test('a message in pieces: one query, when its last byte is written', () => {
    const bytes = prefixed(message('pieces.example.test'));
    const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 9), bytes.subarray(9, 20), bytes.subarray(20)];
    const events = frame(pieces);
    expect(names(events)).toEqual(['pieces.example.test']);
  });

  test('several messages in one write, and one across two', () => {
    const stream = Buffer.concat([prefixed(message('a.test')), prefixed(message('b.test')), prefixed(message('c.test'))]);
    expect(names(frame([stream.subarray(0, 40), stream.subarray(40)]))).toEqual(['a.test', 'b.test', 'c.test']);
  });

  test('a message longer than the bytes copied: its question is read, it is marked cut, the next follows', () => {
    const long = Buffer.concat([message('long.test'), new Uint8Array(700)]);
    const m = prefixed(long);
    const next = prefixed(message('after.test'));
    const events = frame([{ bytes: m.subarray(0, 512), written: m.length }, next]);
    expect(events).toMatchObject([{ name: 'long.test', truncated: true }, { name: 'after.test', truncated: false }]);
  });

  test('the sequence number wraps around', () => {
    const bytes = prefixed(message('wrap.test'));
    expect(names(frame([bytes.subarray(0, 5), bytes.subarray(5)], new DnsStreams(), 7, 2 ** 32 - 3))).toEqual(['wrap.test']);
  });

  test('a write of nothing (a failed call) changes nothing', () => {
    const bytes = prefixed(message('after-failure.test'));
    expect(names(frame([{ bytes, written: -11 }, bytes]))).toEqual(['after-failure.test']);
  });

  test('streams are framed apart', () => {
    const streams = new DnsStreams();
    const a = prefixed(message('a.test'));
    const b = prefixed(message('b.test'));
    const out = [...frame([a.subarray(0, 7)], streams, 1), ...frame([b.subarray(0, 3)], streams, 2, 50)];
    out.push(...frame([{ bytes: a.subarray(7), written: a.length - 7, seq: 1007 }], streams, 1), ...frame([{ bytes: b.subarray(3), written: b.length - 3, seq: 53 }], streams, 2));
    expect(names(out)).toEqual(['a.test', 'b.test']);
  });
});

describe('DNS over TCP: a stream that cannot be framed fails closed', () => {
  test('bytes it was not shown (another call, another thread): this write and every later one', () => {
    const bytes = prefixed(message('hidden.test'));
    const events = frame([bytes.subarray(0, 2), { bytes: bytes.subarray(4), written: bytes.length - 4, seq: 1004 }, prefixed(message('later.test'))]);
    expect(events.map((e) => e.kind)).toEqual(['unobservable', 'unobservable']);
    expect(events[0]).toMatchObject({ syscall: 'a write on a DNS-over-TCP stream', reason: expect.stringContaining('sendfile, splice, io_uring') });
  });

  test("a message's length in bytes that were not copied", () => {
    const stream = Buffer.concat([prefixed(message('first.test')), prefixed(message('second.test'))]);
    const events = frame([{ bytes: stream.subarray(0, 20), written: stream.length }]);
    expect(events.map((e) => e.kind)).toEqual(['dns', 'unobservable']);
    expect(events[1]).toMatchObject({ reason: expect.stringContaining('first 512 bytes or 4 buffers') });
  });

  test('a question cut by bytes not copied is a query whose name could not be read', () => {
    const bytes = prefixed(message('cut.example.test'));
    expect(frame([{ bytes: bytes.subarray(0, 20), written: bytes.length }])).toMatchObject([{ kind: 'dns', name: '', truncated: true }]);
  });

  test(`a stream forgotten in the middle of a message (past ${STREAMS_MAX} streams)`, () => {
    const streams = new DnsStreams();
    const half = prefixed(message('half.test')).subarray(0, 5);
    const out = frame([half], streams, 0);
    for (let i = 1; i <= STREAMS_MAX; i++) out.push(...frame([prefixed(message('full.test'))], streams, i));
    expect(out.filter((e) => e.kind === 'unobservable')).toMatchObject([{ reason: expect.stringContaining('was forgotten') }]);
    expect(out.filter((e) => e.kind === 'dns')).toHaveLength(STREAMS_MAX);
  });
});
