// expect(fn).not.toOpenOutside(globs): every open *attempt* of fn and its
// children, failed ones included, was inside the globs. An attempt is judged
// by the file the kernel resolved (a symlink inside pointing outside is
// outside); a failed attempt by the path as requested, made absolute.
import type { FileOpenEvent } from '../events.js';
import { formatOpen, groupLines, indent } from '../format.js';
import { type PathPatterns, compilePathPatterns } from '../policy/path-patterns.js';
import { currentTokens } from '../policy/tokens.js';
import { Session } from '../session.js';
import { withObservation } from './received.js';
import type { MatcherReturn, MatcherState } from './types.js';

export function toOpenOutside(this: MatcherState, received: unknown, globs: PathPatterns): MatcherReturn {
  const hint = () => this.utils.matcherHint('toOpenOutside', 'fn', 'globs', { isNot: this.isNot, promise: this.promise ?? '' });
  // Patterns are checked before fn runs: a typo must not run the code under test.
  const matcher = compilePathPatterns(globs, currentTokens(Session.get().rootDir), 'toOpenOutside(globs)');
  return withObservation(received, 'toOpenOutside', (observation) => {
    const attempts = observation.events.filter((e): e is FileOpenEvent => e.kind === 'file_open');
    const outside = attempts.filter((e) => matcher.match(e.path) === undefined);
    const pass = outside.length > 0;

    const message = () => {
      const parts = [hint(), '', `Allowed:\n${indent(matcher.patterns.map((p) => this.utils.EXPECTED_COLOR(p)))}`];
      if (pass)
        parts.push(
          `Received: ${outside.length} open attempt(s) outside (of ${attempts.length}):\n` +
            indent(groupLines(outside.map(formatOpen)).map(this.utils.RECEIVED_COLOR)),
        );
      else parts.push(`Received: all ${attempts.length} open attempt(s) were inside`);
      return parts.join('\n');
    };
    return { pass, message };
  });
}
