// Turns what was passed to expect() into an observation: a function is run
// under observation (awaited if it returns a promise); an observation from
// observe() is used as is.
import { assertComplete, leftoversOf } from '../completeness.js';
import type { EventKind } from '../events.js';
import { type Observation, isObservation } from '../observation.js';
import { describe } from '../policy/path-patterns.js';
import type { MatcherContext } from './context.js';
import type { MatcherResult, MatcherReturn } from './types.js';

/** `kinds`: the uprobe-fed kinds the matcher judges (vivariumd attaches deferred ones before fn runs). */
export function withObservation(
  context: MatcherContext,
  received: unknown,
  matcherName: string,
  kinds: readonly EventKind[],
  evaluate: (observation: Observation) => MatcherResult,
): MatcherReturn {
  const judge = (observation: Observation) => {
    assertComplete(observation.gaps, `expect(fn).${matcherName}()`, leftoversOf(observation.events));
    return evaluate(observation);
  };
  if (isObservation(received)) return judge(received);
  if (typeof received !== 'function')
    throw new TypeError(
      `vivarium: expect(received).${matcherName}() needs a function to run or an observation from observe(), got ${describe(received)}`,
    );
  const observed = context.observe(received as () => unknown, kinds);
  return observed instanceof Promise ? observed.then(judge) : judge(observed);
}
