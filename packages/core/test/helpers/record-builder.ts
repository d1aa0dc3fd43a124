// Builds ring records from their parts through the generated codec, for decoder tests.
import { EventHeaderCodec, KindCode } from '../../src/abi.generated.js';

export interface RecordFields {
  kind?: number;
  tgid?: number;
  tid?: number;
  epoch?: number;
  flags?: number;
  result?: number;
  openFlags?: number;
  mode?: number;
  aux?: number;
  dev?: number;
  ts?: bigint;
  fields?: [string?, string?, string?, (string | Uint8Array)?];
}

export function buildRecord(r: RecordFields = {}): Uint8Array {
  const encoded = [0, 1, 2, 3].map((i) => {
    const f = r.fields?.[i];
    return f instanceof Uint8Array ? f : Buffer.from(f ?? '', 'utf8');
  });
  const bytes = new Uint8Array(EventHeaderCodec.size + encoded.reduce((n, b) => n + b.length, 0));
  EventHeaderCodec.encode(
    {
      tsNs: r.ts ?? 123n,
      tgid: r.tgid ?? 100,
      tid: r.tid ?? 101,
      epoch: r.epoch ?? 1,
      kind: r.kind ?? KindCode.FILE_OPEN,
      flags: r.flags ?? 0,
      result: r.result ?? 3,
      openFlags: r.openFlags ?? 0,
      mode: r.mode ?? 0,
      aux: r.aux ?? 0,
      dev: r.dev ?? 0,
      reserved: 0,
      len: encoded.map((b) => b.length),
    },
    new DataView(bytes.buffer),
  );
  let at = EventHeaderCodec.size;
  for (const b of encoded) {
    bytes.set(b, at);
    at += b.length;
  }
  return bytes;
}

export const asView = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
