import { describe, expect, test } from 'vitest';
import { SAMPLES, connect, event, exec, inet, open, onPath, rename } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toTouchOutside(globs)', () => {
  describe('passes when some path-carrying event fell outside the globs', () => {
    test.each([
      ['an open', open('/etc/passwd')],
      ['a program run', exec('/usr/bin/ls', ['ls'])],
      ['an unlink', onPath('unlink', '/etc/x')],
      ['the new path of a rename', rename('rename', '/work/app/a', '/etc/a')],
      ['a mount point', SAMPLES.mount],
      ['a symlink (the link itself)', event('symlink', { path: '/etc/l', requestedPath: '/etc/l', requested: 'x', target: '/work/app/x' })],
    ])('%s', (_what, e) => {
      expect(seen(e)).toTouchOutside('<rootDir>/**');
    });
  });

  describe('.not passes when every path stayed inside', () => {
    test('events without paths are not judged', () => {
      expect(seen(open('/work/app/a'), connect(inet('203.0.113.7', 443)), SAMPLES.setuid, SAMPLES.fork)).not.toTouchOutside('<rootDir>/**');
    });

    test("a symlink's target is text, not a path touched", () => {
      expect(seen(event('symlink', { path: '/work/app/l', requestedPath: '/work/app/l', requested: '/etc/passwd', target: '/etc/passwd' }))).not.toTouchOutside(
        '<rootDir>/**',
      );
    });
  });

  test.each(BAD_PATHS)('bad globs %j: a TypeError saying %s', (globs, text) => {
    expect(() => expect(seen()).not.toTouchOutside(globs as string)).toThrow(text);
  });

  test('.not failure: each event outside, by its line', () => {
    expect(
      messageOf(() => expect(seen(open('/work/app/a'), exec('/usr/bin/ls', ['ls']), rename('link', '/work/app/a', '/tmp/b'))).not.toTouchOutside('<rootDir>/**')),
    ).toMatchInlineSnapshot(`
      "expect(fn).not.toTouchOutside(globs)

      Allowed:
        <rootDir>/**
      Received: 2 path event(s) outside (of 3):
        exec /usr/bin/ls  ["ls"]
        link /work/app/a  → /tmp/b"
    `);
  });

  test('failure: every event was inside', () => {
    expect(messageOf(() => expect(seen(open('/work/app/a'))).toTouchOutside('<rootDir>/**'))).toMatchInlineSnapshot(`
      "expect(fn).toTouchOutside(globs)

      Allowed:
        <rootDir>/**
      Received: all 1 path event(s) were inside"
    `);
  });
});
