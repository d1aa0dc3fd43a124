// expect(fn).toRequest(patterns): every pattern was matched by an HTTP
// request sent (through a TLS library: SSL_write, SSL_write_ex), whatever
// answer came back.
import { expectAllSeen } from './families.js';
import { underRule } from './select.js';

export const toRequest = expectAllSeen({
  signature: 'toRequest(patterns)',
  words: ['Expected to request', 'Never requested', 'Requested', 'HTTP request(s)'],
  attempts: underRule('http'),
  subject: 'request',
  done: () => true,
});
