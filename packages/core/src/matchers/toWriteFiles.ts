// expect(fn).toWriteFiles(paths): every listed path was opened to write,
// create or truncate — an open the kind table files under the `write` rule —,
// by the file opened or the path as requested.
import { ruleOf, succeeded } from '../event-kinds.js';
import { expectAllSeen } from './families.js';
import { openedPaths } from './select.js';

export const toWriteFiles = expectAllSeen({
  signature: 'toWriteFiles(paths)',
  words: ['Expected to write', 'Never opened for writing', 'Written', 'successful open(s) for writing'],
  ...openedPaths,
  done: (e) => succeeded(e) && ruleOf(e) === 'write',
});
