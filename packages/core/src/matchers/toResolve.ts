// expect(fn).toResolve(hosts): every listed host name was looked up over DNS.
import { formatEvent } from '../format.js';
import { compileHostPatterns } from '../policy/host-patterns.js';
import { expectAllSeen } from './families.js';
import { lookups } from './select.js';

export const toResolve = expectAllSeen({
  name: 'toResolve',
  argument: 'hosts',
  verb: 'Expected to resolve',
  missing: 'Never resolved',
  seen: 'Resolved',
  noun: 'DNS quer(ies)',
  select: lookups,
  compile: (value, _tokens, what) => compileHostPatterns(value, what),
  format: formatEvent,
});
