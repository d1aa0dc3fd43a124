// expect(fn).not.toResolveOutside(hostGlobs): every DNS query asked only for
// allowed names. A query whose name could not be read allows no judgement:
// it is outside.
import { expectOutside } from './families.js';
import { underRule } from './select.js';

export const toResolveOutside = expectOutside({
  signature: 'toResolveOutside(hostGlobs)',
  noun: 'DNS quer(ies)',
  attempts: underRule('resolve'),
  subject: 'host',
});
