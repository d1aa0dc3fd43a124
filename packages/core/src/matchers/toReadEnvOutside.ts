// expect(fn).not.toReadEnvOutside(globs): every environment variable read
// has an allowed name. Changes (setenv, unsetenv, putenv) are judged by the
// policy's env rule, not here.
import { expectOutside } from './families.js';
import { envReads } from './toReadEnv.js';

export const toReadEnvOutside = expectOutside({
  signature: 'toReadEnvOutside(globs)',
  noun: 'environment read(s)',
  attempts: envReads,
  subject: 'variable',
  needs: ['env'],
});
