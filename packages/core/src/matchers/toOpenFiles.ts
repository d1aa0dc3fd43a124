// expect(fn).toOpenFiles(paths): every listed path (exact or glob) was opened
// successfully by fn or its children. A path matches an open by the file
// actually opened or by the path as requested (so a symlink's name counts).
import type { FileOpenEvent } from '../events.js';
import { formatOpen, groupLines, indent } from '../format.js';
import { type PathPatterns, compilePathPatterns } from '../policy/path-patterns.js';
import { currentTokens } from '../policy/tokens.js';
import { Session } from '../session.js';
import { withObservation } from './received.js';
import type { MatcherReturn, MatcherState } from './types.js';

export function toOpenFiles(this: MatcherState, received: unknown, paths: PathPatterns): MatcherReturn {
  const hint = () => this.utils.matcherHint('toOpenFiles', 'fn', 'paths', { isNot: this.isNot, promise: this.promise ?? '' });
  // Patterns are checked before fn runs: a typo must not run the code under test.
  const matcher = compilePathPatterns(paths, currentTokens(Session.get().rootDir), 'toOpenFiles(paths)');
  return withObservation(received, 'toOpenFiles', (observation) => {
    const opens = observation.events.filter((e): e is FileOpenEvent => e.kind === 'file_open');
    const opened = opens.filter((e) => e.result >= 0);
    const hits = new Map<string, FileOpenEvent[]>(matcher.patterns.map((p) => [p, []]));
    for (const event of opened)
      for (const pattern of new Set([...matcher.matchAll(event.path), ...matcher.matchAll(event.requestedPath)]))
        hits.get(pattern)!.push(event);
    const missing = matcher.patterns.filter((p) => hits.get(p)!.length === 0);
    const pass = missing.length === 0;
    const failed = opens.filter((e) => e.result < 0);

    const message = () => {
      const parts = [hint(), ''];
      if (!pass) {
        parts.push(`Expected to open:\n${indent(matcher.patterns.map((p) => this.utils.EXPECTED_COLOR(p)))}`);
        parts.push(`Never opened:\n${indent(missing.map((p) => this.utils.EXPECTED_COLOR(p)))}`);
      } else {
        parts.push(`Expected not to open:\n${indent(matcher.patterns.map((p) => this.utils.EXPECTED_COLOR(p)))}`);
        const seen = matcher.patterns.flatMap((p) => hits.get(p)!.map(formatOpen));
        parts.push(`Opened:\n${indent(groupLines(seen).map(this.utils.RECEIVED_COLOR))}`);
      }
      parts.push(
        `Received: ${opened.length} successful open(s)${opened.length ? ':' : ''}` +
          (opened.length ? `\n${indent(groupLines(opened.map(formatOpen)).map(this.utils.RECEIVED_COLOR))}` : ''),
      );
      if (!pass && failed.length)
        parts.push(`Failed attempts:\n${indent(groupLines(failed.map(formatOpen)).map(this.utils.RECEIVED_COLOR))}`);
      return parts.join('\n');
    };
    return { pass, message };
  });
}
