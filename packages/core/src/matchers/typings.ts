import type { EventKind } from '../events.js';
import type { PathPatterns } from '../policy/path-patterns.js';

type Patterns = PathPatterns;

/**
 * The Vivarium matchers, declared once and merged into each runner's
 * `Matchers` interface by the adapters. Each returns a promise when the
 * function under test returned one: `await expect(async () => …).toOpenFiles(…)`.
 * Patterns: absolute paths or globs with tokens (<cwd>, <tmp>, <home>, <rootDir>);
 * programs: a bare name or a path/glob; endpoints: 'host:port', '[::1]:*',
 * 'localhost:*', CIDR, 'unix:/path'; hosts: 'example.com', '*.example.com', '**.example.com';
 * requests: '[METHOD] scheme://host[:port][/path]' ('GET https://api.example.com/v1/**').
 */
export interface VivariumMatchers<R = unknown> {
  /** Every listed path was opened successfully. */
  toOpenFiles(paths: Patterns): R;
  /** Some open attempt (failed ones too) fell outside the globs; use as `.not.toOpenOutside(globs)`. */
  toOpenOutside(globs: Patterns): R;
  /** Every listed path was opened for reading. */
  toReadFiles(paths: Patterns): R;
  /** Every listed path was opened to write, create or truncate. */
  toWriteFiles(paths: Patterns): R;
  /** Some change to the file system (write-open, unlink, mkdir, rename, ...) fell outside the globs. */
  toWriteOutside(globs: Patterns): R;
  /** Every listed path was deleted (unlink or rmdir). */
  toDeleteFiles(paths: Patterns): R;
  /** Every listed program was run (a bare name matches the file name). */
  toExec(programs: Patterns): R;
  /** Some program run was not allowed; use as `.not.toExecOutside(allowed)`. */
  toExecOutside(allowed: Patterns): R;
  /** Every listed endpoint was connected to. */
  toConnectTo(endpoints: Patterns): R;
  /** Some connect attempt went to an endpoint not allowed; use as `.not.toConnectOutside(allowed)`. */
  toConnectOutside(allowed: Patterns): R;
  /** Every listed host name was looked up over DNS. */
  toResolve(hosts: Patterns): R;
  /** Some DNS query asked for a name not allowed; use as `.not.toResolveOutside(hostGlobs)`. */
  toResolveOutside(hostGlobs: Patterns): R;
  /** Every listed request pattern was matched by an HTTP request sent (HTTPS through OpenSSL). */
  toRequest(patterns: Patterns): R;
  /** Some HTTP request was not allowed; use as `.not.toRequestOutside(allowed)`. */
  toRequestOutside(allowed: Patterns): R;
  /** Some path-carrying event fell outside the globs; use as `.not.toTouchOutside(globs)`. */
  toTouchOutside(globs: Patterns): R;
  /** Every listed environment variable was read (getenv, as process.env does); names or globs ('AWS_*'). */
  toReadEnv(names: Patterns): R;
  /** Some environment variable read has a name outside the globs; use as `.not.toReadEnvOutside(globs)`. */
  toReadEnvOutside(globs: Patterns): R;
  /** Every listed shared object was loaded at run time (dlopen); a glob with '/' matches the path, one without the file name ('*.node'). */
  toLoad(globs: Patterns): R;
  /** At least one event of the kind (matching the pattern, if given) happened. */
  toTrigger(kind: EventKind, pattern?: string): R;
  /** What fn did to the operating system (files, programs, endpoints, names),
   * normalised to be the same on every machine, matches the stored snapshot
   * (written on the first run, updated with -u, as the runner's own). */
  toMatchFootprintSnapshot(hint?: string): R;
  /** The same, with the snapshot written in the call: `toMatchInlineFootprintSnapshot(\`…\`)`. */
  toMatchInlineFootprintSnapshot(snapshot?: string): R;
}
