// Program patterns for exec matchers: a bare name ('cat', 'python*') matches
// the program's file name; anything with a '/' or a token is a path pattern
// matched against the program the kernel ran (or the path requested).
import { basename } from 'node:path';
import picomatch from 'picomatch';
import type { ExecEvent } from '../events.js';
import { compilePathPatterns, patternList } from './path-patterns.js';
import type { TokenValues } from './tokens.js';

export interface EventPatterns<E> {
  readonly patterns: readonly string[];
  /** The patterns this event matches. */
  matching(event: E): string[];
  /** Whether everything the event touched is allowed (for events with several paths). */
  covers?(event: E): boolean;
}

export function compileProgramPatterns(value: unknown, tokens: TokenValues, what: string): EventPatterns<ExecEvent> {
  const patterns = patternList(value, what);
  const names = patterns.filter((p) => !p.includes('/') && !p.startsWith('<'));
  const paths = patterns.filter((p) => !names.includes(p));
  const nameTests = names.map((name) => ({ name, test: picomatch(name, { dot: true }) }));
  const pathMatcher = paths.length ? compilePathPatterns(paths, tokens, what) : undefined;
  return {
    patterns,
    matching(event) {
      const files = [basename(event.path), basename(event.requestedPath)];
      const byName = nameTests.filter((t) => files.some((f) => t.test(f))).map((t) => t.name);
      const byPath = pathMatcher ? [...pathMatcher.matchAll(event.path), ...pathMatcher.matchAll(event.requestedPath)] : [];
      return [...new Set([...byName, ...byPath])];
    },
  };
}
