// expect(fn).toResolve(hosts): every listed host name was asked for in a DNS
// query (every query sent counts, whatever its result).
import { expectAllSeen } from './families.js';
import { underRule } from './select.js';

export const toResolve = expectAllSeen({
  signature: 'toResolve(hosts)',
  words: ['Expected to resolve', 'Never resolved', 'Resolved', 'DNS quer(ies)'],
  attempts: underRule('resolve'),
  subject: 'host',
  done: () => true,
});
