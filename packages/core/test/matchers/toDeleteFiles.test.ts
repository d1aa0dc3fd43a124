import { describe, expect, test } from 'vitest';
import { failed, onPath, rename } from '../helpers/events.js';
import { BAD_PATHS, messageOf, seen } from './harness.js';

describe('toDeleteFiles(paths)', () => {
  describe('passes when every path was unlinked or removed', () => {
    test('unlink and rmdir', () => {
      expect(seen(onPath('unlink', '/tmp/x/a.txt'), onPath('rmdir', '/tmp/x'))).toDeleteFiles(['<tmp>/x/*.txt', '<tmp>/x']);
    });
  });

  describe('.not passes when some path was not deleted', () => {
    test('a failed unlink', () => {
      expect(seen(onPath('unlink', '/tmp/x/a.txt', failed('ENOENT')))).not.toDeleteFiles('/tmp/x/a.txt');
    });

    test('a rename away is no deletion', () => {
      expect(seen(rename('rename', '/tmp/x/a.txt', '/tmp/y'))).not.toDeleteFiles('/tmp/x/a.txt');
    });
  });

  test.each(BAD_PATHS)('bad paths %j: a TypeError saying %s', (paths, text) => {
    expect(() => expect(seen()).toDeleteFiles(paths as string)).toThrow(text);
  });

  test('failure: never deleted, with the failed attempts', () => {
    expect(messageOf(() => expect(seen(onPath('unlink', '/tmp/x/a'), onPath('rmdir', '/tmp/x', failed('ENOENT')))).toDeleteFiles(['/tmp/x/a', '/tmp/x'])))
      .toMatchInlineSnapshot(`
        "expect(fn).toDeleteFiles(paths)

        Expected to delete:
          /tmp/x/a
          /tmp/x
        Never deleted:
          /tmp/x
        Received: 1 deletion(s):
          unlink /tmp/x/a
        Failed attempts:
          rmdir /tmp/x  ENOENT"
      `);
  });

  test('.not failure: what was deleted', () => {
    expect(messageOf(() => expect(seen(onPath('unlink', '/tmp/x/a'))).not.toDeleteFiles('/tmp/x/a'))).toMatchInlineSnapshot(`
      "expect(fn).not.toDeleteFiles(paths)

      Expected not to delete:
        /tmp/x/a
      Deleted:
        unlink /tmp/x/a
      Received: 1 deletion(s):
        unlink /tmp/x/a"
    `);
  });
});
