import { toConnectOutside } from './toConnectOutside.js';
import { toConnectTo } from './toConnectTo.js';
import { toDeleteFiles } from './toDeleteFiles.js';
import { toExec } from './toExec.js';
import { toExecOutside } from './toExecOutside.js';
import { toOpenFiles } from './toOpenFiles.js';
import { toOpenOutside } from './toOpenOutside.js';
import { toReadFiles } from './toReadFiles.js';
import { toResolve } from './toResolve.js';
import { toResolveOutside } from './toResolveOutside.js';
import { toTouchOutside } from './toTouchOutside.js';
import { toTrigger } from './toTrigger.js';
import { toWriteFiles } from './toWriteFiles.js';
import { toWriteOutside } from './toWriteOutside.js';

export type { MatcherResult, MatcherReturn, MatcherState, MatcherUtils } from './types.js';
export type { VivariumMatchers } from './typings.js';
export {
  toConnectOutside,
  toConnectTo,
  toDeleteFiles,
  toExec,
  toExecOutside,
  toOpenFiles,
  toOpenOutside,
  toReadFiles,
  toResolve,
  toResolveOutside,
  toTouchOutside,
  toTrigger,
  toWriteFiles,
  toWriteOutside,
};

/** Every Vivarium matcher, for expect.extend(). */
export const matchers = {
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
  toTouchOutside,
  toTrigger,
};
