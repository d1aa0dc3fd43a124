// The shape of the footprint snapshot matchers: fn runs under observation,
// its footprint (footprint/normalise.ts) goes to the runner's own snapshot
// matcher (so -u, obsolete snapshots and CI mode are the runner's), and a
// failure says what appeared and what disappeared before the runner's diff.
import { UPROBE_FED_KINDS } from '../event-kinds.js';
import { type Footprint, footprintOfEvents, linesOf, sizeOf } from '../footprint/normalise.js';
import { changes, footprintSnapshot, parseFootprint } from '../footprint/text.js';
import { indent } from '../format.js';
import { describe } from '../policy/path-patterns.js';
import type { MatcherContext, RunnerSnapshotCall } from './context.js';
import { withObservation } from './received.js';
import type { MatcherFactory, MatcherResult, MatcherReturn, MatcherState } from './types.js';

export interface SnapshotSpec {
  /** 'toMatchFootprintSnapshot(hint)' */
  signature: `${string}(${string})`;
  /** Hands the footprint to the runner's matcher, with the matcher's argument. */
  match(call: RunnerSnapshotCall, value: unknown, argument: string | undefined): MatcherResult;
}

/** What appeared and what disappeared, against the stored footprint (the runner's `expected`). */
function changesSince(state: MatcherState, stored: unknown, footprint: Footprint): string[] {
  if (typeof stored !== 'string') return [];
  const { appeared, disappeared } = changes(parseFootprint(stored), footprint);
  const listed = (f: Footprint, sign: string, color: (t: string) => string) => linesOf(f).map(({ group, text }) => color(`${sign} ${group}: ${text}`));
  return [
    `Footprint changed: ${sizeOf(appeared)} appeared, ${sizeOf(disappeared)} disappeared`,
    indent([...listed(appeared, '+', state.utils.RECEIVED_COLOR), ...listed(disappeared, '-', state.utils.EXPECTED_COLOR)]),
    '',
  ];
}

export function footprintSnapshotMatcher(spec: SnapshotSpec): MatcherFactory {
  const [, name, argument] = /^(\w+)\((\w+)\)$/.exec(spec.signature)!;
  return (context: MatcherContext) => {
    const matcher = function (this: MatcherState, received: unknown, value?: unknown): MatcherReturn {
      if (value !== undefined && typeof value !== 'string')
        throw new TypeError(`vivarium: ${spec.signature}: ${argument} must be a string, got ${describe(value)}`);
      if (this.isNot) throw new TypeError(`vivarium: expect(fn).not.${name}() is not supported: a snapshot cannot be negated (the snapshot is what fn may do)`);
      if (!context.snapshots)
        throw new TypeError(`vivarium: ${name}() needs a test runner's snapshots (use it under @vivarium/vitest or @vivarium/jest)`);
      // Before fn runs: an async fn's awaits would lose the caller's place.
      const call = context.snapshots.begin(this, name!);
      // A footprint lists every kind.
      return withObservation(context, received, name!, UPROBE_FED_KINDS, (observation) => {
        const footprint = footprintOfEvents(observation.events, context.tokens());
        const result = spec.match(call, footprintSnapshot(footprint), value);
        if (result.pass) return result;
        const hint = this.utils.matcherHint(name!, 'fn', value === undefined ? '' : argument, { isNot: false, promise: this.promise ?? '' });
        return { ...result, message: () => [hint, '', ...changesSince(this, result.expected, footprint), result.message()].join('\n') };
      });
    };
    Object.defineProperty(matcher, 'name', { value: name });
    return matcher;
  };
}
