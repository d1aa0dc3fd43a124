import type { MatcherContext } from './context.js';
import { toConnectOutside } from './toConnectOutside.js';
import { toConnectTo } from './toConnectTo.js';
import { toDeleteFiles } from './toDeleteFiles.js';
import { toExec } from './toExec.js';
import { toExecOutside } from './toExecOutside.js';
import { toMatchFootprintSnapshot } from './toMatchFootprintSnapshot.js';
import { toMatchInlineFootprintSnapshot } from './toMatchInlineFootprintSnapshot.js';
import { toOpenFiles } from './toOpenFiles.js';
import { toOpenOutside } from './toOpenOutside.js';
import { toLoad } from './toLoad.js';
import { toReadEnv } from './toReadEnv.js';
import { toReadEnvOutside } from './toReadEnvOutside.js';
import { toReadFiles } from './toReadFiles.js';
import { toResolve } from './toResolve.js';
import { toRequest } from './toRequest.js';
import { toRequestOutside } from './toRequestOutside.js';
import { toResolveOutside } from './toResolveOutside.js';
import { toTouchOutside } from './toTouchOutside.js';
import { toTrigger } from './toTrigger.js';
import type { MatcherFactory, MatcherFunction } from './types.js';
import { toWriteFiles } from './toWriteFiles.js';
import { toWriteOutside } from './toWriteOutside.js';
import type { VivariumMatchers } from './typings.js';

export type { MatcherFactory, MatcherFunction, MatcherResult, MatcherReturn, MatcherState, MatcherUtils } from './types.js';
export type { VivariumMatchers } from './typings.js';
export { type MatcherContext, type RunnerSnapshotCall, type RunnerSnapshots, matcherContext } from './context.js';

/** Every Vivarium matcher, as a factory taking its context. */
export const MATCHER_FACTORIES = {
  toOpenFiles,
  toOpenOutside,
  toReadFiles,
  toWriteFiles,
  toWriteOutside,
  toDeleteFiles,
  toExec,
  toExecOutside,
  toConnectTo,
  toConnectOutside,
  toResolve,
  toResolveOutside,
  toRequest,
  toRequestOutside,
  toTouchOutside,
  toTrigger,
  toReadEnv,
  toReadEnvOutside,
  toLoad,
  toMatchFootprintSnapshot,
  toMatchInlineFootprintSnapshot,
} satisfies Record<keyof VivariumMatchers, MatcherFactory>;

export type VivariumMatcherFunctions = Record<keyof VivariumMatchers, MatcherFunction>;

/** Every Vivarium matcher, bound to a context, for expect.extend(). */
export function createMatchers(context: MatcherContext): VivariumMatcherFunctions {
  const matchers = {} as VivariumMatcherFunctions;
  for (const [name, factory] of Object.entries(MATCHER_FACTORIES)) matchers[name as keyof VivariumMatchers] = factory(context);
  return matchers;
}
