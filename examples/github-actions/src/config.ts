import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads the project's settings and caches them in a temp dir. */
export function cacheSettings(root: string): string {
  const settings = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
  const cache = join(mkdtempSync(join(tmpdir(), 'settings-')), 'name.txt');
  writeFileSync(cache, settings.name);
  return cache;
}
