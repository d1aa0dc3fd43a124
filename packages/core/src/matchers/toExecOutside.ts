// expect(fn).not.toExecOutside(allowed): every program fn and its children
// tried to run is allowed (by name or path). Failed PATH lookups (ENOENT)
// ran nothing and are not attempts: the kind table gives them no rule.
import { expectOutside } from './families.js';
import { underRule } from './select.js';

export const toExecOutside = expectOutside({
  signature: 'toExecOutside(allowed)',
  noun: 'program(s) run',
  attempts: underRule('exec'),
  subject: 'program',
});
