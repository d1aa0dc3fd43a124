// Footprint snapshots end to end: a fresh project, the real daemon, real
// Vitest and Jest runs (see footprint-lifecycle.ts for the steps).
import { describe } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { footprintLifecycle } from './footprint-lifecycle.js';

const skip = skipKernelTests();

describe.skipIf(skip).each(['vitest', 'jest'] as const)('footprint snapshots under %s', (runner) => {
  footprintLifecycle({ runner, inline: 'written' });
});
