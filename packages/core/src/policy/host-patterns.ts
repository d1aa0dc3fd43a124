// Host name patterns for DNS matchers: 'example.com', '*.example.com' (one
// label), '**.example.com' (any number of labels, or none), case-insensitive.
import type { DnsEvent } from '../events.js';
import { patternList } from './path-patterns.js';
import type { EventPatterns } from './program-patterns.js';

function compileOne(pattern: string): RegExp {
  const host = pattern.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9*_.-]+$/.test(host) || host.includes('..'))
    throw new TypeError(`vivarium: host pattern '${pattern}' is not a host name (letters, digits, '-', '.', and * or ** as wildcards)`);
  const source = host
    .split('.')
    .map((label) => (label === '**' ? '(?:[^.]+\\.)*' : `${label.replace(/[-_]/g, '\\$&').replace(/\*/g, '[^.]*')}\\.`))
    .join('');
  return new RegExp(`^${source.replace(/\\\.$/, '')}$`);
}

export function compileHostPatterns(value: unknown, what: string): EventPatterns<DnsEvent> {
  const patterns = patternList(value, what);
  const tests = patterns.map((pattern) => ({ pattern, re: compileOne(pattern) }));
  return {
    patterns,
    matching: (event) => {
      const name = event.name.toLowerCase().replace(/\.$/, '');
      return tests.filter((t) => t.re.test(name)).map((t) => t.pattern);
    },
  };
}
