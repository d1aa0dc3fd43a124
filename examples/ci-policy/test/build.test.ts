import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { build } from '../src/build.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// No matcher needed: vivarium.policy.json makes this a sandbox check.
test('renders the page into dist/', () => {
  const out = build(root, 'Hello');
  expect(readFileSync(out, 'utf8')).toContain('<h1>Hello</h1>');
});
