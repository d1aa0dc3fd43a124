// Patterns for environment variable names ('HOME', 'AWS_*', exact case) and
// for loaded libraries: a pattern with a '/' is a path pattern (tokens and
// globs as for files); one without matches the file's name, so '*.node'
// covers every addon and 'libz.so*' a bare name the loader searched for.
import { basename } from 'node:path';
import picomatch from 'picomatch';
import { type PatternCompiler, compilePathPatterns, patternList } from './path-patterns.js';

const VARIABLE = /^[^=\0]+$/;

export const compileVariablePatterns: PatternCompiler<string> = (value, _tokens, what) => {
  const patterns = patternList(value, what);
  const tests = patterns.map((pattern) => {
    if (!VARIABLE.test(pattern)) throw new TypeError(`vivarium: ${what}: '${pattern}' is not a variable name pattern (a name, or a glob like 'AWS_*'; no '=')`);
    const isMatch = picomatch(pattern, { dot: true, strictBrackets: true });
    return { pattern, test: (name: string) => isMatch(name) };
  });
  return { patterns, matching: (name) => tests.filter((t) => t.test(name)).map((t) => t.pattern) };
};

export const compileLibraryPatterns: PatternCompiler<string> = (value, tokens, what) => {
  const patterns = patternList(value, what);
  const paths = patterns.filter((p) => p.includes('/'));
  const byPath = paths.length ? compilePathPatterns(paths, tokens, what) : undefined;
  const names = patterns
    .filter((p) => !p.includes('/'))
    .map((pattern) => ({ pattern, isMatch: picomatch(pattern, { dot: true, strictBrackets: true }) }));
  return {
    patterns,
    matching: (library) => [
      ...(library.startsWith('/') && byPath ? byPath.matching(library) : []),
      ...names.filter((n) => n.isMatch(basename(library))).map((n) => n.pattern),
    ],
  };
};
