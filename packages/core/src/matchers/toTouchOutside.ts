// expect(fn).not.toTouchOutside(globs): every event that carries a path
// (opens, execs, deletions, both paths of renames, mount points, ...) stayed
// inside the globs.
import { subjectsOf } from '../event-kinds.js';
import type { VivariumEvent } from '../events.js';
import { subjectPaths } from '../subjects.js';
import { expectOutside } from './families.js';

const pathsOf = (event: VivariumEvent) => subjectPaths(subjectsOf(event));

export const toTouchOutside = expectOutside({
  signature: 'toTouchOutside(globs)',
  noun: 'path event(s)',
  attempts: (events) => events.filter((e) => pathsOf(e).length > 0),
  subject: 'path',
  values: pathsOf,
});
