import { describe, expect, test } from 'vitest';
import { http, request, unobservable } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

const users = http([request('GET', 'https://api.example.com/v1/users')]);
const admin = http([request('POST', 'https://api.example.com/admin/reset')]);

describe('toRequestOutside(patterns)', () => {
  describe('passes when some request was not allowed', () => {
    test('a request outside the patterns', () => {
      expect(seen(users, admin)).toRequestOutside('https://api.example.com/v1/**');
    });

    test('a request not read whole: nothing allows it', () => {
      expect(seen(http([request('GET', 'https://api.example.com/v1/x', { unknown: 'its request line is longer than Vivarium reads' })]))).toRequestOutside('https://**');
    });

    test('what the backend could not observe is outside', () => {
      expect(seen(unobservable())).toRequestOutside('https://**');
    });
  });

  describe('.not passes when every request was allowed', () => {
    test('HTTP/2 writes with several requests, and a write that only opened a connection', () => {
      const h2 = http([request('GET', 'https://api.example.com/v1/a'), request('GET', 'https://api.example.com/v1/b')], { protocol: 'HTTP/2' });
      expect(seen(users, h2, http([], { protocol: 'HTTP/2' }))).not.toRequestOutside('GET https://api.example.com/v1/**');
    });
  });

  test('.not failure: the requests not allowed', () => {
    const cut = http([request('GET', 'https://api.example.com/v1/x', { unknown: 'its request line is longer than Vivarium reads' })]);
    expect(messageOf(() => expect(seen(users, admin, cut)).not.toRequestOutside('GET https://api.example.com/v1/**'))).toMatchInlineSnapshot(`
      "expect(fn).not.toRequestOutside(patterns)

      Allowed:
        GET https://api.example.com/v1/**
      Received: 2 write(s) sending HTTP requests outside (of 3):
        request POST https://api.example.com/admin/reset  HTTP/1.1
        request GET https://api.example.com/v1/x  HTTP/1.1; unknown: its request line is longer than Vivarium reads"
    `);
  });

  test('failure: every request was allowed', () => {
    expect(messageOf(() => expect(seen(users)).toRequestOutside('https://api.example.com'))).toMatchInlineSnapshot(`
      "expect(fn).toRequestOutside(patterns)

      Allowed:
        https://api.example.com
      Received: all 1 write(s) sending HTTP requests were inside"
    `);
  });
});
