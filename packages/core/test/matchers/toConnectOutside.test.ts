import { describe, expect, test } from 'vitest';
import { connect, failed, inet, unix, unspec } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toConnectOutside(allowed)', () => {
  describe('passes when some connect attempt went to an endpoint not allowed', () => {
    test('a successful one', () => {
      expect(seen(connect(inet('203.0.113.7', 443)))).toConnectOutside('localhost:*');
    });

    test('a refused one: attempts count', () => {
      expect(seen(connect(inet('203.0.113.7', 443), failed('ECONNREFUSED')))).toConnectOutside('localhost:*');
    });
  });

  describe('.not passes when every attempt was allowed', () => {
    test('IPv4-mapped IPv6 addresses match IPv4 rules', () => {
      expect(seen(connect(inet('::ffff:10.1.2.3', 443)), connect(unix('/run/x.sock')))).not.toConnectOutside(['10.0.0.0/8:443', 'unix:/run/*']);
    });

    test('a disconnect (AF_UNSPEC) reaches nobody', () => {
      expect(seen(connect(unspec))).not.toConnectOutside('localhost:*');
    });
  });

  test.each([
    [[], 'must be a path pattern or a non-empty array of them'],
    ['[::1:80', 'is not host:port or unix:path'],
    ['10.0.0.0/40:1', "has an invalid prefix length '/40'"],
  ])('bad endpoints %j: a TypeError saying %s', (allowed, text) => {
    expect(() => expect(seen()).not.toConnectOutside(allowed as string)).toThrow(text);
  });

  test('.not failure: the endpoints not allowed', () => {
    expect(
      messageOf(() =>
        expect(seen(connect(inet('127.0.0.1', 5432)), connect(inet('203.0.113.7', 443), failed('ECONNREFUSED')))).not.toConnectOutside('localhost:*'),
      ),
    ).toMatchInlineSnapshot(`
      "expect(fn).not.toConnectOutside(allowed)

      Allowed:
        localhost:*
      Received: 1 connect attempt(s) outside (of 2):
        connect 203.0.113.7:443  ECONNREFUSED"
    `);
  });

  test('failure: every attempt was allowed', () => {
    expect(messageOf(() => expect(seen(connect(inet('127.0.0.1', 5432)))).toConnectOutside('localhost:*'))).toMatchInlineSnapshot(`
      "expect(fn).toConnectOutside(allowed)

      Allowed:
        localhost:*
      Received: all 1 connect attempt(s) were inside"
    `);
  });
});
