// expect(fn).toRequest(patterns): every pattern was matched by an HTTP
// request sent (through a TLS library: SSL_write, SSL_write_ex), whatever
// answer came back. Fails with the reason when http events are unavailable
// for the worker.
import { expectAllSeen } from './families.js';
import { underRule } from './select.js';

export const toRequest = expectAllSeen({
  signature: 'toRequest(patterns)',
  words: ['Expected to request', 'Never requested', 'Requested', 'write(s) sending HTTP requests'],
  attempts: underRule('http'),
  subject: 'request',
  done: () => true,
  needs: ['http'],
});
