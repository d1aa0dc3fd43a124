// Program patterns: a bare name ('cat', 'python*') matches the file name of
// the program run or requested ('sh' matches /usr/bin/dash run as /bin/sh);
// anything with a '/' or a token is a path pattern matched against the
// program the kernel ran (or the path requested).
import { basename } from 'node:path';
import picomatch from 'picomatch';
import type { Program } from '../subjects.js';
import { type SubjectPatterns, compilePathPatterns, patternList } from './path-patterns.js';
import type { TokenValues } from './tokens.js';

export function compileProgramPatterns(value: unknown, tokens: TokenValues, what: string): SubjectPatterns<Program> {
  const patterns = patternList(value, what);
  const names = patterns.filter((p) => !p.includes('/') && !p.startsWith('<'));
  const paths = patterns.filter((p) => !names.includes(p));
  const nameTests = names.map((name) => ({ name, test: picomatch(name, { dot: true }) }));
  const pathMatcher = paths.length ? compilePathPatterns(paths, tokens, what) : undefined;
  return {
    patterns,
    matching(program) {
      const files = [basename(program.path), basename(program.requested)];
      const byName = nameTests.filter((t) => files.some((f) => t.test(f))).map((t) => t.name);
      const byPath = pathMatcher ? [...pathMatcher.matching(program.path), ...pathMatcher.matching(program.requested)] : [];
      return [...new Set([...byName, ...byPath])];
    },
  };
}
