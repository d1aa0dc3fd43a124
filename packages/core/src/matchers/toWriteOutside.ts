// expect(fn).not.toWriteOutside(globs): every attempt to change the file
// system — every event the kind table files under the `write` rule: opens to
// write, create or truncate; unlink, rmdir, mkdir, rename and link (both
// paths), symlink, chmod, chown — touched only paths inside the globs.
import { expectOutside } from './families.js';
import { underRule } from './select.js';

export const toWriteOutside = expectOutside({
  signature: 'toWriteOutside(globs)',
  noun: 'write attempt(s)',
  attempts: underRule('write'),
  subject: 'path',
});
