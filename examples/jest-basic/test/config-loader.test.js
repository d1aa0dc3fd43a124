const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// The code under test: reads a config file, falling back to defaults.
function loadConfig(dir) {
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
      const { readFile } = require('node:fs/promises');
      await readFile('/etc/hostname');
    }).toOpenFiles('/etc/hostname');
  });
});
