// What one observed piece of code did: its result and the kernel events of
// it and its children.
import type { Gaps } from './completeness.js';
import type { VivariumEvent } from './events.js';

const BRAND = Symbol.for('vivarium.observation');

export interface Observation<T = unknown> {
  /** fn's return value (awaited when it returned a promise). */
  result: T | undefined;
  /** What fn threw or rejected with, if it did. */
  error: unknown;
  threw: boolean;
  /** Everything that happened while fn ran, in ring order: fn's own events and
   * its children's, and those of processes started earlier (marked `leftover`). */
  events: VivariumEvent[];
  /** What could not be seen while fn ran; matchers refuse to judge then. */
  gaps: Gaps;
  /** Events the kernel lost while fn ran (ring full): gaps.dropped + gaps.leftoverDropped. */
  dropped: number;
  readonly [BRAND]: true;
}

export function makeObservation<T>(fields: Omit<Observation<T>, typeof BRAND>): Observation<T> {
  return { ...fields, [BRAND]: true };
}

export function isObservation(value: unknown): value is Observation {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
