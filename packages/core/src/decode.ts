// Pure decoding of ring records (bytes in, typed events out), tested on bytes.
import { posix } from 'node:path';
import { EventFlag, Layout } from './abi.generated.js';
import { DecodeError, errnoName } from './errors.js';
import { type EventKind, KIND_NAMES, type OpenAccess, type VivariumEvent } from './events.js';

const E = Layout.viv_event;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const ACCESS: readonly OpenAccess[] = ['read', 'write', 'read-write', 'read-write'];
const TRUNCATED = EventFlag.TRUNCATED_PATH | EventFlag.TRUNCATED_REQUESTED | EventFlag.TRUNCATED_BASE | EventFlag.TRUNCATED_EXTRA;

/** `requested` made absolute against `base` (when relative) and normalised. */
export function absoluteRequested(requested: string, base: string): string {
  if (requested.startsWith('/')) return posix.normalize(requested);
  if (base === '' || requested === '') return requested;
  return posix.join(base, requested);
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

/** Decodes the record at `view[offset, offset + length)`. Throws DecodeError on malformed input. */
export function decodeEvent(view: DataView, offset: number, length: number): VivariumEvent {
  if (length < E.size) throw new DecodeError(`decode: record of ${length} bytes is shorter than the ${E.size}-byte header`);
  if (offset < 0 || offset + length > view.byteLength) throw new DecodeError(`decode: record at ${offset}+${length} is outside its buffer`);
  const kindCode = view.getUint16(offset + E.kind.offset, true);
  const kind: EventKind | undefined = KIND_NAMES.get(kindCode);
  if (kind === undefined) throw new DecodeError(`decode: unknown event kind ${kindCode} (a newer daemon? check vivariumd status)`);

  // Field boundaries.
  const bounds: number[] = [];
  let at = E.size;
  for (let i = 0; i < E.len.count; i++) {
    const len = view.getUint16(offset + E.len.offset + 2 * i, true);
    bounds.push(at);
    at += len;
  }
  bounds.push(at);
  if (at > length) throw new DecodeError(`decode: fields need ${at} bytes, record has ${length}`);
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
  const field = (i: number) => text(bytes, bounds[i]!, bounds[i + 1]!);

  const result = view.getInt32(offset + E.result.offset, true);
  const flags = view.getUint16(offset + E.flags.offset, true);
  const aux = view.getUint32(offset + E.aux.offset, true);
  const base = {
    timeNs: Number(view.getBigUint64(offset + E.ts_ns.offset, true)),
    pid: view.getUint32(offset + E.tgid.offset, true),
    tid: view.getUint32(offset + E.tid.offset, true),
    child: (flags & EventFlag.CHILD) !== 0,
    result,
    errno: result < 0 ? errnoName(result) : undefined,
    epoch: view.getUint32(offset + E.epoch.offset, true),
    truncated: (flags & TRUNCATED) !== 0,
  };

  switch (kind) {
    case 'file_open': {
      const openFlags = view.getUint32(offset + E.open_flags.offset, true);
      const requested = field(1);
      const requestedPath = absoluteRequested(requested, field(2));
      const resolved = field(0);
      return {
        ...base,
        kind,
        path: resolved !== '' ? resolved : requestedPath,
        requestedPath,
        requested,
        flags: openFlags,
        mode: view.getUint32(offset + E.mode.offset, true),
        access: ACCESS[openFlags & O_ACCMODE]!,
        create: (openFlags & O_CREAT) !== 0,
        truncate: (openFlags & O_TRUNC) !== 0,
        append: (openFlags & O_APPEND) !== 0,
      };
    }
    case 'fork':
      return { ...base, kind, childPid: aux };
    case 'exit':
      return { ...base, kind, status: aux };
    default: {
      const requested = field(1);
      return {
        ...base,
        kind,
        path: field(0) || absoluteRequested(requested, field(2)),
        requested,
        extra: bytes.slice(bounds[3]!, bounds[4]!),
        aux,
      };
    }
  }
}
