// expect(fn).toDeleteFiles(paths): every listed path was unlinked or removed.
import type { PathEvent } from '../events.js';
import { formatEvent } from '../format.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectAllSeen } from './families.js';
import { deletions } from './select.js';

export const toDeleteFiles = expectAllSeen({
  name: 'toDeleteFiles',
  argument: 'paths',
  verb: 'Expected to delete',
  missing: 'Never deleted',
  seen: 'Deleted',
  noun: 'deletion(s)',
  select: deletions,
  failed: (events) => events.filter((e) => (e.kind === 'unlink' || e.kind === 'rmdir') && e.result < 0),
  compile: eventPathPatterns((e: PathEvent) => [e.path]),
  format: formatEvent,
});
