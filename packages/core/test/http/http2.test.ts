import { describe, expect, test } from 'vitest';
import { Http2Connections } from '../../src/http/http2.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** One frame: 9-byte header, then the payload. */
function frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream, 5);
  return Buffer.concat([header, payload]);
}
const HEADERS = 1;
const CONTINUATION = 9;
const END_HEADERS = 4;
const PADDED = 8;
const PRIORITY = 0x20;

// :method GET, :scheme https, :path /v1/items (literal, indexed name 4), :authority api.example.test (literal, incremental indexing)
const first = hex('82 87 04 09 2f76 312f 6974 656d 73 41 10 6170 692e 6578 616d 706c 652e 7465 7374');
// :method POST, :scheme https, :path /v1/upload?token=x, :authority from the dynamic table (62)
const second = hex('83 87 04 12 2f76 312f 7570 6c6f 6164 3f74 6f6b 656e 3d78 be');
const texts = (requests: Array<{ text: string; unknown?: string }>) => requests.map((r) => (r.unknown ? `unknown: ${r.unknown}` : r.text));

describe('Http2Connections', () => {
  test('requests of a connection followed from its preface; the query is cut off', () => {
    const connections = new Http2Connections();
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 1, first), true, false))).toEqual(['GET https://api.example.test/v1/items']);
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 3, second), false, false))).toEqual(['POST https://api.example.test/v1/upload']);
  });

  test('a write of only the preface and settings starts the connection and requests nothing', () => {
    const connections = new Http2Connections();
    expect(connections.requests('1:a', new Uint8Array(), true, false)).toEqual([]);
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 1, first), false, false))).toEqual(['GET https://api.example.test/v1/items']);
  });

  test('connections are told apart: another connection has its own table', () => {
    const connections = new Http2Connections();
    connections.requests('1:a', frame(HEADERS, END_HEADERS, 1, first), true, false);
    connections.requests('1:b', new Uint8Array(), true, false);
    expect(texts(connections.requests('1:b', frame(HEADERS, END_HEADERS, 1, second), false, false))).toEqual([
      'unknown: its HTTP/2 header block was cut or could not be decoded',
    ]);
  });

  test('a connection seen after its start: a request that needs the table is unknown, never guessed', () => {
    const connections = new Http2Connections();
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 3, second), false, false))).toEqual([
      'unknown: its HTTP/2 header table was not followed from the start of the connection',
    ]);
    // One wholly literal still decodes.
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 5, first), false, false))).toEqual(['GET https://api.example.test/v1/items']);
  });

  test('padding, priority and CONTINUATION frames', () => {
    const connections = new Http2Connections();
    const padded = Buffer.concat([Buffer.from([3]), Buffer.alloc(5), first.subarray(0, 10), Buffer.alloc(3)]);
    const write = Buffer.concat([frame(HEADERS, PADDED | PRIORITY, 1, padded), frame(CONTINUATION, END_HEADERS, 1, first.subarray(10))]);
    expect(texts(connections.requests('1:a', write, true, false))).toEqual(['GET https://api.example.test/v1/items']);
  });

  test('a header block continued in the next write', () => {
    const connections = new Http2Connections();
    expect(connections.requests('1:a', frame(HEADERS, 0, 1, first.subarray(0, 12)), true, false)).toEqual([]);
    expect(texts(connections.requests('1:a', frame(CONTINUATION, END_HEADERS, 1, first.subarray(12)), false, false))).toEqual([
      'GET https://api.example.test/v1/items',
    ]);
  });

  test('a write the kernel cut: what was read is used, then the table is lost', () => {
    const connections = new Http2Connections();
    const cut = frame(HEADERS, END_HEADERS, 1, first).subarray(0, 9 + 14);
    expect(texts(connections.requests('1:a', cut, true, true))).toEqual(['unknown: its HTTP/2 header block was cut or could not be decoded']);
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 3, second), false, false))).toEqual([
      'unknown: its HTTP/2 header table was not followed from the start of the connection',
    ]);
  });

  test('a connection whose frames the kernel lost: each write is an unknown request, and the table is lost', () => {
    const connections = new Http2Connections();
    connections.requests('1:a', frame(HEADERS, END_HEADERS, 1, first), true, false);
    expect(texts(connections.lost('1:a'))).toEqual([expect.stringContaining('unknown: its HTTP/2 frames could not be followed')]);
    expect(texts(connections.requests('1:a', frame(HEADERS, END_HEADERS, 3, second), false, false))).toEqual([
      'unknown: its HTTP/2 header table was not followed from the start of the connection',
    ]);
  });

  test('trailers (no pseudo-headers) are no request', () => {
    const connections = new Http2Connections();
    // grpc-status: 0 as a literal without indexing
    expect(connections.requests('1:a', frame(HEADERS, END_HEADERS, 1, hex('00 0b 6772 7063 2d73 7461 7475 73 01 30')), true, false)).toEqual([]);
  });
});
