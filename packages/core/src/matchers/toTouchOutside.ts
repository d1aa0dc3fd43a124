// expect(fn).not.toTouchOutside(globs): every event that carries a path
// (opens, execs, deletions, renames, ...) stayed inside the globs.
import { formatEvent } from '../format.js';
import { eventPaths } from '../events.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { expectOutside } from './families.js';
import { pathEvents } from './select.js';

export const toTouchOutside = expectOutside({
  name: 'toTouchOutside',
  argument: 'globs',
  noun: 'path event(s)',
  select: pathEvents,
  compile: eventPathPatterns(eventPaths),
  format: formatEvent,
});
