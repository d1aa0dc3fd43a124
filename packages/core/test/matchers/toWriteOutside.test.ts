import { describe, expect, test } from 'vitest';
import { event, failed, open, onPath, openToWrite, rename } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toWriteOutside(globs)', () => {
  describe('passes when some change to the file system fell outside the globs', () => {
    test.each([
      ['an open to write', openToWrite('/etc/x')],
      ['a failed one', openToWrite('/etc/x', failed('EACCES'))],
      ['an unlink', onPath('unlink', '/etc/x')],
      ['an rmdir', onPath('rmdir', '/etc/x')],
      ['a mkdir', onPath('mkdir', '/etc/x')],
      ['a chmod', onPath('chmod', '/etc/x')],
      ['a rename out of the tree', rename('rename', '/work/app/a', '/etc/a')],
      ['a rename into the tree', rename('rename', '/etc/a', '/work/app/a')],
      ['a link', rename('link', '/work/app/a', '/etc/a')],
    ])('%s', (_what, e) => {
      expect(seen(e)).toWriteOutside('<rootDir>/**');
    });
  });

  describe('.not passes when every change stayed inside', () => {
    test('reads anywhere are no writes', () => {
      expect(seen(open('/etc/passwd'), openToWrite('/work/app/out'), rename('rename', '/work/app/a', '/work/app/b'))).not.toWriteOutside(
        '<rootDir>/**',
      );
    });

    test('privileged acts are no writes', () => {
      expect(seen(event('setuid', { ids: [0] }))).not.toWriteOutside('<rootDir>/**');
    });
  });

  test.each(BAD_PATHS)('bad globs %j: a TypeError saying %s', (globs, text) => {
    expect(() => expect(seen()).not.toWriteOutside(globs as string)).toThrow(text);
  });

  test('.not failure: each write outside, by its line', () => {
    expect(
      messageOf(() =>
        expect(seen(openToWrite('/work/app/out'), rename('rename', '/work/app/a', '/elsewhere/a'), onPath('unlink', '/etc/x', failed('EACCES')))).not.toWriteOutside(
          '<rootDir>/**',
        ),
      ),
    ).toMatchInlineSnapshot(`
      "expect(fn).not.toWriteOutside(globs)

      Allowed:
        <rootDir>/**
      Received: 2 write attempt(s) outside (of 3):
        rename /work/app/a  → /elsewhere/a
        unlink /etc/x  EACCES"
    `);
  });

  test('failure: every write was inside', () => {
    expect(messageOf(() => expect(seen(openToWrite('/work/app/out'))).toWriteOutside('<rootDir>/**'))).toMatchInlineSnapshot(`
      "expect(fn).toWriteOutside(globs)

      Allowed:
        <rootDir>/**
      Received: all 1 write attempt(s) were inside"
    `);
  });
});
