#!/usr/bin/env node
// Experiment behind a proposed change to packages/core/src/decode.ts (not the
// bench's to edit): decodes the same synthetic ring of file_open records with
// the shipped decodeEvent and with two variants, checks that all three give
// deep-equal events, and prints events/s for each (interleaved, medians).
//   node bench/experiments/decode-variants.mjs [EVENTS] [ROUNDS]
//   A  shipped decodeEvent
//   B  + when PATH and REQUESTED hold the same bytes and BASE is empty (an
//        absolute request of a path with no symlink on it: the common case),
//        decode one string for path/requestedPath/requested and skip the
//        normalisation check (a path the kernel walk built is normal)
//   C  B + Buffer#utf8Slice(start, end) instead of toString('utf8', start, end)
import { deepStrictEqual } from 'node:assert';
import { Layout, decodeEvent } from '@vivarium/core';

const E = Layout.viv_event;
const N = Number(process.argv[2] ?? 150_000);
const ROUNDS = Number(process.argv[3] ?? 7);

// A ring-like buffer: 8-byte record headers, records 8-aligned.
function buildRing(n) {
  const enc = new TextEncoder();
  const shapes = [
    { path: '/tmp/vivarium-bench-1234/node_modules/some-package/lib/index.js', requested: '/tmp/vivarium-bench-1234/node_modules/some-package/lib/index.js', base: '', result: 23 },
    { path: '/work/project/src/config/app.json', requested: 'src/config/app.json', base: '/work/project', result: 24 },
    { path: '', requested: '/work/project/node_modules/missing/package.json', base: '', result: -2 },
  ];
  const mix = process.env.MIX === '1' ? [0, 0, 0, 0, 0, 0, 0, 1, 1, 2] : [0];
  const buf = new ArrayBuffer(n * 256);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const records = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const s = shapes[mix[i % mix.length]];
    const fields = [s.path, s.requested, s.base, ''].map((f) => enc.encode(f));
    const length = E.size + fields.reduce((a, f) => a + f.length, 0);
    dv.setUint32(at, length, true);
    const o = at + 8;
    dv.setUint32(o + E.ts_ns.offset, i, true);
    dv.setUint32(o + E.tgid.offset, 1234, true);
    dv.setUint32(o + E.tid.offset, 1234, true);
    dv.setUint32(o + E.epoch.offset, 1, true);
    dv.setUint16(o + E.kind.offset, 1, true);
    dv.setInt32(o + E.result.offset, s.result, true);
    dv.setUint32(o + E.open_flags.offset, 0o2000000, true);
    let f = o + E.size;
    fields.forEach((bytes, k) => {
      dv.setUint16(o + E.len.offset + 2 * k, bytes.length, true);
      u8.set(bytes, f);
      f += bytes.length;
    });
    records.push([o, length]);
    at += (length + 8 + 7) & ~7;
  }
  return { dv, records };
}

function makeVariant(utf8Slice) {
  const buffers = new WeakMap();
  const bufferOf = (view) => {
    let b = buffers.get(view.buffer);
    if (!b) buffers.set(view.buffer, (b = Buffer.from(view.buffer)));
    return b;
  };
  const str = utf8Slice ? (b, s, e) => b.utf8Slice(s, e) : (b, s, e) => b.toString('utf8', s, e);
  return (view, offset, length) => {
    const kind = view.getUint16(offset + E.kind.offset, true);
    const l0 = view.getUint16(offset + E.len.offset, true);
    const l1 = view.getUint16(offset + E.len.offset + 2, true);
    const l2 = view.getUint16(offset + E.len.offset + 4, true);
    if (kind !== 1 || l2 !== 0 || l0 !== l1 || l0 === 0) return decodeEvent(view, offset, length);
    const at0 = view.byteOffset + offset + E.size;
    const buffer = bufferOf(view);
    for (let i = 0; i < l0; i++) if (buffer[at0 + i] !== buffer[at0 + l0 + i]) return decodeEvent(view, offset, length);
    if (E.size + 2 * l0 + view.getUint16(offset + E.len.offset + 6, true) > length) return decodeEvent(view, offset, length);
    const path = str(buffer, at0, at0 + l0); // kernel-built: absolute and normal
    const result = view.getInt32(offset + E.result.offset, true);
    const flags = view.getUint16(offset + E.flags.offset, true);
    const openFlags = view.getUint32(offset + E.open_flags.offset, true);
    return {
      kind: 'file_open',
      timeNs: view.getUint32(offset + E.ts_ns.offset, true) + view.getUint32(offset + E.ts_ns.offset + 4, true) * 2 ** 32,
      pid: view.getUint32(offset + E.tgid.offset, true),
      tid: view.getUint32(offset + E.tid.offset, true),
      child: (flags & 16) !== 0,
      result,
      errno: result < 0 ? decodeEvent(view, offset, length).errno : undefined,
      epoch: view.getUint32(offset + E.epoch.offset, true),
      truncated: (flags & 15) !== 0,
      path,
      requestedPath: path,
      requested: path,
      flags: openFlags,
      mode: view.getUint32(offset + E.mode.offset, true),
      access: ['read', 'write', 'read-write', 'read-write'][openFlags & 3],
      create: (openFlags & 0o100) !== 0,
      truncate: (openFlags & 0o1000) !== 0,
      append: (openFlags & 0o2000) !== 0,
    };
  };
}

const variants = { A: decodeEvent, B: makeVariant(false), C: makeVariant(true) };
const { dv, records } = buildRing(N);
const decodeAll = (fn) => {
  const out = [];
  for (const [o, l] of records) out.push(fn(dv, o, l));
  return out;
};
const reference = decodeAll(variants.A);
for (const name of ['B', 'C']) deepStrictEqual(decodeAll(variants[name]), reference, `variant ${name} differs from decodeEvent`);

const samples = { A: [], B: [], C: [] };
for (let r = 0; r < ROUNDS; r++)
  for (const name of Object.keys(variants)) {
    const t0 = process.hrtime.bigint();
    decodeAll(variants[name]);
    samples[name].push(N / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, xs] of Object.entries(samples))
  console.log(`${name}: ${(median(xs) / 1e6).toFixed(2)} M events/s (${(median(xs) / median(samples.A)).toFixed(2)}× A)`);
