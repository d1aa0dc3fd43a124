import { describe, expect, test } from 'vitest';
import { byChild, failed, open, openToWrite } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toOpenFiles(paths)', () => {
  describe('passes when every path was opened successfully', () => {
    test('by the file opened, exact or by glob, tokens expanded', () => {
      expect(seen(open('/etc/hosts'), openToWrite('/work/app/out/a.json'))).toOpenFiles(['/etc/hosts', '<rootDir>/out/*.json']);
    });

    test('by the path as requested (a symlink’s name)', () => {
      expect(seen(open('/real/config', { requestedPath: '/work/app/config' }))).toOpenFiles('<cwd>/config');
    });

    test("by a child's open", () => {
      expect(seen(open('/etc/hostname', byChild))).toOpenFiles('/etc/hostname');
    });
  });

  describe('.not passes when some path was never opened', () => {
    test('a failed attempt is not an open', () => {
      expect(seen(open('/etc/hosts', failed('ENOENT')))).not.toOpenFiles('/etc/hosts');
    });

    test('one missing path is enough', () => {
      expect(seen(open('/etc/hosts'))).not.toOpenFiles(['/etc/hosts', '/etc/shadow']);
    });
  });

  test.each(BAD_PATHS)('bad paths %j: a TypeError saying %s', (paths, text) => {
    expect(() => expect(seen()).toOpenFiles(paths as string)).toThrow(TypeError);
    expect(() => expect(seen()).toOpenFiles(paths as string)).toThrow(text);
  });

  test('failure: expected, missing, what was opened and what failed', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'), open('/nope', failed('ENOENT')))).toOpenFiles(['/etc/hosts', '/etc/shadow'])))
      .toMatchInlineSnapshot(`
        "expect(fn).toOpenFiles(paths)

        Expected to open:
          /etc/hosts
          /etc/shadow
        Never opened:
          /etc/shadow
        Received: 1 successful open(s):
          open (read) /etc/hosts
        Failed attempts:
          open (read) /nope  ENOENT"
      `);
  });

  test('.not failure: what was opened, counted', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'), open('/etc/hosts'), open('/etc/passwd'))).not.toOpenFiles('/etc/h*')))
      .toMatchInlineSnapshot(`
        "expect(fn).not.toOpenFiles(paths)

        Expected not to open:
          /etc/h*
        Opened:
          open (read) /etc/hosts  ×2
        Received: 3 successful open(s):
          open (read) /etc/hosts  ×2
          open (read) /etc/passwd"
      `);
  });
});
