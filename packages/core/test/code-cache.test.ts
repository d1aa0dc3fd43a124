// The bundle's loader (code-cache.ts), in fresh processes as a test runner's
// workers use it: the first compiles and leaves a cache when it saves (an
// adapter does at a test file's end), the next compiles from it; a cache
// never outlives the bytes it was made from.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CODE_CACHE_DIR, CODE_CACHE_ENV, MODULE_HEAD, MODULE_TAIL } from '../src/code-cache.js';

let dir: string;
let loader: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vivarium-code-cache-'));
  loader = join(dir, 'code-cache.mjs');
  buildSync({ entryPoints: [fileURLToPath(new URL('../src/code-cache.ts', import.meta.url))], outfile: loader, format: 'esm', platform: 'node', bundle: true, logLevel: 'warning' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module of its own directory and its own wrapper, as the bundle is. */
function module(name: string, body: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  const file = join(dir, name, 'mod.cjs');
  writeFileSync(file, wrapped(body));
  return file;
}

interface Loaded {
  fromCache: boolean;
  cacheFile: string | null;
  exports: Record<string, unknown>;
}

type End = 'saved' | 'exit' | 'killed' | 'saved, then killed';

/** Loads `file` in a fresh process, as hashed `hash`; `end`: how that process
 * ends after loading it (by default as a test process: it saves, then exits). */
function load(file: string, hash: string, { env = {}, args = [] as string[], end = 'saved' as End } = {}): Loaded {
  const script = `import { loadCommonJs, saveCodeCache } from ${JSON.stringify(loader)};
const { exports, fromCache, cacheFile } = loadCommonJs(${JSON.stringify(file)}, ${JSON.stringify(hash)});
console.log(JSON.stringify({ fromCache, cacheFile: cacheFile ?? null, exports }));
${end.startsWith('saved') ? 'saveCodeCache();' : ''}
${end.endsWith('killed') ? "process.kill(process.pid, 'SIGKILL');" : ''}`;
  const r = spawnSync(process.execPath, [...args, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0 && r.signal !== 'SIGKILL') throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Loaded;
}

const wrapped = (body: string) => `${MODULE_HEAD}${body}${MODULE_TAIL}`;

const cacheFiles = (file: string) => {
  const cache = join(file, '..', CODE_CACHE_DIR);
  return existsSync(cache) ? readdirSync(cache) : [];
};

test('the first process that saves leaves a cache; the next compiles from it and runs the same module', () => {
  const file = module('plain', 'exports.answer = 6 * 7; exports.where = __filename; exports.url = typeof require("node:path").join;');
  const first = load(file, 'aaaa');
  expect(first).toMatchObject({ fromCache: false, exports: { answer: 42, where: file, url: 'function' } });
  expect(cacheFiles(file)).toEqual([expect.stringMatching(/^mod\.cjs-aaaa-.*\.bin$/)]);
  const second = load(file, 'aaaa');
  expect(second).toEqual({ ...first, fromCache: true });
});

// Vitest ends each worker by SIGTERM after its file: no 'exit' there. And a
// process that is no test process (the daemon, a runner's main process) never
// makes the cache: it would hold none of a test process's functions.
test('a process leaves a cache only if saveCodeCache() ran (an adapter calls it at a file’s end): not at exit, not when killed', () => {
  const file = module('signalled', 'exports.answer = 7;');
  expect(load(file, 'cccc', { end: 'exit' })).toMatchObject({ fromCache: false, exports: { answer: 7 } });
  expect(load(file, 'cccc', { end: 'killed' })).toMatchObject({ fromCache: false, exports: { answer: 7 } });
  expect(cacheFiles(file)).toEqual([]);
  expect(load(file, 'cccc', { end: 'saved, then killed' })).toMatchObject({ fromCache: false, exports: { answer: 7 } });
  expect(cacheFiles(file)).toEqual([expect.stringMatching(/^mod\.cjs-cccc-.*\.bin$/)]);
  expect(load(file, 'cccc')).toMatchObject({ fromCache: true, exports: { answer: 7 } });
});

test('the first cache made stays: a process that compiled before it existed does not replace it when it saves', () => {
  const file = module('first', 'exports.answer = 8;');
  // Both compile from source (no cache yet); the first saves, then the second.
  const script = `import { loadCommonJs, saveCodeCache } from ${JSON.stringify(loader)};
loadCommonJs(${JSON.stringify(file)}, 'ffff');
console.log('loaded');
process.stdin.once('data', () => { saveCodeCache(); console.log('saved'); process.exit(0); });`;
  const [a, b] = [0, 1].map(() => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = (child: ChildProcess) => createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const [fromA, fromB] = [lines(a!), lines(b!)];
  return (async () => {
    expect([(await fromA.next()).value, (await fromB.next()).value]).toEqual(['loaded', 'loaded']);
    a!.stdin!.write('\n');
    expect((await fromA.next()).value).toBe('saved');
    const [name] = cacheFiles(file);
    const cache = join(file, '..', CODE_CACHE_DIR, name!);
    const made = statSync(cache).mtimeMs;
    b!.stdin!.write('\n');
    expect((await fromB.next()).value).toBe('saved');
    expect(cacheFiles(file)).toEqual([name]);
    expect(statSync(cache).mtimeMs).toBe(made);
    expect(load(file, 'ffff').fromCache).toBe(true);
  })();
});

test('a module rebuilt (another hash) never takes the cache of the old bytes, even of the same length, and removes it', () => {
  const file = module('rebuilt', 'exports.answer = 1;');
  load(file, 'old');
  expect(load(file, 'old').fromCache).toBe(true);
  writeFileSync(file, wrapped('exports.answer = 2;'));
  const rebuilt = load(file, 'new');
  expect(rebuilt).toMatchObject({ fromCache: false, exports: { answer: 2 } });
  expect(load(file, 'new')).toMatchObject({ fromCache: true, exports: { answer: 2 } });
  // The old bytes' cache went when the new one was written.
  expect(cacheFiles(file)).toEqual([expect.stringMatching(/^mod\.cjs-new-.*\.bin$/)]);
});

// Compiled code from someone the bundle's owner is not (here: nobody's
// file, in a directory both can write) is never run.
test.runIf(process.getuid?.() === 0)('a cache another user owns is not read, and is replaced by one of the owner', () => {
  const file = module('foreign', 'exports.answer = 3;');
  load(file, 'bbbb');
  const [name] = cacheFiles(file);
  const cache = join(file, '..', CODE_CACHE_DIR, name!);
  chownSync(cache, 65534, 65534);
  expect(load(file, 'bbbb')).toMatchObject({ fromCache: false, exports: { answer: 3 } });
  expect(statSync(cache).uid).toBe(statSync(file).uid);
  expect(load(file, 'bbbb').fromCache).toBe(true);
});

test(`${CODE_CACHE_ENV}=off reads and writes no cache`, () => {
  const file = module('off', 'exports.answer = 3;');
  expect(load(file, 'h', { env: { [CODE_CACHE_ENV]: 'off' } })).toEqual({ fromCache: false, cacheFile: null, exports: { answer: 3 } });
  expect(cacheFiles(file)).toEqual([]);
});

test('with --enable-source-maps the module is required as usual (Node maps its stacks), without a cache', () => {
  const file = module('maps', 'exports.answer = 4;');
  expect(load(file, 'h', { args: ['--enable-source-maps'] })).toEqual({ fromCache: false, cacheFile: null, exports: { answer: 4 } });
  expect(cacheFiles(file)).toEqual([]);
});

test('a cache it cannot write (here: a file where its directory would be): loaded from source each time, nothing fails', () => {
  const file = module('unwritable', 'exports.answer = 5;');
  writeFileSync(join(file, '..', CODE_CACHE_DIR), 'not a directory');
  expect(load(file, 'h')).toMatchObject({ fromCache: false, exports: { answer: 5 } });
  expect(load(file, 'h').fromCache).toBe(false);
  expect(readdirSync(join(file, '..')).sort()).toEqual([CODE_CACHE_DIR, 'mod.cjs']);
});

test('a part left by a writer that was killed is removed by the next writer; a live writer’s is not', () => {
  const file = module('abandoned', 'exports.answer = 6;');
  const cache = join(file, '..', CODE_CACHE_DIR);
  mkdirSync(cache);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(cache, `mod.cjs-old-x64-1.bin.partial-${dead}`), 'half');
  writeFileSync(join(cache, `mod.cjs-old-x64-1.bin.partial-${process.pid}`), 'in progress');
  load(file, 'h');
  expect(cacheFiles(file).sort()).toEqual([expect.stringMatching(/^mod\.cjs-h-.*\.bin$/), `mod.cjs-old-x64-1.bin.partial-${process.pid}`]);
});
