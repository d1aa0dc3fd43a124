import { describe, expect, test } from 'vitest';
import { byChild, exec, failed } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toExecOutside(allowed)', () => {
  describe('passes when some program run was not allowed', () => {
    test('by name or by path', () => {
      expect(seen(exec('/usr/bin/curl', ['curl']))).toExecOutside(['sh', '/usr/bin/git']);
    });

    test('an exec refused by the kernel (EACCES) was an attempt', () => {
      expect(seen(exec('/usr/bin/curl', [], failed('EACCES')))).toExecOutside('sh');
    });
  });

  describe('.not passes when every program run was allowed', () => {
    test('a failed PATH lookup (ENOENT) ran nothing: it is no attempt', () => {
      expect(seen(exec('/usr/bin/git', ['git']), exec('/usr/local/bin/curl', [], failed('ENOENT')))).not.toExecOutside('git');
    });

    test('allowed by the name it was asked for', () => {
      expect(seen(exec('/usr/bin/dash', ['sh'], { requestedPath: '/bin/sh' }))).not.toExecOutside('sh');
    });
  });

  test.each([
    [[], 'must be a path pattern or a non-empty array of them'],
    [[''], 'must contain only non-empty strings'],
  ])('bad programs %j: a TypeError saying %s', (allowed, text) => {
    expect(() => expect(seen()).not.toExecOutside(allowed as string)).toThrow(text);
  });

  test('.not failure: the program not allowed, with its arguments', () => {
    expect(messageOf(() => expect(seen(exec('/usr/bin/ls', ['ls', '/'], byChild), exec('/usr/bin/dash', ['sh']))).not.toExecOutside('dash')))
      .toMatchInlineSnapshot(`
        "expect(fn).not.toExecOutside(allowed)

        Allowed:
          dash
        Received: 1 program(s) run outside (of 2):
          exec /usr/bin/ls  ["ls","/"]  [child 4242]"
      `);
  });

  test('failure: every program was allowed', () => {
    expect(messageOf(() => expect(seen(exec('/usr/bin/git', ['git']))).toExecOutside('git'))).toMatchInlineSnapshot(`
      "expect(fn).toExecOutside(allowed)

      Allowed:
        git
      Received: all 1 program(s) run were inside"
    `);
  });
});
