// expect(fn).not.toConnectOutside(allowed): every connect attempt, failed or
// not, went to an allowed endpoint.
import { formatEvent } from '../format.js';
import { compileEndpointPatterns } from '../policy/endpoint-patterns.js';
import { expectOutside } from './families.js';
import { connects } from './select.js';

export const toConnectOutside = expectOutside({
  name: 'toConnectOutside',
  argument: 'allowed',
  noun: 'connect attempt(s)',
  select: connects,
  compile: (value, tokens, what) => compileEndpointPatterns(value, what, tokens),
  format: formatEvent,
});
