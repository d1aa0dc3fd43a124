// Host name patterns for DNS matchers: 'example.com', '*.example.com' (one
// label), '**.example.com' (any number of labels, or none), case-insensitive.
import { type SubjectPatterns, patternList } from './path-patterns.js';
import type { TokenValues } from './tokens.js';

export function compileHostPattern(pattern: string): RegExp {
  const host = pattern.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9*_.-]+$/.test(host) || host.includes('..'))
    throw new TypeError(`vivarium: host pattern '${pattern}' is not a host name (letters, digits, '-', '.', and * or ** as wildcards)`);
  const source = host
    .split('.')
    .map((label) => (label === '**' ? '(?:[^.]+\\.)*' : `${label.replace(/[-_]/g, '\\$&').replace(/\*/g, '[^.]*')}\\.`))
    .join('');
  return new RegExp(`^${source.replace(/\\\.$/, '')}$`);
}

/** `_tokens`: host names have none; taken for the one argument order of every pattern compiler. */
export function compileHostPatterns(value: unknown, _tokens: TokenValues, what: string): SubjectPatterns<string> {
  const patterns = patternList(value, what);
  const tests = patterns.map((pattern) => ({ pattern, re: compileHostPattern(pattern) }));
  return {
    patterns,
    matching: (host) => {
      const name = host.toLowerCase().replace(/\.$/, '');
      return tests.filter((t) => t.re.test(name)).map((t) => t.pattern);
    },
  };
}
