import { describe, expect, test } from 'vitest';
import { byChild, exec, failed } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

const dashAsSh = exec('/usr/bin/dash', ['sh', '-c', 'ls'], { requestedPath: '/bin/sh', requested: 'sh', ...byChild });

describe('toExec(programs)', () => {
  describe('passes when every program was run', () => {
    test('a bare name matches the file run or requested', () => {
      expect(seen(dashAsSh)).toExec(['sh', 'dash', 'da*']);
    });

    test('a path or glob matches the program the kernel ran, or the path requested', () => {
      expect(seen(dashAsSh, exec('/work/app/bin/tool', []))).toExec(['/usr/bin/*', '/bin/sh', '<rootDir>/bin/tool']);
    });
  });

  describe('.not passes when some program never ran', () => {
    test('a failed exec ran nothing', () => {
      expect(seen(exec('/usr/bin/git', [], failed('EACCES')))).not.toExec('git');
    });

    test('a name is a whole file name', () => {
      expect(seen(dashAsSh)).not.toExec('das');
    });
  });

  test.each([
    [[], 'must be a path pattern or a non-empty array of them'],
    [42, 'got number 42'],
    ['<nope>/x', 'unknown token <nope>'],
  ])('bad programs %j: a TypeError saying %s', (programs, text) => {
    expect(() => expect(seen()).toExec(programs as string)).toThrow(text);
  });

  test('failure: never ran, with the failed attempts', () => {
    expect(messageOf(() => expect(seen(dashAsSh, exec('/usr/local/bin/git', [], failed('ENOENT')))).toExec(['sh', 'git'])))
      .toMatchInlineSnapshot(`
        "expect(fn).toExec(programs)

        Expected to run:
          sh
          git
        Never ran:
          git
        Received: 1 program(s) run:
          exec /usr/bin/dash  ["sh","-c","ls"]  (requested /bin/sh)  [child 4242]
        Failed attempts:
          exec /usr/local/bin/git  ENOENT"
      `);
  });

  test('.not failure: what ran', () => {
    expect(messageOf(() => expect(seen(dashAsSh)).not.toExec('sh'))).toMatchInlineSnapshot(`
      "expect(fn).not.toExec(programs)

      Expected not to run:
        sh
      Ran:
        exec /usr/bin/dash  ["sh","-c","ls"]  (requested /bin/sh)  [child 4242]
      Received: 1 program(s) run:
        exec /usr/bin/dash  ["sh","-c","ls"]  (requested /bin/sh)  [child 4242]"
    `);
  });
});
