// What the matchers need from the runner they run in, handed to them when the
// adapter creates them (createMatchers) instead of read from a global:
//   - the token values their patterns expand: <rootDir> is the runner's root,
//     which only the adapter knows;
//   - a way to run fn under observation: the adapter's session.
// Not carried by the Observation: patterns are compiled, and a typo refused,
// before fn runs, when there is no observation yet. Being explicit also lets
// the unit tests run every matcher without a kernel.
import type { Observation } from '../observation.js';
import { type TokenValues, currentTokens } from '../policy/tokens.js';
import type { Session } from '../session.js';

export interface MatcherContext {
  /** Token values, read at each matcher call (<cwd> follows process.chdir()). */
  tokens(): TokenValues;
  /** Runs fn (sync or async) under observation. */
  observe(fn: () => unknown): Observation | Promise<Observation>;
}

/** The context of an adapter: its session, and its runner's root as <rootDir>. */
export function matcherContext(session: Pick<Session, 'observe'>, rootDir: string): MatcherContext {
  return { tokens: () => currentTokens(rootDir), observe: (fn) => session.observe(fn) };
}
