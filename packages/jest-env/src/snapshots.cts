// Jest's own snapshots for the footprint snapshot matchers (see
// RunnerSnapshots in @vivarium/core): the footprint goes to the
// toMatchSnapshot / toMatchInlineSnapshot that jest-circus put on this test
// file's expect (jest-snapshot of the running Jest), called with the
// matcher's own `this` as Jest documents for custom snapshot matchers, so
// -u, --ci, obsolete snapshots and inline writing are Jest's. `this.error`
// is set when the matcher is called, before fn runs: an async fn's awaits
// would lose the place Jest writes an inline snapshot at.
import type { MatcherResult, MatcherState, RunnerSnapshots } from '@vivarium/core';

const MATCHERS = Symbol.for('$$jest-matchers-object');

type Matcher = (this: MatcherState, received: unknown, ...args: string[]) => MatcherResult;

const args = (value: string | undefined) => (value === undefined ? [] : [value]);

/** The snapshots of the test realm whose global is `global` (the environment's). */
export function jestSnapshots(global: object): RunnerSnapshots {
  const own = (name: 'toMatchSnapshot' | 'toMatchInlineSnapshot'): Matcher => {
    const matchers = (global as Record<symbol, { matchers?: Record<string, unknown> } | undefined>)[MATCHERS]?.matchers;
    const matcher = matchers?.[name];
    if (typeof matcher !== 'function')
      throw new Error(`vivarium: Jest's ${name} is not on this test file's expect (the footprint snapshot matchers need jest-circus, Jest's default runner)`);
    return matcher as Matcher;
  };
  return {
    begin(state) {
      (state as MatcherState & { error?: Error }).error = new Error();
      return {
        toMatchSnapshot: (value, hint) => own('toMatchSnapshot').call(state, value, ...args(hint)),
        toMatchInlineSnapshot: (value, snapshot) => own('toMatchInlineSnapshot').call(state, value, ...args(snapshot)),
      };
    },
  };
}
