// expect(fn).toExec(programs): every listed program was run. A bare name
// ('cat') matches the program's file name; a path or glob the program the
// kernel ran (or the path requested).
import { formatEvent } from '../format.js';
import { compileProgramPatterns } from '../policy/program-patterns.js';
import { expectAllSeen } from './families.js';
import { execs } from './select.js';

export const toExec = expectAllSeen({
  name: 'toExec',
  argument: 'programs',
  verb: 'Expected to run',
  missing: 'Never ran',
  seen: 'Ran',
  noun: 'program(s) run',
  select: (events) => execs(events).filter((e) => e.result >= 0),
  failed: (events) => execs(events).filter((e) => e.result < 0),
  compile: compileProgramPatterns,
  format: formatEvent,
});
