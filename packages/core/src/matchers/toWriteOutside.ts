// expect(fn).not.toWriteOutside(globs): every attempt to change the file
// system (open to write, create or truncate; unlink, rmdir, mkdir, rename,
// link, symlink, chmod, chown) touched only paths inside the globs.
import { formatEvent } from '../format.js';
import { eventPaths } from '../events.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectOutside } from './families.js';
import { writeAttempts } from './select.js';

export const toWriteOutside = expectOutside({
  name: 'toWriteOutside',
  argument: 'globs',
  noun: 'write attempt(s)',
  select: writeAttempts,
  compile: eventPathPatterns(eventPaths),
  format: formatEvent,
});
