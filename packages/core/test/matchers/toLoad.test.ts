import { describe, expect, test } from 'vitest';
import { load } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toLoad(globs)', () => {
  test('a glob without / matches the file name, one with / the path (tokens too)', () => {
    expect(seen(load('/work/app/build/Release/addon.node'), load('libz.so.1'))).toLoad(['*.node', 'libz.so*', '<rootDir>/build/**']);
  });

  test('.not passes when nothing matching was loaded', () => {
    expect(seen(load('/usr/lib/x86_64-linux-gnu/libz.so.1'))).not.toLoad('*.node');
  });

  test('failure: never loaded', () => {
    expect(messageOf(() => expect(seen(load('libz.so.1'))).toLoad(['*.node']))).toMatchInlineSnapshot(`
      "expect(fn).toLoad(globs)

      Expected to load:
        *.node
      Never loaded:
        *.node
      Received: 1 load(s):
        load libz.so.1"
    `);
  });

  test('.not failure: what was loaded', () => {
    expect(messageOf(() => expect(seen(load('/work/app/build/Release/addon.node'), load('libz.so.1'))).not.toLoad(['*.node']))).toMatchInlineSnapshot(`
      "expect(fn).not.toLoad(globs)

      Expected not to load:
        *.node
      Loaded:
        load /work/app/build/Release/addon.node
      Received: 2 load(s):
        load /work/app/build/Release/addon.node
        load libz.so.1"
    `);
  });
});
