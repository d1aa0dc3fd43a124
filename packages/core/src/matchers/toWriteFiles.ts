// expect(fn).toWriteFiles(paths): every listed path was opened to write,
// create or truncate.
import { formatOpen } from '../format.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectAllSeen } from './families.js';
import { failedOpens, successfulOpens, writesIntent } from './select.js';

export const toWriteFiles = expectAllSeen({
  name: 'toWriteFiles',
  argument: 'paths',
  verb: 'Expected to write',
  missing: 'Never opened for writing',
  seen: 'Written',
  noun: 'successful open(s) for writing',
  select: (events) => successfulOpens(events).filter(writesIntent),
  failed: failedOpens,
  compile: eventPathPatterns((e) => [e.path, e.requestedPath]),
  format: formatOpen,
});
