// Path patterns applied to events: which of an event's paths count is the
// matcher's choice (the resolved file only, or also the path as requested).
import type { VivariumEvent } from '../events.js';
import { compilePathPatterns } from './path-patterns.js';
import type { EventPatterns } from './program-patterns.js';
import type { TokenValues } from './tokens.js';

export function eventPathPatterns<E extends VivariumEvent>(pathsOf: (event: E) => string[]) {
  return (value: unknown, tokens: TokenValues, what: string): EventPatterns<E> => {
    const matcher = compilePathPatterns(value, tokens, what);
    return {
      patterns: matcher.patterns,
      matching: (event) => [...new Set(pathsOf(event).flatMap((p) => matcher.matchAll(p)))],
      covers: (event) => pathsOf(event).every((p) => matcher.match(p) !== undefined),
    };
  };
}
