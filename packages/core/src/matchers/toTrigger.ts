// expect(fn).toTrigger(kind, pattern?): fn or its children caused at least
// one event of that kind (attempts count, failed or not), optionally one
// with a subject the pattern matches — a path glob, a program, an endpoint or
// a host, as the kind table says the kind carries.
//   expect(fn).not.toTrigger('setuid')
import { assertAvailable } from '../completeness.js';
import { subjectTypesOf, subjectsOf } from '../event-kinds.js';
import { EVENT_KINDS, type EventKind, type VivariumEvent } from '../events.js';
import { formatEvent, groupLines, indent } from '../format.js';
import { describe } from '../policy/path-patterns.js';
import { compileSubjectPatterns } from '../policy/subject-patterns.js';
import type { TokenValues } from '../policy/tokens.js';
import type { MatcherContext } from './context.js';
import { withObservation } from './received.js';
import type { MatcherFactory, MatcherReturn, MatcherState } from './types.js';

/** Which events of `kind` the pattern matches. */
function compileFor(kind: EventKind, pattern: string, tokens: TokenValues): (event: VivariumEvent) => boolean {
  const what = `toTrigger('${kind}', pattern)`;
  // A privileged act is named by its kind already: a pattern would match nothing more.
  const type = subjectTypesOf(kind).find((t) => t !== 'act');
  if (!type) throw new TypeError(`vivarium: ${what}: ${kind} events have nothing a pattern could match (drop the pattern)`);
  const compiled = compileSubjectPatterns(type, pattern, tokens, what);
  return (event) => subjectsOf(event).some((s) => compiled.matching(s).length > 0);
}

export const toTrigger: MatcherFactory = (context: MatcherContext) =>
  function toTrigger(this: MatcherState, received: unknown, kind: unknown, pattern?: unknown): MatcherReturn {
    if (typeof kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(kind))
      throw new TypeError(`vivarium: toTrigger(kind): unknown event kind ${describe(kind)} (one of ${EVENT_KINDS.join(', ')})`);
    if (pattern !== undefined && typeof pattern !== 'string')
      throw new TypeError(`vivarium: toTrigger('${kind}', pattern): pattern must be a string, got ${describe(pattern)}`);
    const matches = pattern === undefined ? undefined : compileFor(kind as EventKind, pattern, context.tokens());
    const hint = () =>
      this.utils.matcherHint('toTrigger', 'fn', pattern === undefined ? 'kind' : 'kind, pattern', { isNot: this.isNot, promise: this.promise ?? '' });
    return withObservation(context, received, 'toTrigger', [kind as EventKind], (observation) => {
      assertAvailable(observation.gaps, [kind], 'expect(fn).toTrigger()');
      const ofKind = observation.events.filter((e) => e.kind === kind);
      const hits = matches ? ofKind.filter(matches) : ofKind;
      const pass = hits.length > 0;
      const wanted = `${kind} event${pattern === undefined ? '' : ` matching ${this.utils.EXPECTED_COLOR(pattern)}`}`;
      const list = (events: VivariumEvent[]) => indent(groupLines(events.map(formatEvent)).map((l) => this.utils.RECEIVED_COLOR(l)));
      const message = () =>
        [
          hint(),
          '',
          pass ? `Expected no ${wanted}` : `Expected a ${wanted}`,
          pass ? `Received: ${hits.length}:\n${list(hits)}` : `Received: ${ofKind.length} ${kind} event(s)${ofKind.length ? `:\n${list(ofKind)}` : ''}`,
        ].join('\n');
      return { pass, message };
    });
  };
