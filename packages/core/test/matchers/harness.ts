// The matchers on Vitest's expect, bound to a context without a kernel: the
// token values are fixed, and a function passed to expect() "does" the
// events it was made with (fnThat). Observations come from seen().
import { expect } from 'vitest';
import type { VivariumEvent } from '../../src/events.js';
import type { MatcherContext } from '../../src/matchers/context.js';
import { createMatchers } from '../../src/matchers/index.js';
import { NO_GAPS } from '../../src/completeness.js';
import { type Observation, makeObservation } from '../../src/observation.js';

export const TOKENS = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };

const EVENTS = Symbol('events');
type Doing = (() => unknown) & { [EVENTS]?: VivariumEvent[] };

export const seen = (...events: VivariumEvent[]): Observation =>
  makeObservation({ result: undefined, error: undefined, threw: false, events, gaps: NO_GAPS, dropped: 0 });

/** A function that, run under observation, does `events`. */
export const fnThat = (...events: VivariumEvent[]): Doing => Object.assign(() => undefined, { [EVENTS]: events });

/** The same, async: the matcher then returns a promise. */
export const asyncFnThat = (...events: VivariumEvent[]): Doing => Object.assign(async () => undefined, { [EVENTS]: events });

/** The kinds each fn was observed for, in call order. */
export const observedKinds: Array<readonly string[]> = [];

export const context: MatcherContext = {
  tokens: () => TOKENS,
  observe(fn: Doing, kinds) {
    observedKinds.push(kinds);
    const value = fn();
    const observed = () => seen(...(fn[EVENTS] ?? []));
    return value instanceof Promise ? value.then(observed) : observed();
  },
};

expect.extend(createMatchers(context));

const plain = (message: string) => message.replace(/\x1b\[[0-9;]*m/g, '');

/** The failure message of a matcher call, without colours. */
export function messageOf(assertion: () => unknown): string {
  try {
    assertion();
  } catch (err) {
    return plain((err as Error).message);
  }
  throw new Error('the assertion passed');
}

/** The same for an awaited matcher. */
export async function asyncMessageOf(assertion: () => Promise<unknown>): Promise<string> {
  try {
    await assertion();
  } catch (err) {
    return plain((err as Error).message);
  }
  throw new Error('the assertion passed');
}

/** Bad path-pattern arguments and what the TypeError says about each. */
export const BAD_PATHS: Array<[unknown, string]> = [
  [[], 'must be a path pattern or a non-empty array of them, got array(0)'],
  ['', 'must contain only non-empty strings'],
  [[42], 'must contain only non-empty strings, got number 42'],
  [null, 'got null'],
  ['relative/path', "path pattern 'relative/path' is not absolute"],
  ['<nope>/x', 'unknown token <nope>'],
];
