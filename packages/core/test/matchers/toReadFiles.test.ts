import { describe, expect, test } from 'vitest';
import { failed, open, openToWrite } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toReadFiles(paths)', () => {
  describe('passes when every path was opened for reading', () => {
    test('read-only and read-write opens', () => {
      expect(seen(open('/etc/hosts'), open('/work/app/db', { access: 'read-write' }))).toReadFiles(['/etc/hosts', '<rootDir>/db']);
    });

    test('by the path as requested', () => {
      expect(seen(open('/real/a', { requestedPath: '/work/app/a' }))).toReadFiles('<rootDir>/a');
    });
  });

  describe('.not passes when some path was not read', () => {
    test('opened to write only', () => {
      expect(seen(openToWrite('/work/app/out'))).not.toReadFiles('<rootDir>/out');
    });

    test('a failed attempt', () => {
      expect(seen(open('/work/app/a', failed('EACCES')))).not.toReadFiles('<rootDir>/a');
    });
  });

  test.each(BAD_PATHS)('bad paths %j: a TypeError saying %s', (paths, text) => {
    expect(() => expect(seen()).toReadFiles(paths as string)).toThrow(text);
  });

  test('failure: never opened for reading', () => {
    expect(messageOf(() => expect(seen(openToWrite('/work/app/out'), open('/work/app/in', failed('EACCES')))).toReadFiles('<rootDir>/*')))
      .toMatchInlineSnapshot(`
        "expect(fn).toReadFiles(paths)

        Expected to read:
          <rootDir>/*
        Never opened for reading:
          <rootDir>/*
        Received: 0 successful open(s) for reading
        Failed attempts:
          open (read) /work/app/in  EACCES"
      `);
  });

  test('.not failure: what was read', () => {
    expect(messageOf(() => expect(seen(open('/work/app/in'))).not.toReadFiles('<rootDir>/in'))).toMatchInlineSnapshot(`
      "expect(fn).not.toReadFiles(paths)

      Expected not to read:
        <rootDir>/in
      Read:
        open (read) /work/app/in
      Received: 1 successful open(s) for reading:
        open (read) /work/app/in"
    `);
  });
});
