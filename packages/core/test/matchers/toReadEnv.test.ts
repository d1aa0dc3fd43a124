import { describe, expect, test } from 'vitest';
import { makeObservation } from '../../src/observation.js';
import { NO_GAPS } from '../../src/completeness.js';
import type { VivariumEvent } from '../../src/events.js';
import { byChild, env, open } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

/** An observation of a worker whose env uprobes could not be attached. */
const blindTo = (kind: string, ...events: VivariumEvent[]) =>
  makeObservation({ result: undefined, error: undefined, threw: false, events, gaps: { ...NO_GAPS, unavailable: { [kind]: '/usr/local/bin/node maps no libc.so.6 (a statically linked program?)' } }, dropped: 0 });

describe('toReadEnv(names)', () => {
  test('passes when every name was read, by the worker or a child; globs match names', () => {
    expect(seen(env('SOME_TOKEN'), env('AWS_REGION', 'secure_getenv', byChild))).toReadEnv(['SOME_TOKEN', 'AWS_*']);
  });

  test('.not passes when a name was only set, or never read', () => {
    expect(seen(env('SOME_TOKEN', 'setenv'), env('HOME'))).not.toReadEnv('SOME_TOKEN');
  });

  test.each([
    ['A=B', "'A=B' is not a variable name pattern"],
    [[], 'must be a path pattern or a non-empty array of them'],
  ])('bad names %j: a TypeError saying %s', (names, text) => {
    expect(() => expect(seen()).toReadEnv(names as string)).toThrow(text);
  });

  test('env events unavailable for the worker: fails with the reason, whichever way it is asked', () => {
    expect(() => expect(blindTo('env')).not.toReadEnv('SOME_TOKEN')).toThrow(
      'vivarium: expect(fn).toReadEnv() cannot be checked: env events are unavailable for this worker (/usr/local/bin/node maps no libc.so.6 (a statically linked program?))',
    );
    expect(() => expect(blindTo('env')).not.toReadEnvOutside('*')).toThrow('env events are unavailable');
    expect(() => expect(blindTo('env')).not.toTrigger('env')).toThrow('env events are unavailable');
    // Other kinds' checks are unaffected.
    expect(blindTo('env')).not.toTrigger('exec');
  });

  test('failure: never read', () => {
    expect(messageOf(() => expect(seen(env('HOME'), env('TOKEN', 'putenv'))).toReadEnv(['SOME_TOKEN', 'HOME']))).toMatchInlineSnapshot(`
      "expect(fn).toReadEnv(names)

      Expected to read:
        SOME_TOKEN
        HOME
      Never read:
        SOME_TOKEN
      Received: 1 environment read(s):
        env HOME  getenv"
    `);
  });

  test('.not failure: what was read', () => {
    expect(messageOf(() => expect(seen(env('SOME_TOKEN'))).not.toReadEnv('SOME_*'))).toMatchInlineSnapshot(`
      "expect(fn).not.toReadEnv(names)

      Expected not to read:
        SOME_*
      Read:
        env SOME_TOKEN  getenv
      Received: 1 environment read(s):
        env SOME_TOKEN  getenv"
    `);
  });
});

describe('toReadEnvOutside(globs)', () => {
  test('reading /proc/self/environ reads every variable without getenv: outside any list of names', () => {
    expect(seen(open('/proc/self/environ'))).toReadEnvOutside(['HOME', 'AWS_*']);
    expect(seen(open('/proc/1234/task/1234/environ'))).toReadEnvOutside('HOME');
    expect(seen(open('/proc/self/environ', { result: -13 }))).not.toReadEnvOutside('HOME');
  });

  test('.not passes when every read is allowed; writes are not reads', () => {
    expect(seen(env('HOME'), env('NODE_OPTIONS'), env('SECRET', 'setenv'))).not.toReadEnvOutside(['HOME', 'NODE_*']);
  });

  test('failure: every read allowed', () => {
    expect(messageOf(() => expect(seen(env('HOME'), env('NODE_OPTIONS'))).toReadEnvOutside(['HOME', 'NODE_*']))).toMatchInlineSnapshot(`
      "expect(fn).toReadEnvOutside(globs)

      Allowed:
        HOME
        NODE_*
      Received: all 2 environment read(s) were inside"
    `);
  });

  test('.not failure: the reads outside', () => {
    expect(messageOf(() => expect(seen(env('HOME'), env('AWS_SECRET_ACCESS_KEY', 'getenv', byChild))).not.toReadEnvOutside(['HOME']))).toMatchInlineSnapshot(`
      "expect(fn).not.toReadEnvOutside(globs)

      Allowed:
        HOME
      Received: 1 environment read(s) outside (of 2):
        env AWS_SECRET_ACCESS_KEY  getenv  [child 4242]"
    `);
  });
});
