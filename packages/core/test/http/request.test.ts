import { describe, expect, test } from 'vitest';
import { decodeHttp1 } from '../../src/http/http1.js';
import { makeRequest, splitAuthority } from '../../src/http/request.js';

const whole = { line: false, host: false };

describe('HTTP/1 request heads', () => {
  test('request line and Host: method, host, port, path', () => {
    expect(decodeHttp1('GET /v1/users HTTP/1.1', 'api.example.com', whole)).toEqual({
      protocol: 'HTTP/1.1',
      request: { method: 'GET', scheme: 'https', host: 'api.example.com', port: 443, path: '/v1/users', text: 'GET https://api.example.com/v1/users' },
    });
    expect(decodeHttp1('POST /x HTTP/1.0', '127.0.0.1:8443', whole).request.text).toBe('POST https://127.0.0.1:8443/x');
  });

  test('a query or fragment is never kept, even if the kernel left one', () => {
    expect(decodeHttp1('GET /search?q=secret HTTP/1.1', 'h.test', whole).request.path).toBe('/search');
  });

  test('absolute form (through a proxy): the target names the host', () => {
    expect(decodeHttp1('GET https://api.example.com:8443/v1 HTTP/1.1', 'proxy.local', whole).request).toMatchObject({ host: 'api.example.com', port: 8443, path: '/v1' });
  });

  test.each([
    [{ line: true, host: true }, '', 'its request line is longer than Vivarium reads'],
    [{ line: false, host: true }, '', 'its Host header is beyond what Vivarium reads'],
    [whole, '', 'no host'],
    [whole, 'bad host/x', "host 'bad host/x' is not a host name"],
  ])('cut or incomplete (%j, host %j): unknown, saying why', (cut, host, why) => {
    expect(decodeHttp1('GET /v1 HTTP/1.1', host, cut).request.unknown).toBe(why);
  });
});

describe('authorities', () => {
  test.each([
    ['api.example.com', 'https', { host: 'api.example.com', port: 443 }],
    ['API.Example.com.:80', 'http', { host: 'api.example.com', port: 80 }],
    ['[::1]:8443', 'https', { host: '::1', port: 8443 }],
    ['user@h.test', 'https', { host: 'h.test', port: 443 }],
    ['h.test:99999', 'https', undefined],
  ])('%s (%s)', (authority, scheme, expected) => {
    expect(splitAuthority(authority, scheme)).toEqual(expected);
  });

  test('the text shows a port only when it is not the scheme default, and IPv6 in brackets', () => {
    expect(makeRequest({ method: 'GET', scheme: 'https', authority: '[::1]:8443', target: '/' }).text).toBe('GET https://[::1]:8443/');
    expect(makeRequest({ method: 'GET', scheme: 'https', authority: 'h.test:443', target: '/' }).text).toBe('GET https://h.test/');
  });
});
