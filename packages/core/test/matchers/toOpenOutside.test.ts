import { describe, expect, test } from 'vitest';
import { byChild, failed, open, openToWrite } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toOpenOutside(globs)', () => {
  describe('passes when some open attempt fell outside the globs', () => {
    test('a successful open', () => {
      expect(seen(open('/work/app/a'), open('/etc/passwd'))).toOpenOutside('<rootDir>/**');
    });

    test('a failed attempt counts, judged by the path requested', () => {
      expect(seen(open('/etc/shadow', failed('EACCES')))).toOpenOutside('<rootDir>/**');
    });

    test('a symlink inside that leads outside is outside: judged by the file the kernel opened', () => {
      expect(seen(open('/etc/passwd', { requestedPath: '/work/app/link' }))).toOpenOutside('<rootDir>/**');
    });
  });

  describe('.not passes when every attempt was inside', () => {
    test('reads, writes and failed attempts alike', () => {
      expect(seen(open('/work/app/a'), openToWrite('/tmp/x/out'), open('/work/app/b', failed('ENOENT')))).not.toOpenOutside([
        '<rootDir>/**',
        '<tmp>/**',
      ]);
    });

    test('no open at all', () => {
      expect(seen()).not.toOpenOutside('/nothing');
    });
  });

  test.each(BAD_PATHS)('bad globs %j: a TypeError saying %s', (globs, text) => {
    expect(() => expect(seen()).not.toOpenOutside(globs as string)).toThrow(text);
  });

  test('.not failure: every attempt outside, failed ones and children included', () => {
    expect(
      messageOf(() =>
        expect(seen(open('/work/app/a'), open('/etc/passwd', byChild), open('/nope/x', failed('ENOENT')))).not.toOpenOutside('<rootDir>/**'),
      ),
    ).toMatchInlineSnapshot(`
      "expect(fn).not.toOpenOutside(globs)

      Allowed:
        <rootDir>/**
      Received: 2 open attempt(s) outside (of 3):
        open (read) /etc/passwd  [child 4242]
        open (read) /nope/x  ENOENT"
    `);
  });

  test('failure: all attempts were inside', () => {
    expect(messageOf(() => expect(seen(open('/work/app/a'))).toOpenOutside('<rootDir>/**'))).toMatchInlineSnapshot(`
      "expect(fn).toOpenOutside(globs)

      Allowed:
        <rootDir>/**
      Received: all 1 open attempt(s) were inside"
    `);
  });

  test('long lists are cut with a count', () => {
    const many = Array.from({ length: 25 }, (_, i) => open(`/out/${i}`));
    expect(messageOf(() => expect(seen(...many)).not.toOpenOutside('/work/**'))).toContain('… and 15 more');
  });
});
