// The TypeScript side of the ABI: generated from the BPF object's BTF, and
// checked against it (mandatory where the kernel tests are: a CI without the
// built object fails here instead of skipping).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ControlCodec, CountersCodec, EventHeaderCodec, MetaCodec, OwnerCodec, TargetCodec, TargetKeyCodec } from '../../src/abi.generated.js';
import { decode, encode } from '../../src/codec.js';
import { MAP_SPECS, MapType, specDifferences } from '../../src/kernel/map-spec.js';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const object = `${repo}bpf/build/syscalls.bpf.o`;
const inCI = process.env.CI === 'true' || process.env.CI === '1';

describe('specDifferences', () => {
  const info = { type: MapType.HASH, id: 1, keySize: 8, valueSize: 16, maxEntries: 100, flags: 0, name: 'config_targets' };

  test('a matching map has none', () => {
    expect(specDifferences(MAP_SPECS.config_targets, info)).toEqual([]);
  });

  test('every difference is named', () => {
    expect(specDifferences(MAP_SPECS.meta, { ...info, valueSize: 8, maxEntries: 2 })).toEqual([
      'type hash, expected array',
      'key size 8, expected 4',
      'value size 8, expected 32',
      'max entries 2, expected 1',
    ]);
  });
});

describe('generated codecs', () => {
  test('sizes are the ones _Static_assert-ed in bpf/vivarium.h', () => {
    expect([EventHeaderCodec, TargetKeyCodec, TargetCodec, OwnerCodec, ControlCodec, CountersCodec, MetaCodec].map((c) => c.size)).toEqual([
      56, 8, 16, 24, 8, 56, 32,
    ]);
  });

  test('a value survives encode and decode, arrays and 64-bit fields included', () => {
    const meta = { abiVersion: 2, backend: 1, maxSlots: 1024, ringSize: 1 << 22, maxTargets: 16384, dnsPorts: [53, 5353, 0, 0], flags: 1 };
    expect(decode(MetaCodec, encode(MetaCodec, meta))).toEqual(meta);
    const owner = { pidnsInum: 4026531836, nsTgid: 1, hostPid: 4242, uid: 1000, startTime: 2n ** 40n + 7n };
    expect(decode(OwnerCodec, encode(OwnerCodec, owner))).toEqual(owner);
  });

  test.skipIf(!inCI && !existsSync(object))('abi.generated.ts matches the BTF of the built object', () => {
    if (!existsSync(object)) throw new Error(`${object} is missing: the ABI cannot be checked (npm run build:bpf)`);
    expect(() => execFileSync(process.execPath, [`${repo}scripts/gen-abi.mjs`, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
