// expect(fn).toReadFiles(paths): every listed path was opened for reading
// (read-only or read-write), by the file opened or the path as requested.
import { succeeded } from '../event-kinds.js';
import { expectAllSeen } from './families.js';
import { openedPaths } from './select.js';

export const toReadFiles = expectAllSeen({
  signature: 'toReadFiles(paths)',
  words: ['Expected to read', 'Never opened for reading', 'Read', 'successful open(s) for reading'],
  ...openedPaths,
  done: (e) => succeeded(e) && e.access !== 'write',
});
