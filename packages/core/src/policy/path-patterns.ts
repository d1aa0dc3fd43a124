// Path patterns: an exact path or a picomatch glob, optionally starting with
// a token. Validated up front so a typo fails loudly instead of matching nothing.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { type TokenValues, expandTokens } from './tokens.js';

export type PathPatterns = string | readonly string[];

/** Compiled patterns of one subject type (see subjects.ts): which of them a value matches. */
export interface SubjectPatterns<V> {
  /** The patterns as the user wrote them. */
  readonly patterns: readonly string[];
  /** Every pattern matching `value`. */
  matching(value: V): string[];
}

/** Every pattern compiler takes the patterns, the token values and what to call them in errors. */
export type PatternCompiler<V> = (value: unknown, tokens: TokenValues, what: string) => SubjectPatterns<V>;

export interface PathMatcher extends SubjectPatterns<string> {
  /** The first pattern matching `path`, or undefined. */
  match(path: string): string | undefined;
}

/** Normalises the argument to a non-empty list of strings, or throws a TypeError naming it. */
export function patternList(value: unknown, what: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw new TypeError(`vivarium: ${what} must be a path pattern or a non-empty array of them, got ${describe(value)}`);
  for (const item of list)
    if (typeof item !== 'string' || item.trim() === '')
      throw new TypeError(`vivarium: ${what} must contain only non-empty strings, got ${describe(item)}`);
  return list as string[];
}

export function compilePathPatterns(value: unknown, tokens: TokenValues, what = 'path patterns'): PathMatcher {
  const patterns = patternList(value, what);
  const tests: Array<{ pattern: string; test: (path: string) => boolean }> = [];
  for (const pattern of patterns) {
    for (const expanded of expandTokens(pattern, tokens)) {
      if (!expanded.startsWith('/'))
        throw new TypeError(`vivarium: path pattern '${pattern}' is not absolute (start it with '/' or a token such as <cwd>)`);
      if (picomatch.scan(expanded).isGlob) {
        const isMatch = picomatch(expanded, { dot: true, strictBrackets: true });
        tests.push({ pattern, test: isMatch });
      } else {
        const exact = posix.normalize(expanded).replace(/(.)\/$/, '$1');
        tests.push({ pattern, test: (path) => path === exact });
      }
    }
  }
  return {
    patterns,
    match: (path) => tests.find((t) => t.test(path))?.pattern,
    matching: (path) => [...new Set(tests.filter((t) => t.test(path)).map((t) => t.pattern))],
  };
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null) return 'null';
  return typeof value === 'function' ? 'a function' : `${typeof value} ${String(value)}`;
}
