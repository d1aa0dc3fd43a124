// What the matchers need from the runner they run in, handed to them when the
// adapter creates them (createMatchers) instead of read from a global:
//   - the token values their patterns expand: <rootDir> is the runner's root,
//     which only the adapter knows;
//   - a way to run fn under observation: the adapter's session.
//   - the runner's own snapshot matchers, which the footprint snapshot
//     matchers hand the footprint to, so -u, obsolete snapshots and CI mode
//     behave as the runner's own.
// Not carried by the Observation: patterns are compiled, and a typo refused,
// before fn runs, when there is no observation yet. Being explicit also lets
// the unit tests run every matcher without a kernel.
import type { EventKind } from '../events.js';
import type { Observation } from '../observation.js';
import { type TokenValues, currentTokens } from '../policy/tokens.js';
import type { Session } from '../session.js';
import type { MatcherResult, MatcherState } from './types.js';

export interface MatcherContext {
  /** Token values, read at each matcher call (<cwd> follows process.chdir()). */
  tokens(): TokenValues;
  /** Runs fn (sync or async) under observation, seeing `kinds` (those deferred by vivariumd are attached first). */
  observe(fn: () => unknown, kinds: readonly EventKind[]): Observation | Promise<Observation>;
  /** The runner's snapshot matchers; none: the snapshot matchers refuse to run. */
  snapshots?: RunnerSnapshots;
}

/** The runner's snapshot matchers, as an adapter hands them over. */
export interface RunnerSnapshots {
  /** Called as the matcher is called, before fn runs (and before any await):
   * the runner finds the call's place in the source from here, for inline snapshots. */
  begin(state: MatcherState, matcherName: string): RunnerSnapshotCall;
}

/** One snapshot matcher call, delegated to the runner's own matcher. */
export interface RunnerSnapshotCall {
  toMatchSnapshot(value: unknown, hint?: string): MatcherResult;
  toMatchInlineSnapshot(value: unknown, snapshot?: string): MatcherResult;
}

/** The context of an adapter: its session, its runner's root as <rootDir>, its runner's snapshots. */
export function matcherContext(session: Pick<Session, 'observe'>, rootDir: string, snapshots?: RunnerSnapshots): MatcherContext {
  return { tokens: () => currentTokens(rootDir), observe: (fn, kinds) => session.observe(fn, kinds), ...(snapshots ? { snapshots } : {}) };
}
