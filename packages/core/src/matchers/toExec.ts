// expect(fn).toExec(programs): every listed program was run. A bare name
// ('cat') matches the program's file name; a path or glob the program the
// kernel ran (or the path requested).
import { expectAllSeen } from './families.js';
import { ofKinds } from './select.js';

export const toExec = expectAllSeen({
  signature: 'toExec(programs)',
  words: ['Expected to run', 'Never ran', 'Ran', 'program(s) run'],
  attempts: ofKinds('exec'),
  subject: 'program',
});
