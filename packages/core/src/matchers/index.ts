export { toOpenFiles } from './toOpenFiles.js';
export { toOpenOutside } from './toOpenOutside.js';
export type { MatcherResult, MatcherReturn, MatcherState, MatcherUtils } from './types.js';
export type { VivariumMatchers } from './typings.js';

import { toOpenFiles } from './toOpenFiles.js';
import { toOpenOutside } from './toOpenOutside.js';

/** Every Vivarium matcher, for expect.extend(). */
export const matchers = { toOpenFiles, toOpenOutside };
