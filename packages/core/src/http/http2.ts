// HTTP/2 requests from the HEADERS and CONTINUATION frames the kernel copied
// out of TLS writes (bpf/lib/tls.bpf.h), one HPACK table per connection.
// A connection is followed from its preface; one seen later, or a write cut
// by the kernel's bound, leaves its table unknown, and requests that need
// it are reported unknown (they fail every check) rather than guessed.
import { type HeaderField, HpackDecoder } from './hpack.js';
import { type HttpRequest, makeRequest } from './request.js';

const HEADERS = 0x1;
const CONTINUATION = 0x9;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const FRAME_HEADER = 9;
/** Connections followed per worker, at most (oldest forgotten first). */
const MAX_CONNECTIONS = 256;

const PSEUDO = new Set([':method', ':scheme', ':authority', ':path', 'host']);

interface Connection {
  hpack: HpackDecoder;
  /** A header block whose CONTINUATION frames are still to come. */
  pending?: { stream: number; fragments: Uint8Array[] };
}

/** The HTTP/2 connections of one worker and its children, by process and TLS connection. */
export class Http2Connections {
  private readonly connections = new Map<string, Connection>();

  /** The requests in one write's frames. `start`: the write began with the
   * connection preface; `cut`: the kernel's copy ended early. */
  requests(key: string, frames: Uint8Array, start: boolean, cut: boolean): HttpRequest[] {
    const connection = this.connection(key, start);
    const requests: HttpRequest[] = [];
    let at = 0;
    while (at + FRAME_HEADER <= frames.length) {
      const length = (frames[at]! << 16) | (frames[at + 1]! << 8) | frames[at + 2]!;
      const type = frames[at + 3]!;
      const flags = frames[at + 4]!;
      const stream = ((frames[at + 5]! & 0x7f) << 24) | (frames[at + 6]! << 16) | (frames[at + 7]! << 8) | frames[at + 8]!;
      const end = at + FRAME_HEADER + length;
      const whole = end <= frames.length;
      let payload = frames.subarray(at + FRAME_HEADER, Math.min(end, frames.length));
      at = end;
      if (type === HEADERS) {
        if (connection.pending) this.lose(connection, requests);
        const padding = flags & PADDED ? payload[0] ?? 0 : 0;
        payload = payload.subarray((flags & PADDED ? 1 : 0) + (flags & PRIORITY ? 5 : 0));
        if (whole) payload = payload.subarray(0, Math.max(0, payload.length - padding));
        connection.pending = { stream, fragments: [] };
      } else if (type !== CONTINUATION || !connection.pending || connection.pending.stream !== stream) {
        this.lose(connection, requests);
        continue;
      }
      connection.pending!.fragments.push(payload);
      if (!whole) break;
      if (flags & END_HEADERS) {
        requests.push(...this.block(connection, Buffer.concat(connection.pending!.fragments)));
        connection.pending = undefined;
      }
    }
    if (cut || at !== frames.length) {
      // The rest of the block, or of the write, was not copied: what it would
      // have done to the table is not known.
      if (connection.pending) requests.push(...this.block(connection, Buffer.concat(connection.pending.fragments)));
      connection.pending = undefined;
      connection.hpack.lose();
    }
    return requests;
  }

  /** A write on a connection whose frames the kernel could no longer follow
   * (a frame header split across writes, or more frames in one write than it
   * walks): whatever it sent is unknown, and so is the table from then on. */
  lost(key: string): HttpRequest[] {
    const connection = this.connection(key, false);
    connection.pending = undefined;
    connection.hpack.lose();
    return [unknownRequest('its HTTP/2 frames could not be followed (a frame header split across TLS writes, or more than 32 frames in one write)')];
  }

  private connection(key: string, start: boolean): Connection {
    let connection = this.connections.get(key);
    if (start || !connection) {
      connection = { hpack: new HpackDecoder(start) };
      this.connections.delete(key);
      this.connections.set(key, connection);
      if (this.connections.size > MAX_CONNECTIONS) this.connections.delete(this.connections.keys().next().value!);
    }
    return connection;
  }

  /** A block that will not be completed: its request, if any, is unknown. */
  private lose(connection: Connection, requests: HttpRequest[]): void {
    if (connection.pending) requests.push(unknownRequest('its HTTP/2 header block was cut'));
    connection.pending = undefined;
    connection.hpack.lose();
  }

  private block(connection: Connection, block: Uint8Array): HttpRequest[] {
    const { fields, complete } = connection.hpack.decode(block, (name) => PSEUDO.has(name));
    const request = requestOf(fields, complete);
    return request ? [request] : [];
  }
}

const unknownRequest = (why: string) => makeRequest({ scheme: 'https' }, why);

/** The request of a decoded block; none for a block without pseudo-headers (trailers). */
function requestOf(fields: HeaderField[], complete: boolean): HttpRequest | undefined {
  const get = (name: string) => fields.find((f) => f.name === name);
  const method = get(':method');
  const path = get(':path');
  const authority = get(':authority') ?? get('host');
  const parts = { method: method?.value, scheme: get(':scheme')?.value || 'https', authority: authority?.value, target: path?.value };
  if (parts.method !== undefined && parts.target !== undefined && parts.authority !== undefined) return makeRequest(parts);
  // A part is missing: it may sit in a table entry that was not seen, or after the cut.
  if (fields.some((f) => f.value === undefined)) return makeRequest(parts, 'its HTTP/2 header table was not followed from the start of the connection');
  if (!complete) return makeRequest(parts, 'its HTTP/2 header block was cut or could not be decoded');
  return method || path ? makeRequest(parts) : undefined;
}
