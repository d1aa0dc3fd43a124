// expect(fn).toWriteFiles(paths): every listed path was written: opened to
// write, create or truncate (by the file opened or the path as requested),
// or changed without an open — every event the kind table files under the
// `write` rule (truncate, utime, xattr, mknod, chmod, rename's both paths, ...).
import type { VivariumEvent } from '../events.js';
import { expectAllSeen } from './families.js';
import { subjectValues, underRule } from './select.js';

const paths = subjectValues('path');

export const toWriteFiles = expectAllSeen({
  signature: 'toWriteFiles(paths)',
  words: ['Expected to write', 'Never written', 'Written', 'successful write(s)'],
  attempts: underRule('write'),
  subject: 'path',
  values: (e: VivariumEvent) => (e.kind === 'file_open' ? [e.path, e.requestedPath] : paths(e)),
});
