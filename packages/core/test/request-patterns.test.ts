import { describe, expect, test } from 'vitest';
import { makeRequest } from '../src/http/request.js';
import { compileRequestPatterns } from '../src/policy/request-patterns.js';
import { TOKENS } from './matchers/harness.js';

const req = (method: string, url: string) => {
  const u = new URL(url);
  return makeRequest({ method, scheme: u.protocol.slice(0, -1), authority: u.host, target: u.pathname });
};
const matches = (pattern: string, method: string, url: string) => compileRequestPatterns(pattern, TOKENS, 'patterns').matching(req(method, url)).length > 0;

describe('request patterns', () => {
  test.each([
    ['GET https://api.example.com/v1/**', 'GET', 'https://api.example.com/v1/users/7', true],
    ['GET https://api.example.com/v1/**', 'POST', 'https://api.example.com/v1/users', false],
    ['GET https://api.example.com/v1/**', 'GET', 'https://api.example.com/v2/users', false],
    ['GET https://api.example.com/v1/**', 'GET', 'https://api.example.com:8443/v1/users', false],
    ['https://api.example.com', 'DELETE', 'https://api.example.com/anything/at/all', true],
    ['* https://api.example.com/', 'GET', 'https://api.example.com/', true],
    ['https://api.example.com/', 'GET', 'https://api.example.com/x', false],
    ['https://*.example.com/*', 'GET', 'https://api.example.com/x', true],
    ['https://*.example.com/*', 'GET', 'https://a.b.example.com/x', false],
    ['https://**.example.com/**', 'GET', 'https://a.b.example.com/x/y', true],
    ['https://127.0.0.1:*/**', 'GET', 'https://127.0.0.1:34567/x', true],
    ['https://127.0.0.1/**', 'GET', 'https://127.0.0.1:34567/x', false],
    ['https://[::1]:8443/**', 'GET', 'https://[::1]:8443/x', true],
    ['*://h.test/**', 'GET', 'http://h.test/x', true],
    ['http://h.test/**', 'GET', 'https://h.test/x', false],
    ['https://h.test/v1/*.json', 'GET', 'https://h.test/v1/a.json', true],
  ])('%s ~ %s %s: %s', (pattern, method, url, expected) => {
    expect(matches(pattern, method, url)).toBe(expected);
  });

  test('an unknown request matches no pattern', () => {
    const unknown = makeRequest({ method: 'GET', scheme: 'https', authority: 'h.test', target: '/' }, 'cut');
    expect(compileRequestPatterns('https://**', TOKENS, 'p').matching(unknown)).toEqual([]);
  });

  test.each([
    ['api.example.com/v1', 'is not a request pattern'],
    ['GET https://api.example.com/v1?x=1', 'has a query or fragment: requests are recorded without them'],
    ['ftp://h.test/', "has scheme 'ftp' (https, http or *)"],
    ['get https://h.test/', 'is not a request pattern'],
    ['https://h_!.test/', 'has no valid host'],
  ])('%j: a TypeError saying it %s', (pattern, why) => {
    expect(() => compileRequestPatterns(pattern, TOKENS, 'p')).toThrow(`request pattern '${pattern}' ${why}`);
  });
});
