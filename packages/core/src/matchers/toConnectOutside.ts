// expect(fn).not.toConnectOutside(allowed): every connect attempt, failed or
// not, went to an allowed endpoint.
import { expectOutside } from './families.js';
import { underRule } from './select.js';

export const toConnectOutside = expectOutside({
  signature: 'toConnectOutside(allowed)',
  noun: 'connect attempt(s)',
  attempts: underRule('connect'),
  subject: 'endpoint',
});
