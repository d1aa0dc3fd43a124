// expect(fn).toTrigger(kind, pattern?): fn or its children caused at least
// one event of that kind (attempts count, failed or not), optionally one
// whose subject matches the pattern: a path glob for path events, a program
// for exec, an endpoint for connect, a host for dns.
//   expect(fn).not.toTrigger('setuid')
import { EVENT_KINDS, type EventKind, type VivariumEvent, eventPaths } from '../events.js';
import { formatEvent, groupLines, indent } from '../format.js';
import { compileEndpointPatterns } from '../policy/endpoint-patterns.js';
import { eventPathPatterns } from '../policy/event-paths.js';
import { compileHostPatterns } from '../policy/host-patterns.js';
import { describe } from '../policy/path-patterns.js';
import { type EventPatterns, compileProgramPatterns } from '../policy/program-patterns.js';
import { currentTokens } from '../policy/tokens.js';
import { Session } from '../session.js';
import { withObservation } from './received.js';
import type { MatcherReturn, MatcherState } from './types.js';

const SUBJECTLESS: readonly EventKind[] = ['setuid', 'setgid', 'ptrace', 'kill', 'fork', 'exit'];

function compileFor(kind: EventKind, pattern: string): EventPatterns<VivariumEvent> {
  const what = `toTrigger('${kind}', pattern)`;
  const tokens = currentTokens(Session.get().rootDir);
  switch (kind) {
    case 'exec':
      return compileProgramPatterns(pattern, tokens, what) as EventPatterns<VivariumEvent>;
    case 'connect':
      return compileEndpointPatterns(pattern, what, tokens) as EventPatterns<VivariumEvent>;
    case 'dns':
      return compileHostPatterns(pattern, what) as EventPatterns<VivariumEvent>;
    default:
      if (SUBJECTLESS.includes(kind))
        throw new TypeError(`vivarium: ${what}: ${kind} events have nothing a pattern could match (drop the pattern)`);
      return eventPathPatterns<VivariumEvent>(eventPaths)(pattern, tokens, what);
  }
}

export function toTrigger(this: MatcherState, received: unknown, kind: unknown, pattern?: unknown): MatcherReturn {
  if (typeof kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(kind))
    throw new TypeError(`vivarium: toTrigger(kind): unknown event kind ${describe(kind)} (one of ${EVENT_KINDS.join(', ')})`);
  if (pattern !== undefined && typeof pattern !== 'string')
    throw new TypeError(`vivarium: toTrigger('${kind}', pattern): pattern must be a string, got ${describe(pattern)}`);
  const compiled = pattern === undefined ? undefined : compileFor(kind as EventKind, pattern);
  const hint = () => this.utils.matcherHint('toTrigger', 'fn', pattern === undefined ? 'kind' : 'kind, pattern', { isNot: this.isNot, promise: this.promise ?? '' });
  return withObservation(received, 'toTrigger', (observation) => {
    const ofKind = observation.events.filter((e) => e.kind === kind);
    const hits = compiled ? ofKind.filter((e) => compiled.matching(e).length > 0) : ofKind;
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
}
