#!/usr/bin/env node
// One module per entry point of @vivarium/core instead of ~100: a Vitest
// worker is a fresh process per test file, and loading core's ES modules one
// by one was most of its set-up (BENCHMARKS.md finding 4). esbuild bundles
// tsc's output (dist/) into packages/core/bundle/, the entries sharing chunks
// so a process that loads two of them (the daemon: the package and /kernel)
// holds one copy of each module and `instanceof` keeps working. Source maps
// chain back to the TypeScript. koffi (a native addon) stays outside;
// picomatch is bundled: as its own CommonJS modules (resolution, reads, the
// CJS lexer) it made core's import 14.0 ms, bundled 11.7 (median of 7 fresh
// processes after koffi).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const CORE = new URL('../packages/core/', import.meta.url).pathname;
const OUT = `${CORE}bundle`;

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { index: `${CORE}dist/index.js`, kernel: `${CORE}dist/kernel/index.js`, matchers: `${CORE}dist/matchers/index.js` },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  sourcemap: 'linked',
  // The same bytes from the same inputs: names of chunks by content.
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
