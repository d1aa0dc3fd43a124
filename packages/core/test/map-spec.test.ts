import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Layout } from '../src/abi.generated.js';
import { MAP_SPECS, MapType, specDifferences } from '../src/map-spec.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

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

describe('generated ABI', () => {
  test('layout sizes are the ones _Static_assert-ed in bpf/vivarium.h', () => {
    expect(Layout.viv_event.size).toBe(48);
    expect(Layout.viv_target.size).toBe(16);
    expect(Layout.viv_meta.size).toBe(32);
  });

  test.skipIf(!existsSync(`${repo}bpf/build/vivarium.bpf.o`))('abi.generated.ts matches the BTF of the built object', () => {
    expect(() => execFileSync(process.execPath, [`${repo}scripts/gen-abi.mjs`, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
