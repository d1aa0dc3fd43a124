// expect(fn).not.toResolveOutside(hostGlobs): every DNS query asked only for
// allowed names.
import { formatEvent } from '../format.js';
import { compileHostPatterns } from '../policy/host-patterns.js';
import { expectOutside } from './families.js';
import { lookups } from './select.js';

export const toResolveOutside = expectOutside({
  name: 'toResolveOutside',
  argument: 'hostGlobs',
  noun: 'DNS quer(ies)',
  select: lookups,
  compile: (value, _tokens, what) => compileHostPatterns(value, what),
  format: formatEvent,
});
