import { describe, expect, test } from 'vitest';
import { failed, open, openToWrite } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toWriteFiles(paths)', () => {
  describe('passes when every path was opened to write, create or truncate', () => {
    test('write, read-write, create and truncate all write', () => {
      expect(
        seen(
          openToWrite('/work/app/a'),
          open('/work/app/b', { access: 'read-write' }),
          open('/work/app/c', { create: true }),
          open('/work/app/d', { truncate: true }),
        ),
      ).toWriteFiles(['<rootDir>/a', '<rootDir>/b', '<rootDir>/c', '<rootDir>/d']);
    });
  });

  describe('.not passes when some path was not written', () => {
    test('opened for reading only', () => {
      expect(seen(open('/work/app/a'))).not.toWriteFiles('<rootDir>/a');
    });

    test('a failed attempt to write', () => {
      expect(seen(openToWrite('/etc/passwd', failed('EACCES')))).not.toWriteFiles('/etc/passwd');
    });
  });

  test.each(BAD_PATHS)('bad paths %j: a TypeError saying %s', (paths, text) => {
    expect(() => expect(seen()).toWriteFiles(paths as string)).toThrow(text);
  });

  test('failure: never opened for writing, with the failed attempts', () => {
    expect(messageOf(() => expect(seen(open('/work/app/a'), openToWrite('/etc/passwd', failed('EACCES')))).toWriteFiles(['<rootDir>/a', '/etc/passwd'])))
      .toMatchInlineSnapshot(`
        "expect(fn).toWriteFiles(paths)

        Expected to write:
          <rootDir>/a
          /etc/passwd
        Never written:
          <rootDir>/a
          /etc/passwd
        Received: 0 successful write(s)
        Failed attempts:
          open (write+create+truncate) /etc/passwd  EACCES"
      `);
  });

  test('.not failure: what was written', () => {
    expect(messageOf(() => expect(seen(openToWrite('/work/app/a'))).not.toWriteFiles('<rootDir>/a'))).toMatchInlineSnapshot(`
      "expect(fn).not.toWriteFiles(paths)

      Expected not to write:
        <rootDir>/a
      Written:
        open (write+create+truncate) /work/app/a
      Received: 1 successful write(s):
        open (write+create+truncate) /work/app/a"
    `);
  });
});
