import { describe, expect, test } from 'vitest';
import { dns } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toResolve(hosts)', () => {
  describe('passes when every host name was asked for', () => {
    test('exact names, one label (*) and any depth (**), case-insensitive', () => {
      expect(seen(dns('Registry.Example.com.'), dns('v1.api.test'), dns('a.b.corp.test'))).toResolve(['registry.example.com', '*.api.test', '**.corp.test']);
    });
  });

  describe('.not passes when some name was never asked for', () => {
    test('* is one label only', () => {
      expect(seen(dns('a.v1.api.test'))).not.toResolve('*.api.test');
    });

    test('a query whose name could not be read names nothing', () => {
      expect(seen(dns(''))).not.toResolve('**.test');
    });
  });

  test.each([
    ['exa mple.com', "host pattern 'exa mple.com' is not a host name"],
    ['a..b', "host pattern 'a..b' is not a host name"],
    [[], 'must be a path pattern or a non-empty array of them'],
  ])('bad hosts %j: a TypeError saying %s', (hosts, text) => {
    expect(() => expect(seen()).toResolve(hosts as string)).toThrow(text);
  });

  test('failure: never resolved', () => {
    expect(messageOf(() => expect(seen(dns('example.com', { type: 'AAAA' }), dns(''))).toResolve(['example.com', 'example.org']))).toMatchInlineSnapshot(`
      "expect(fn).toResolve(hosts)

      Expected to resolve:
        example.com
        example.org
      Never resolved:
        example.org
      Received: 2 DNS quer(ies):
        dns example.com  AAAA via 127.0.0.53:53
        dns (unparsed)  A via 127.0.0.53:53"
    `);
  });

  test('.not failure: what was resolved', () => {
    expect(messageOf(() => expect(seen(dns('example.com'))).not.toResolve('example.com'))).toMatchInlineSnapshot(`
      "expect(fn).not.toResolve(hosts)

      Expected not to resolve:
        example.com
      Resolved:
        dns example.com  A via 127.0.0.53:53
      Received: 1 DNS quer(ies):
        dns example.com  A via 127.0.0.53:53"
    `);
  });
});
