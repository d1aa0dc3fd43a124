import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import '@vivarium/vitest';

// The code under test: reads a config file, falling back to defaults.
function loadConfig(dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dir, 'app.json'), 'utf8'));
  } catch {
    return {};
  }
}

describe('loadConfig', () => {
  test('reads app.json from the directory it is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vivarium-example-'));
    writeFileSync(join(dir, 'app.json'), '{"port": 8080}');
    expect(() => loadConfig(dir)).toOpenFiles([join(dir, 'app.json')]);
  });

  test('never looks outside the directory and the temp dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vivarium-example-'));
    expect(() => loadConfig(dir)).not.toOpenOutside(['<tmp>/**']);
  });

  test('async reads are attributed too', async () => {
    await expect(async () => {
      const { readFile } = await import('node:fs/promises');
      await readFile('/etc/hostname');
    }).toOpenFiles('/etc/hostname');
  });
});
