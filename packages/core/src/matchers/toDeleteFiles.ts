// expect(fn).toDeleteFiles(paths): every listed path was unlinked or removed.
import { expectAllSeen } from './families.js';
import { ofKinds } from './select.js';

export const toDeleteFiles = expectAllSeen({
  signature: 'toDeleteFiles(paths)',
  words: ['Expected to delete', 'Never deleted', 'Deleted', 'deletion(s)'],
  attempts: ofKinds('unlink', 'rmdir'),
  subject: 'path',
});
