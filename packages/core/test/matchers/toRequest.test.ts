import { describe, expect, test } from 'vitest';
import { NO_GAPS } from '../../src/completeness.js';
import { makeObservation } from '../../src/observation.js';
import { http, request } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

const users = http([request('GET', 'https://api.example.com/v1/users')]);
const upload = http([request('POST', 'https://127.0.0.1:8443/upload'), request('GET', 'https://127.0.0.1:8443/status')], { protocol: 'HTTP/2' });

describe('toRequest(patterns)', () => {
  test('every pattern matched by some request: method, scheme, host, port, path glob', () => {
    expect(seen(users, upload)).toRequest(['GET https://api.example.com/v1/**', 'POST https://127.0.0.1:*/upload', 'https://127.0.0.1:8443']);
  });

  test('.not passes when no request matched', () => {
    expect(seen(users)).not.toRequest('DELETE https://api.example.com/**');
  });

  test('a request not read whole matches nothing', () => {
    expect(seen(http([request('GET', 'https://api.example.com/v1/users', { unknown: 'cut' })]))).not.toRequest('https://**');
  });

  test('http events unavailable for the worker: fails with the reason, whichever way it is asked', () => {
    const blind = makeObservation({ result: undefined, error: undefined, threw: false, events: [], gaps: { ...NO_GAPS, unavailable: { http: '/opt/node/bin/node defines none of SSL_write' } }, dropped: 0 });
    expect(() => expect(blind).toRequest('https://**')).toThrow(
      'vivarium: expect(fn).toRequest() cannot be checked: http events are unavailable for this worker (/opt/node/bin/node defines none of SSL_write)',
    );
    expect(() => expect(blind).not.toRequestOutside('https://**')).toThrow('http events are unavailable');
  });

  test.each([
    ['api.example.com/v1', "request pattern 'api.example.com/v1' is not a request pattern"],
    ['GET https://h.test/?q=1', 'has a query or fragment'],
    [[], 'toRequest(patterns) must be a path pattern or a non-empty array of them'],
  ])('bad patterns %j: a TypeError saying %s', (patterns, text) => {
    expect(() => expect(seen()).toRequest(patterns)).toThrow(text);
  });

  test('failure: the patterns never matched, and the requests seen', () => {
    expect(messageOf(() => expect(seen(users, upload)).toRequest(['GET https://api.example.com/v1/**', 'DELETE https://api.example.com/**'])))
      .toMatchInlineSnapshot(`
        "expect(fn).toRequest(patterns)

        Expected to request:
          GET https://api.example.com/v1/**
          DELETE https://api.example.com/**
        Never requested:
          DELETE https://api.example.com/**
        Received: 2 write(s) sending HTTP requests:
          request GET https://api.example.com/v1/users  HTTP/1.1
          request POST https://127.0.0.1:8443/upload, GET https://127.0.0.1:8443/status  HTTP/2"
      `);
  });

  test('.not failure: the requests that matched', () => {
    expect(messageOf(() => expect(seen(users)).not.toRequest('https://api.example.com'))).toMatchInlineSnapshot(`
      "expect(fn).not.toRequest(patterns)

      Expected not to request:
        https://api.example.com
      Requested:
        request GET https://api.example.com/v1/users  HTTP/1.1
      Received: 1 write(s) sending HTTP requests:
        request GET https://api.example.com/v1/users  HTTP/1.1"
    `);
  });
});
