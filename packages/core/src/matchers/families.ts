// The two shapes every Vivarium matcher takes, so each matcher file only
// says which events it looks at and how patterns apply to them:
//   expectAllSeen: every pattern is matched by some selected event (toOpenFiles, toExec, ...)
//   expectOutside: some selected attempt matches no allowed pattern (used as .not.toOpenOutside, ...)
import type { VivariumEvent } from '../events.js';
import { groupLines, indent } from '../format.js';
import type { EventPatterns } from '../policy/program-patterns.js';
import { currentTokens, type TokenValues } from '../policy/tokens.js';
import { Session } from '../session.js';
import { withObservation } from './received.js';
import type { MatcherReturn, MatcherState } from './types.js';

export interface AllSeenSpec<E extends VivariumEvent> {
  name: string;
  argument: string;
  /** 'Expected to open' / 'Expected not to open' */
  verb: string;
  /** 'Never opened' */
  missing: string;
  /** 'Opened' */
  seen: string;
  /** 'successful open(s)' */
  noun: string;
  /** Events that count as done. */
  select(events: VivariumEvent[]): E[];
  /** Attempts that failed, listed to help when the matcher fails. */
  failed?(events: VivariumEvent[]): VivariumEvent[];
  compile(value: unknown, tokens: TokenValues, what: string): EventPatterns<E>;
  format(event: E): string;
}

export function expectAllSeen<E extends VivariumEvent>(spec: AllSeenSpec<E>) {
  const matcher = function (this: MatcherState, received: unknown, value: unknown): MatcherReturn {
    // Patterns are checked before fn runs: a typo must not run the code under test.
    const compiled = spec.compile(value, currentTokens(Session.get().rootDir), `${spec.name}(${spec.argument})`);
    const hint = () => this.utils.matcherHint(spec.name, 'fn', spec.argument, { isNot: this.isNot, promise: this.promise ?? '' });
    return withObservation(received, spec.name, (observation) => {
      const done = spec.select(observation.events);
      const hits = new Map<string, E[]>(compiled.patterns.map((p) => [p, []]));
      for (const event of done) for (const pattern of compiled.matching(event)) hits.get(pattern)!.push(event);
      const missing = compiled.patterns.filter((p) => hits.get(p)!.length === 0);
      const pass = missing.length === 0;
      const expected = (list: readonly string[]) => indent(list.map((p) => this.utils.EXPECTED_COLOR(p)));
      const receivedLines = (events: VivariumEvent[], format: (e: never) => string) =>
        indent(groupLines(events.map((e) => format(e as never))).map((l) => this.utils.RECEIVED_COLOR(l)));
      const message = () => {
        const parts = [hint(), ''];
        if (!pass) parts.push(`${spec.verb}:\n${expected(compiled.patterns)}`, `${spec.missing}:\n${expected(missing)}`);
        else
          parts.push(
            `${spec.verb.replace(/^Expected to/, 'Expected not to')}:\n${expected(compiled.patterns)}`,
            `${spec.seen}:\n${receivedLines(compiled.patterns.flatMap((p) => hits.get(p)!), spec.format)}`,
          );
        parts.push(`Received: ${done.length} ${spec.noun}${done.length ? `:\n${receivedLines(done, spec.format)}` : ''}`);
        const failed = spec.failed?.(observation.events) ?? [];
        if (!pass && failed.length) parts.push(`Failed attempts:\n${receivedLines(failed, spec.format)}`);
        return parts.join('\n');
      };
      return { pass, message };
    });
  };
  Object.defineProperty(matcher, 'name', { value: spec.name });
  return matcher;
}

export interface OutsideSpec<E extends VivariumEvent> {
  name: string;
  argument: string;
  /** 'open attempt(s)' */
  noun: string;
  /** Attempts to judge. */
  select(events: VivariumEvent[]): E[];
  compile(value: unknown, tokens: TokenValues, what: string): EventPatterns<E>;
  /** Whether an attempt is inside, given the patterns (default: it matches one). */
  inside?(event: E, compiled: EventPatterns<E>): boolean;
  format(event: E): string;
}

export function expectOutside<E extends VivariumEvent>(spec: OutsideSpec<E>) {
  const inside =
    spec.inside ?? ((event: E, compiled: EventPatterns<E>) => (compiled.covers ? compiled.covers(event) : compiled.matching(event).length > 0));
  const matcher = function (this: MatcherState, received: unknown, value: unknown): MatcherReturn {
    const compiled = spec.compile(value, currentTokens(Session.get().rootDir), `${spec.name}(${spec.argument})`);
    const hint = () => this.utils.matcherHint(spec.name, 'fn', spec.argument, { isNot: this.isNot, promise: this.promise ?? '' });
    return withObservation(received, spec.name, (observation) => {
      const attempts = spec.select(observation.events);
      const outside = attempts.filter((e) => !inside(e, compiled));
      const pass = outside.length > 0;
      const message = () => {
        const parts = [hint(), '', `Allowed:\n${indent(compiled.patterns.map((p) => this.utils.EXPECTED_COLOR(p)))}`];
        if (pass)
          parts.push(
            `Received: ${outside.length} ${spec.noun} outside (of ${attempts.length}):\n` +
              indent(groupLines(outside.map(spec.format)).map((l) => this.utils.RECEIVED_COLOR(l))),
          );
        else parts.push(`Received: all ${attempts.length} ${spec.noun} were inside`);
        return parts.join('\n');
      };
      return { pass, message };
    });
  };
  Object.defineProperty(matcher, 'name', { value: spec.name });
  return matcher;
}
