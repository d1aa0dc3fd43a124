// The two shapes every Vivarium matcher takes, so each matcher file only
// says which attempts it looks at and which of their subjects the patterns
// judge (by default all of the subject type's, from the kind table):
//   expectAllSeen: every pattern is matched by some selected event (toOpenFiles, toExec, ...)
//   expectOutside: some selected attempt has a value no allowed pattern matches (used as .not.toOpenOutside, ...)
// Events are shown by their line from the kind table (format.ts).
import { isBlind, succeeded } from '../event-kinds.js';
import type { EventKind, VivariumEvent } from '../events.js';
import { assertAvailable } from '../completeness.js';
import { formatEvent, groupLines, indent } from '../format.js';
import type { PatternCompiler, SubjectPatterns } from '../policy/path-patterns.js';
import { SUBJECT_COMPILERS } from '../policy/subject-patterns.js';
import type { SubjectType, SubjectValues } from '../subjects.js';
import type { MatcherContext } from './context.js';
import { withObservation } from './received.js';
import { subjectValues } from './select.js';
import type { MatcherFactory, MatcherResult, MatcherState } from './types.js';

/** What a matcher judges: attempts, and their subjects of one type. */
export interface Judged<E extends VivariumEvent, T extends SubjectType> {
  /** The attempts it looks at (failed ones included). */
  attempts(events: readonly VivariumEvent[]): E[];
  /** The type of subject its patterns match. */
  subject: T;
  /** The values of an attempt the patterns are matched against (default: its subjects of that type). */
  values?(event: E): Array<SubjectValues[T]>;
}

interface Spec<E extends VivariumEvent, T extends SubjectType> extends Judged<E, T> {
  /** 'toOpenFiles(paths)': the matcher's name and what its argument is called. */
  signature: `${string}(${string})`;
  /** Kinds seen through uprobes it judges: unavailable for the worker, the matcher fails with the reason. */
  needs?: readonly EventKind[];
}

export interface AllSeenSpec<E extends VivariumEvent, T extends SubjectType> extends Spec<E, T> {
  /** What the message says: 'Expected to open' (its .not form is derived), 'Never opened', 'Opened', 'successful open(s)'. */
  words: [verb: string, missing: string, seen: string, noun: string];
  /** Which attempts count as done (default: those that succeeded). Failed ones not done are listed to help. */
  done?(event: E): boolean;
}

export interface OutsideSpec<E extends VivariumEvent, T extends SubjectType> extends Spec<E, T> {
  /** 'open attempt(s)' */
  noun: string;
}

type Values<E, T extends SubjectType> = (event: E) => Array<SubjectValues[T]>;

/** The matcher of a spec: patterns compiled before fn runs (a typo must not run
 * the code under test), then `judge` on the observation. */
function defineMatcher<E extends VivariumEvent, T extends SubjectType>(
  spec: Spec<E, T>,
  judge: (
    state: MatcherState,
    events: readonly VivariumEvent[],
    compiled: SubjectPatterns<SubjectValues[T]>,
    values: Values<E, T>,
    hint: () => string,
  ) => MatcherResult,
): MatcherFactory {
  const [, name, argument] = /^(\w+)\((\w+)\)$/.exec(spec.signature)!;
  const compile = SUBJECT_COMPILERS[spec.subject] as PatternCompiler<SubjectValues[T]>;
  const values: Values<E, T> = spec.values ?? subjectValues(spec.subject);
  return (context: MatcherContext) => {
    const matcher = function (this: MatcherState, received: unknown, value: unknown) {
      const compiled = compile(value, context.tokens(), spec.signature);
      const hint = () => this.utils.matcherHint(name!, 'fn', argument, { isNot: this.isNot, promise: this.promise ?? '' });
      return withObservation(context, received, name!, spec.needs ?? [], (observation) => {
        assertAvailable(observation.gaps, spec.needs ?? [], `expect(fn).${name}()`);
        return judge(this, observation.events, compiled, values, hint);
      });
    };
    Object.defineProperty(matcher, 'name', { value: name });
    return matcher;
  };
}

const listed = (state: MatcherState, events: readonly VivariumEvent[]) =>
  indent(groupLines(events.map(formatEvent)).map((l) => state.utils.RECEIVED_COLOR(l)));
const patternList = (state: MatcherState, patterns: readonly string[]) => indent(patterns.map((p) => state.utils.EXPECTED_COLOR(p)));

export function expectAllSeen<E extends VivariumEvent, T extends SubjectType>(spec: AllSeenSpec<E, T>): MatcherFactory {
  const [verb, missingWord, seenWord, noun] = spec.words;
  const isDone = spec.done ?? succeeded;
  return defineMatcher(spec, (state, events, compiled, values, hint) => {
    const attempts = spec.attempts(events);
    const done = attempts.filter(isDone);
    const hits = new Map<string, E[]>(compiled.patterns.map((p) => [p, []]));
    for (const event of done) {
      const matched = new Set(values(event).flatMap((v) => compiled.matching(v)));
      for (const pattern of matched) hits.get(pattern)!.push(event);
    }
    const missing = compiled.patterns.filter((p) => hits.get(p)!.length === 0);
    const pass = missing.length === 0;
    const message = () => {
      const parts = [hint(), ''];
      if (!pass) parts.push(`${verb}:\n${patternList(state, compiled.patterns)}`, `${missingWord}:\n${patternList(state, missing)}`);
      else
        parts.push(
          `${verb.replace(/^Expected to/, 'Expected not to')}:\n${patternList(state, compiled.patterns)}`,
          `${seenWord}:\n${listed(state, compiled.patterns.flatMap((p) => hits.get(p)!))}`,
        );
      parts.push(`Received: ${done.length} ${noun}${done.length ? `:\n${listed(state, done)}` : ''}`);
      const failed = attempts.filter((e) => !succeeded(e) && !isDone(e));
      if (!pass && failed.length) parts.push(`Failed attempts:\n${listed(state, failed)}`);
      return parts.join('\n');
    };
    return { pass, message };
  });
}

export function expectOutside<E extends VivariumEvent, T extends SubjectType>(spec: OutsideSpec<E, T>): MatcherFactory {
  return defineMatcher(spec, (state, events, compiled, values, hint) => {
    // What the backend could not observe is outside every list: it could be anything.
    const attempts = [...new Set([...spec.attempts(events), ...(events.filter(isBlind) as E[])])];
    // Inside: every value is allowed. An attempt with no value to judge (a DNS
    // name that could not be read, a path the kernel could not resolve) is
    // outside: nothing allows it.
    const inside = (event: E) => {
      const judged = values(event);
      return judged.length > 0 && judged.every((v) => compiled.matching(v).length > 0);
    };
    const outside = attempts.filter((e) => !inside(e));
    const pass = outside.length > 0;
    const message = () => {
      const parts = [hint(), '', `Allowed:\n${patternList(state, compiled.patterns)}`];
      if (pass) parts.push(`Received: ${outside.length} ${spec.noun} outside (of ${attempts.length}):\n${listed(state, outside)}`);
      else parts.push(`Received: all ${attempts.length} ${spec.noun} were inside`);
      return parts.join('\n');
    };
    return { pass, message };
  });
}
