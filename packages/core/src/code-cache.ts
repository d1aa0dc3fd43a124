// Loads a CommonJS bundle compiled from V8's code cache. Every Vitest test
// file is a fresh process that loads all of core, and Node 20 keeps no code
// cache for ES modules: compiling core's bundle was a third of the import.
// scripts/bundle.mjs builds core as one CommonJS file and loads it through
// here. The cache is made by a test process at its file's end, when an
// adapter calls saveCodeCache(), so it holds the functions a test process
// compiles, not only the top level; other processes loading core (the
// daemon, a runner's main process with a reporter) never write it: at their
// exit they replaced a test process's cache with one missing the worker's
// functions, which every later test file then compiled again (registering
// alone 2.5 -> 2.8-3.1 ms a fresh process). The first cache made for the bundle's
// bytes stays: one a process finds already written when it saves is not
// replaced, unless that process found it unusable (another user's, or
// rejected by V8).
//
// The cache lives beside the bundle (bundle/.v8-cache/), named by the
// bundle's content hash, the CPU and V8's version-and-flags tag: V8 itself
// checks only the source's length, so a rebuilt bundle must never meet the
// cache of another. A cache is compiled code: one is read only when the
// bundle's owner owns it too, so no one the code does not trust (another user
// of a shared, group-writable install) can hand its processes code, the root
// daemon's included. Where the directory is not
// writable (a read-only install) nothing is cached and nothing fails. With
// --enable-source-maps the bundle is required as usual: Node maps the stacks
// of modules it loads itself, not of a vm.Script.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import { Script } from 'node:vm';

/** Set to 'off' to compile from source every time (no cache read or written). */
export const CODE_CACHE_ENV = 'VIVARIUM_CODE_CACHE';
export const CODE_CACHE_DIR = '.v8-cache';

export interface LoadedModule {
  exports: unknown;
  /** Compiled from a cache V8 accepted. */
  fromCache: boolean;
  /** The cache file read, or to be written by saveCodeCache(); undefined when off. */
  cacheFile: string | undefined;
}

/** The caches this process is to write, shared by every copy of this module
 * in it (the loader's and the one inside the bundle it loaded). */
const PENDING = Symbol.for('vivarium.codeCache.pending');
function pending(): Array<() => void> {
  const store = globalThis as unknown as Record<symbol, Array<() => void> | undefined>;
  return (store[PENDING] ??= []);
}

/** Writes the cache of every module this process compiled from source: call
 * it in a test process once its test file ran (core's adapters do), so the
 * cache holds what a test process compiles. Does nothing after the first
 * call, where nothing is to be cached, or where another process made the
 * cache meanwhile. */
export function saveCodeCache(): void {
  for (const write of pending().splice(0)) write();
}

/** What a module loadCommonJs() loads begins and ends with: it is its own
 * module wrapper, so it is compiled as it is (wrapping it here copied the
 * bundle's 320 KB into a second string each process kept until a full GC).
 * Compiled as a script it evaluates to the wrapper (a script's top level has
 * no `arguments`); required by Node (with --enable-source-maps) it runs the
 * wrapper with the module's own arguments. */
export const MODULE_HEAD = '(function (exports, require, module, __filename, __dirname) {';
export const MODULE_TAIL = '\n})[typeof arguments === "object" ? "apply" : "valueOf"](this, typeof arguments === "object" ? arguments : undefined);';

/** Runs the CommonJS module `file` (wrapped in MODULE_HEAD and MODULE_TAIL),
 * whose bytes hash to `hash` (computed when it was built), compiling it from
 * its code cache when one fits. */
export function loadCommonJs(file: string, hash: string): LoadedModule {
  if (process.sourceMapsEnabled) return { exports: createRequire(file)(file) as unknown, fromCache: false, cacheFile: undefined };
  const { source, owner } = readSource(file);
  const cacheFile = process.env[CODE_CACHE_ENV] === 'off' ? undefined : cachePath(file, hash);
  const found = cacheFile ? readCache(cacheFile, owner) : undefined;
  const cachedData = found === UNUSABLE ? undefined : found;
  const script = new Script(source, { filename: file, cachedData });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  // One found unusable (another's, or rejected by V8) is replaced; one made meanwhile by another process is kept.
  if (cacheFile && !fromCache) pending().push(() => writeCache(cacheFile, script, file, hash, found !== undefined));
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, fromCache, cacheFile };
}

/** Caches of `file` begin with `<name>-`, those of these bytes with `<name>-<hash>-`. */
const prefixOf = (file: string, hash = '') => `${basename(file)}-${hash ? `${hash}-` : ''}`;

function cachePath(file: string, hash: string): string {
  return join(dirname(file), CODE_CACHE_DIR, `${prefixOf(file, hash)}${process.arch}-${cachedDataVersionTag()}.bin`);
}

/** The module's source and its owner, from one open of it. */
function readSource(file: string): { source: string; owner: number } {
  const fd = openSync(file, 'r');
  try {
    return { source: readFileSync(fd, 'utf8'), owner: fstatSync(fd).uid };
  } finally {
    closeSync(fd);
  }
}

const UNUSABLE = 'unusable';

/** The cache at `path` if `owner` owns it (checked on the file read),
 * UNUSABLE if another does, undefined if there is none to read. */
function readCache(path: string, owner: number): Buffer | typeof UNUSABLE | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return fstatSync(fd).uid === owner ? readFileSync(fd) : UNUSABLE; // another's: compiled from source, then replaced when saved
  } catch {
    return undefined; // not made yet, or unreadable: compiled from source
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Written whole under a name of its own, then renamed (`replace`: even
 * over a cache there already): a process reading it
 * meanwhile finds the old file or the new one, never a part. A writer killed
 * mid-write (a test runner ending its workers by SIGTERM) leaves its part,
 * removed by the next writer, as are caches of the module's earlier bytes (a
 * package rebuilt in place); those of other Node versions for the same bytes
 * stay. */
function writeCache(path: string, script: Script, file: string, hash: string, replace: boolean): void {
  if (!replace && existsSync(path)) return; // another test process made it meanwhile
  const partial = `${path}${PARTIAL}${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, path);
    removeStale(dirname(path), prefixOf(file), prefixOf(file, hash));
  } catch {
    // A read-only install: every process compiles from source, as without a cache.
    removeQuietly(partial);
  }
}

const PARTIAL = '.partial-';

function removeStale(dir: string, ofModule: string, ofTheseBytes: string): void {
  for (const name of readdirSync(dir)) {
    const at = name.lastIndexOf(PARTIAL);
    const abandoned = at >= 0 && !isAlive(Number(name.slice(at + PARTIAL.length)));
    const outdated = at < 0 && name.startsWith(ofModule) && !name.startsWith(ofTheseBytes);
    if (abandoned || outdated) removeQuietly(join(dir, name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // not ours to remove
  }
}
