// expect(fn).toReadFiles(paths): every listed path was opened for reading.
import { formatOpen } from '../format.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectAllSeen } from './families.js';
import { failedOpens, successfulOpens } from './select.js';

export const toReadFiles = expectAllSeen({
  name: 'toReadFiles',
  argument: 'paths',
  verb: 'Expected to read',
  missing: 'Never opened for reading',
  seen: 'Read',
  noun: 'successful open(s) for reading',
  select: (events) => successfulOpens(events).filter((e) => e.access !== 'write'),
  failed: failedOpens,
  compile: eventPathPatterns((e) => [e.path, e.requestedPath]),
  format: formatOpen,
});
