// expect(fn).not.toOpenOutside(globs): every open *attempt* of fn and its
// children, failed ones included, was inside the globs. An attempt is judged
// by the file the kernel resolved (a symlink inside pointing outside is
// outside); a failed attempt by the path as requested, made absolute.
import { expectOutside } from './families.js';
import { opens } from './select.js';

export const toOpenOutside = expectOutside({
  signature: 'toOpenOutside(globs)',
  noun: 'open attempt(s)',
  attempts: opens,
  subject: 'path',
});
