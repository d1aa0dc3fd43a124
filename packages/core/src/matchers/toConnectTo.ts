// expect(fn).toConnectTo(endpoints): every listed endpoint was connected to
// (a non-blocking connect still in progress counts).
import { expectAllSeen } from './families.js';
import { underRule } from './select.js';

export const toConnectTo = expectAllSeen({
  signature: 'toConnectTo(endpoints)',
  words: ['Expected to connect to', 'Never connected to', 'Connected to', 'connection(s)'],
  attempts: underRule('connect'),
  subject: 'endpoint',
});
