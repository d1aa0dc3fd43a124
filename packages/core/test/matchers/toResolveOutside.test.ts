import { describe, expect, test } from 'vitest';
import { dns } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toResolveOutside(hostGlobs)', () => {
  describe('passes when some DNS query asked for a name not allowed', () => {
    test('a name outside the globs', () => {
      expect(seen(dns('tracker.example.com'))).toResolveOutside('*.internal.test');
    });

    test('a query whose name could not be read: nothing allows it', () => {
      expect(seen(dns(''))).toResolveOutside('**');
    });
  });

  describe('.not passes when every query asked for an allowed name', () => {
    test('** matches any depth, and the name itself', () => {
      expect(seen(dns('corp.test'), dns('x.y.corp.test'))).not.toResolveOutside('**.corp.test');
    });
  });

  test.each([
    ['/etc', "host pattern '/etc' is not a host name"],
    ['x:1', "host pattern 'x:1' is not a host name"],
  ])('bad host globs %j: a TypeError saying %s', (hosts, text) => {
    expect(() => expect(seen()).not.toResolveOutside(hosts)).toThrow(text);
  });

  test('.not failure: the names not allowed', () => {
    expect(messageOf(() => expect(seen(dns('api.internal.test'), dns('tracker.example.com'), dns(''))).not.toResolveOutside('*.internal.test')))
      .toMatchInlineSnapshot(`
        "expect(fn).not.toResolveOutside(hostGlobs)

        Allowed:
          *.internal.test
        Received: 2 DNS quer(ies) outside (of 3):
          dns tracker.example.com  A via 127.0.0.53:53
          dns (unparsed)  A via 127.0.0.53:53"
      `);
  });

  test('failure: every query was allowed', () => {
    expect(messageOf(() => expect(seen(dns('api.internal.test'))).toResolveOutside('*.internal.test'))).toMatchInlineSnapshot(`
      "expect(fn).toResolveOutside(hostGlobs)

      Allowed:
        *.internal.test
      Received: all 1 DNS quer(ies) were inside"
    `);
  });
});
