// expect(fn).toOpenFiles(paths): every listed path (exact or glob) was opened
// successfully by fn or its children. A path matches an open by the file
// actually opened or by the path as requested (so a symlink's name counts).
import { formatOpen } from '../format.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectAllSeen } from './families.js';
import { failedOpens, successfulOpens } from './select.js';

export const toOpenFiles = expectAllSeen({
  name: 'toOpenFiles',
  argument: 'paths',
  verb: 'Expected to open',
  missing: 'Never opened',
  seen: 'Opened',
  noun: 'successful open(s)',
  select: successfulOpens,
  failed: failedOpens,
  compile: eventPathPatterns((e) => [e.path, e.requestedPath]),
  format: formatOpen,
});
