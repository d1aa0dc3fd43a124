// expect(fn).toConnectTo(endpoints): every listed endpoint was connected to
// (a non-blocking connect still in progress counts).
import { formatEvent } from '../format.js';
import { compileEndpointPatterns } from '../policy/endpoint-patterns.js';
import { expectAllSeen } from './families.js';
import { connects, succeeded } from './select.js';

export const toConnectTo = expectAllSeen({
  name: 'toConnectTo',
  argument: 'endpoints',
  verb: 'Expected to connect to',
  missing: 'Never connected to',
  seen: 'Connected to',
  noun: 'connection(s)',
  select: (events) => connects(events).filter(succeeded),
  failed: (events) => connects(events).filter((e) => !succeeded(e)),
  compile: (value, tokens, what) => compileEndpointPatterns(value, what, tokens),
  format: formatEvent,
});
