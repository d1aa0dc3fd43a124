// expect(fn).not.toRequestOutside(patterns): every HTTP request sent matched
// an allowed pattern. A request Vivarium could not read whole (a cut write,
// an HTTP/2 header table not followed from the connection's start) is
// outside: nothing allows it.
import { expectOutside } from './families.js';
import { underRule } from './select.js';

export const toRequestOutside = expectOutside({
  signature: 'toRequestOutside(patterns)',
  noun: 'write(s) sending HTTP requests',
  attempts: underRule('http'),
  subject: 'request',
  needs: ['http'],
});
