// Builds ring records byte by byte from the generated layout, for decoder tests.
import { KindCode, Layout } from '../../src/abi.generated.js';

const E = Layout.viv_event;

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
  ts?: bigint;
  fields?: [string?, string?, string?, (string | Uint8Array)?];
}

export function buildRecord(r: RecordFields = {}): Uint8Array {
  const encoded = [0, 1, 2, 3].map((i) => {
    const f = r.fields?.[i];
    return f instanceof Uint8Array ? f : Buffer.from(f ?? '', 'utf8');
  });
  const total = E.size + encoded.reduce((n, b) => n + b.length, 0);
  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(E.ts_ns.offset, r.ts ?? 123n, true);
  dv.setUint32(E.tgid.offset, r.tgid ?? 100, true);
  dv.setUint32(E.tid.offset, r.tid ?? 101, true);
  dv.setUint32(E.epoch.offset, r.epoch ?? 1, true);
  dv.setUint16(E.kind.offset, r.kind ?? KindCode.FILE_OPEN, true);
  dv.setUint16(E.flags.offset, r.flags ?? 0, true);
  dv.setInt32(E.result.offset, r.result ?? 3, true);
  dv.setUint32(E.open_flags.offset, r.openFlags ?? 0, true);
  dv.setUint32(E.mode.offset, r.mode ?? 0, true);
  dv.setUint32(E.aux.offset, r.aux ?? 0, true);
  let at = E.size;
  encoded.forEach((b, i) => {
    dv.setUint16(E.len.offset + 2 * i, b.length, true);
    bytes.set(b, at);
    at += b.length;
  });
  return bytes;
}

export const asView = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
