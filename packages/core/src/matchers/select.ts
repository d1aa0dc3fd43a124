// Which events each matcher looks at, by kind or by the rule the kind table
// gives them, and which of their values its patterns judge.
import { type EventOf, type PolicyRule, rulesOf, subjectsOf } from '../event-kinds.js';
import type { EventKind, FileOpenEvent, VivariumEvent } from '../events.js';
import { type SubjectType, type SubjectValues, valuesOf } from '../subjects.js';

export const ofKinds =
  <K extends EventKind>(...kinds: K[]) =>
  (events: readonly VivariumEvent[]) =>
    events.filter((e): e is EventOf<K> => (kinds as EventKind[]).includes(e.kind));

/** Attempts a rule governs, as the policy judges them (the writes of
 * toWriteOutside are exactly the policy's; a send is a connect). */
export const underRule = (rule: PolicyRule) => (events: readonly VivariumEvent[]) => events.filter((e) => rulesOf(e).includes(rule));

/** An event's subjects of one type, as its patterns see them. */
export const subjectValues =
  <T extends SubjectType>(type: T) =>
  (event: VivariumEvent): Array<SubjectValues[T]> =>
    valuesOf(subjectsOf(event), type);

export const opens = ofKinds('file_open');

/** Opens judged by the file opened or by the path as requested (so a symlink's name counts). */
export const openedPaths = { attempts: opens, subject: 'path', values: (e: FileOpenEvent) => [e.path, e.requestedPath] } as const;
