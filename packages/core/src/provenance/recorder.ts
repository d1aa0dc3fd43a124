// Records the JS calls that cause kernel effects, in the worker process:
// wraps the Node APIs that open, exec, connect and resolve, and keeps for
// each call when it ran, what it asked for and a bounded stack (captured
// structured, printed only for calls that caused an event: then the runner's
// Error.prepareStackTrace maps it through source maps).
//
// Own I/O (reading a package.json, a runner reading source maps to print a
// stack) runs inside an `own` call: its events are dropped, not attributed.
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VivariumEvent } from '../events.js';
import { Attribution, type CallKeys, type CallRecord } from './attribute.js';
import { type Origin, type PackageId, fileOf, isUserFrame, originOf, packageDirOf } from './origin.js';

/** Frames captured per call: enough to get past Node's http/net internals to the caller. */
const STACK_LIMIT = 16;
const KEY = Symbol.for('vivarium.provenance');
/** Distinct stacks whose origin is kept (then the cache starts over). */
const ORIGINS_KEPT = 10_000;

/** fs calls that cause no observed event (stat family, fd I/O): not recorded. */
const FS_QUIET = new Set(['stat', 'lstat', 'fstat', 'statfs', 'exists', 'access', 'realpath', 'read', 'write', 'readv', 'writev', 'close', 'fsync', 'fdatasync', 'readlink', 'opendir', 'watch', 'watchFile', 'unwatchFile']);
const FS_PATH_ARGS = 2;
const CHILD_PROCESS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const DNS_CALLS = ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveCaa', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt'] as const;

const now = (): number => Number(process.hrtime.bigint());

type Fn = (...args: unknown[]) => unknown;

export class Provenance {
  private readonly attribution = new Attribution();
  /** >0 while a recorded synchronous call or own I/O runs: calls nested in it are not recorded. */
  private depth = 0;
  private readonly packages = new Map<string, PackageId | undefined>();
  /** Origins by api and raw stack positions. */
  private readonly origins = new Map<string, Origin>();
  /** Vivarium's own files: its frames are never the caller. */
  private readonly ownDirs = [vivariumDir()];

  /** The clock of events' timeNs (CLOCK_MONOTONIC), in ns. */
  static now = now;

  /** The process's recorder, installed on first use. */
  static install(): Provenance {
    const store = globalThis as unknown as Record<symbol, Provenance | undefined>;
    let provenance = store[KEY];
    if (!provenance) {
      const created = new Provenance();
      // Its own I/O (node:dns starts c-ares, which reads resolver files) is no event of a registered worker.
      created.own(() => created.wrapAll());
      store[KEY] = provenance = created;
    }
    return provenance;
  }

  /** Sets `origin` on what it can attribute; drops the events of Vivarium's own I/O.
   * `drainStart`: when the drain that read them began. */
  attribute<E extends VivariumEvent>(events: E[], drainStart: number): E[] {
    const kept = this.attribution.attribute(events);
    this.attribution.forget(drainStart);
    return kept;
  }

  private wrapAll(): void {
    // Loaded only now: loading node:dns starts c-ares, which reads /etc/svc.conf and more in every process.
    const require = createRequire(import.meta.url);
    // node:fs by require too: a default import made every process copy its ~100 names (esbuild's __toESM).
    const fs = require('node:fs') as typeof import('node:fs');
    const childProcess = require('node:child_process') as typeof import('node:child_process');
    const dns = require('node:dns') as typeof import('node:dns');
    const net = require('node:net') as typeof import('node:net');
    for (const name of Object.keys(fs)) {
      const sync = name.endsWith('Sync');
      const base = sync ? name.slice(0, -4) : name;
      // Classes (ReadStream, Dirent) and internals (_toUnixTimestamp) are not calls to record.
      if (FS_QUIET.has(base) || typeof (fs as unknown as Record<string, unknown>)[name] !== 'function' || /^[A-Z_]/.test(name)) continue;
      this.wrap(fs, name, `fs.${name}`, sync ? 'sync' : 'async', fsKeys);
    }
    for (const name of Object.keys(fs.promises)) {
      if (FS_QUIET.has(name) || typeof (fs.promises as unknown as Record<string, unknown>)[name] !== 'function') continue;
      this.wrap(fs.promises, name, `fs.promises.${name}`, 'async', fsKeys);
    }
    for (const name of CHILD_PROCESS) this.wrap(childProcess, name, `child_process.${name}`, 'spawn', () => ({}));
    this.wrap(net.Socket.prototype, 'connect', 'net.connect', 'async', connectKeys);
    for (const name of DNS_CALLS) {
      this.wrap(dns, name, `dns.${name}`, 'async', dnsKeys);
      this.wrap(dns.promises, name, `dns.promises.${name}`, 'async', dnsKeys);
      this.wrap(dns.Resolver.prototype, name, `dns.${name}`, 'async', dnsKeys);
      this.wrap(dns.promises.Resolver.prototype, name, `dns.promises.${name}`, 'async', dnsKeys);
    }
    // ES modules importing named exports of these builtins see the wrappers too.
    syncBuiltinESMExports();
  }

