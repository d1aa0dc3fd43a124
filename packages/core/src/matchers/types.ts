// The slice of Jest's and Vitest's matcher context the matchers use, so one
// implementation serves both runners.
import type { MatcherContext } from './context.js';

export interface MatcherUtils {
  matcherHint(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string }): string;
  EXPECTED_COLOR(text: string): string;
  RECEIVED_COLOR(text: string): string;
}

export interface MatcherState {
  isNot: boolean;
  promise?: string;
  utils: MatcherUtils;
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

export type MatcherReturn = MatcherResult | Promise<MatcherResult>;

/** A matcher as expect.extend() takes it. */
export type MatcherFunction = (this: MatcherState, received: unknown, ...args: unknown[]) => MatcherReturn;

/** A matcher, given its context (see context.ts). */
export type MatcherFactory = (context: MatcherContext) => MatcherFunction;
