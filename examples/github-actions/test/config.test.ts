import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, test } from 'vitest';
import '@vivarium/vitest';
import { cacheSettings } from '../src/config.js';

const root = new URL('..', import.meta.url).pathname;

test('reads the project, writes only its temp dir', () => {
  expect(() => cacheSettings(root)).toReadFiles([`${root}package.json`]);
  expect(() => cacheSettings(root)).not.toWriteOutside([`${tmpdir()}/**`]);
});

test('the cache holds the name', () => {
  expect(readFileSync(cacheSettings(root), 'utf8')).toBe('example-github-actions');
});