  private wrap(target: object, name: string, api: string, how: 'sync' | 'async' | 'spawn', keysOf: (args: unknown[]) => CallKeys): void {
    const holder = target as Record<string, unknown>;
    const original = holder[name];
    if (typeof original !== 'function') return;
    const self = this;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      if (self.depth > 0) return (original as Fn).apply(this, args);
      const stack = captureStack(wrapped);
      const call = self.record(api, how !== 'async', how === 'spawn', keysOf(args), stack);
      if (how === 'async') return (original as Fn).apply(this, args);
      self.depth++;
      try {
        return (original as Fn).apply(this, args);
      } finally {
        self.depth--;
        call.end = now();
      }
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
    holder[name] = wrapped;
  }

  private record(api: string, sync: boolean, spawn: boolean, keys: CallKeys, stack: { stack?: string }): CallRecord {
    let origin: Origin | undefined;
    const call: CallRecord = {
      start: now(),
      end: Number.POSITIVE_INFINITY,
      sync,
      ...(spawn ? { spawn } : {}),
      keys,
      origin: () => (origin ??= this.own(() => this.originOfStack(api, stack))),
    };
    this.attribution.add(call);
    return call;
  }

  /** The origin of a captured stack. Printing a stack through the runner's
   * source maps costs about 60 µs under Vitest, so origins are kept by the
   * stack's raw positions (read from V8's structured call sites, a few µs)
   * and each distinct stack is printed once. */
  private originOfStack(api: string, holder: { stack?: unknown }): Origin {
    const prepare = Error.prepareStackTrace;
    // Node's own --enable-source-maps maps only stacks it prints itself.
    if (typeof prepare !== 'function' && (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled)
      return originOf(api, String(holder.stack ?? ''), this.ownDirs, (file) => this.packageOf(file));
    Error.prepareStackTrace = (_error, sites) => sites;
    let sites: NodeJS.CallSite[];
    try {
      sites = holder.stack as NodeJS.CallSite[];
    } finally {
      Error.prepareStackTrace = prepare;
    }
    if (!Array.isArray(sites)) return { api, stack: [] };
    let key = api;
    for (const site of sites) key += `\0${site.getFileName()}:${site.getLineNumber()}:${site.getColumnNumber()}`;
    let origin = this.origins.get(key);
    if (!origin) {
      // Only user frames are printed: mapping the runner's own frames would load its source maps for nothing.
      const user = sites.filter((site) => isUserFrame({ file: fileOf(site.getFileName() ?? ''), line: 0, column: 0 }, this.ownDirs));
      const text = !user.length
        ? ''
        : typeof prepare === 'function'
          ? String(prepare(Object.assign(Object.create(Error.prototype) as Error, { message: '' }), user))
          : user.map((site) => `    at ${site}`).join('\n');
      origin = originOf(api, text, this.ownDirs, (file) => this.packageOf(file));
      if (this.origins.size >= ORIGINS_KEPT) this.origins.clear();
      this.origins.set(key, origin);
    }
    return origin;
  }

  /** Runs Vivarium's own I/O: its events are dropped at the next drain. */
  private own<T>(fn: () => T): T {
    const call: CallRecord = { start: now(), end: Number.POSITIVE_INFINITY, sync: true, own: true, keys: {}, origin: () => ({ api: 'vivarium', stack: [] }) };
    this.attribution.add(call);
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      call.end = now();
    }
  }

  private packageOf(file: string): PackageId | undefined {
    const pkg = packageDirOf(file);
    if (!pkg) return undefined;
    if (!this.packages.has(pkg.dir)) this.packages.set(pkg.dir, readPackage(pkg.dir, pkg.name));
    return this.packages.get(pkg.dir);
  }
}

function readPackage(dir: string, name: string): PackageId {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: typeof json.name === 'string' ? json.name : name, version: typeof json.version === 'string' ? json.version : '?' };
  } catch {
    return { name, version: '?' };
  }
}

/** The stack above `skip`, structured now and printed later (V8 formats `stack` on first read). */
function captureStack(skip: Fn): { stack?: string } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_LIMIT;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return holder;
}

/** The directory holding Vivarium's packages (packages/ in this repository, node_modules/@vivarium/ installed). */
function vivariumDir(): string {
  const here = fileURLToPath(import.meta.url);
  const at = here.lastIndexOf(`${sep}core${sep}`);
  return at >= 0 ? here.slice(0, at + 1) : dirname(here) + sep;
}

function pathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return resolve(arg);
  if (arg instanceof URL) return arg.protocol === 'file:' ? fileURLToPath(arg) : undefined;
  if (Buffer.isBuffer(arg)) return resolve(arg.toString());
  return undefined;
}

function fsKeys(args: unknown[]): CallKeys {
  const paths: string[] = [];
  for (const arg of args.slice(0, FS_PATH_ARGS)) {
    const path = pathOf(arg);
    if (path) paths.push(path);
  }
  return { paths };
}

function connectKeys(args: unknown[]): CallKeys {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { port?: unknown; path?: unknown; host?: unknown };
    if (typeof options.path === 'string') return { socketPath: resolve(options.path) };
    return { port: Number(options.port) || 0 };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return { port: Number(first) };
  if (typeof first === 'string') return { socketPath: resolve(first) };
  return {};
}

function dnsKeys(args: unknown[]): CallKeys {
  return typeof args[0] === 'string' ? { host: args[0].toLowerCase().replace(/\.$/, '') } : {};
}
