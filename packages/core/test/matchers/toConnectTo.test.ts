import { describe, expect, test } from 'vitest';
import { connect, failed, inet, unix, unspec } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toConnectTo(endpoints)', () => {
  describe('passes when every endpoint was connected to', () => {
    test('TCP, Unix sockets, CIDR and loopback patterns', () => {
      expect(seen(connect(inet('127.0.0.1', 5432)), connect(unix('/tmp/x/db.sock')), connect(inet('10.1.2.3', 443)))).toConnectTo([
        '127.0.0.1:5432',
        'localhost:*',
        'unix:<tmp>/**',
        '10.0.0.0/8:443',
      ]);
    });

    test('a non-blocking connect still in progress counts', () => {
      expect(seen(connect(inet('::1', 8080), failed('EINPROGRESS')))).toConnectTo('[::1]:8080');
    });
  });

  describe('.not passes when some endpoint was not reached', () => {
    test('a refused connection', () => {
      expect(seen(connect(inet('127.0.0.1', 5432), failed('ECONNREFUSED')))).not.toConnectTo('127.0.0.1:5432');
    });

    test('a disconnect (AF_UNSPEC) is no connection', () => {
      expect(seen(connect(unspec))).not.toConnectTo('*:0');
    });
  });

  test.each([
    ['127.0.0.1', 'is not host:port or unix:path'],
    ['example.com:80', "has no valid IP address, CIDR or 'localhost' in 'example.com'"],
    ['1.2.3.4:99999', 'has port 99999 above 65535'],
    ['unix:', 'has an empty socket path'],
  ])('bad endpoint %j: a TypeError saying %s', (endpoint, text) => {
    expect(() => expect(seen()).toConnectTo(endpoint)).toThrow(text);
  });

  test('failure: never connected to, with the failed attempts', () => {
    expect(messageOf(() => expect(seen(connect(inet('127.0.0.1', 5432), failed('ECONNREFUSED')))).toConnectTo('localhost:5432')))
      .toMatchInlineSnapshot(`
        "expect(fn).toConnectTo(endpoints)

        Expected to connect to:
          localhost:5432
        Never connected to:
          localhost:5432
        Received: 0 connection(s)
        Failed attempts:
          connect 127.0.0.1:5432  ECONNREFUSED"
      `);
  });

  test('.not failure: what was connected to', () => {
    expect(messageOf(() => expect(seen(connect(unix('/run/x.sock')))).not.toConnectTo('unix:/run/*.sock'))).toMatchInlineSnapshot(`
      "expect(fn).not.toConnectTo(endpoints)

      Expected not to connect to:
        unix:/run/*.sock
      Connected to:
        connect unix:/run/x.sock
      Received: 1 connection(s):
        connect unix:/run/x.sock"
    `);
  });
});
