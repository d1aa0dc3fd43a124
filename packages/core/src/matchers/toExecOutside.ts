// expect(fn).not.toExecOutside(allowed): every program fn and its children
// tried to run is allowed (by name or path). Failed PATH lookups (ENOENT)
// ran nothing and are not attempts.
import { formatEvent } from '../format.js';
import { compileProgramPatterns } from '../policy/program-patterns.js';
import { expectOutside } from './families.js';
import { execAttempts } from './select.js';

export const toExecOutside = expectOutside({
  name: 'toExecOutside',
  argument: 'allowed',
  noun: 'program(s) run',
  select: execAttempts,
  compile: compileProgramPatterns,
  format: formatEvent,
});
