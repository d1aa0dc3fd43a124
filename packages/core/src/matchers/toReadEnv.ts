// expect(fn).toReadEnv(names): every listed environment variable was read
// (getenv or secure_getenv, as Node's process.env does; names or globs such
// as 'AWS_*', exact case). Fails with the reason when env events are
// unavailable for the worker.
import type { VivariumEvent } from '../events.js';
import { readsEnvironFile } from '../event-kinds.js';
import { expectAllSeen } from './families.js';

/** getenv and secure_getenv, and opens of /proc/<pid>/environ (every variable, no getenv). */
export const envReads = (events: readonly VivariumEvent[]) =>
  events.filter((e) => (e.kind === 'env' && !e.write) || readsEnvironFile(e));

export const toReadEnv = expectAllSeen({
  signature: 'toReadEnv(names)',
  words: ['Expected to read', 'Never read', 'Read', 'environment read(s)'],
  attempts: envReads,
  subject: 'variable',
  needs: ['env'],
});
