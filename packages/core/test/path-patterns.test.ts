import { describe, expect, test } from 'vitest';
import { compilePathPatterns } from '../src/policy/path-patterns.js';
import { expandTokens } from '../src/policy/tokens.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work' };

describe('compilePathPatterns', () => {
  test('exact paths and globs, tokens expanded', () => {
    const m = compilePathPatterns(['/etc/hosts', '<cwd>/**', '<tmp>/*.json'], tokens);
    expect(m.match('/etc/hosts')).toBe('/etc/hosts');
    expect(m.match('/work/app/src/.hidden/a.ts')).toBe('<cwd>/**');
    expect(m.match('/work/app')).toBe('<cwd>/**');
    expect(m.match('/tmp/x.json')).toBe('<tmp>/*.json');
    expect(m.match('/tmp/sub/x.json')).toBeUndefined();
    expect(m.match('/etc/hostsx')).toBeUndefined();
  });

  test('exact paths are normalised; special characters are literal', () => {
    const m = compilePathPatterns(['/a/./b/', '/weird/file'], tokens);
    expect(m.match('/a/b')).toBe('/a/./b/');
  });

  test.each([
    [[], 'non-empty array'],
    ['', 'non-empty strings'],
    [[42], 'non-empty strings'],
    [null, 'null'],
    ['relative/path', "'relative/path' is not absolute"],
    ['<nope>/x', 'unknown token <nope>'],
  ])('bad input %j is a TypeError naming it', (input, text) => {
    expect(() => compilePathPatterns(input, tokens)).toThrow(TypeError);
    expect(() => compilePathPatterns(input, tokens)).toThrow(text);
  });
});

describe('expandTokens', () => {
  test('adds the resolved variant when a token directory is a symlink', () => {
    expect(expandTokens('<cwd>/x', { ...tokens, cwd: '/proc/self/cwd' }).length).toBe(2);
    expect(expandTokens('/plain', tokens)).toEqual(['/plain']);
  });
});
