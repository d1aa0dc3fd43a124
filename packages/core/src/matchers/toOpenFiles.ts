// expect(fn).toOpenFiles(paths): every listed path (exact or glob) was opened
// successfully by fn or its children. A path matches an open by the file
// actually opened or by the path as requested (so a symlink's name counts).
import { expectAllSeen } from './families.js';
import { openedPaths } from './select.js';

export const toOpenFiles = expectAllSeen({
  signature: 'toOpenFiles(paths)',
  words: ['Expected to open', 'Never opened', 'Opened', 'successful open(s)'],
  ...openedPaths,
});
