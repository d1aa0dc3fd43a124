// What every matcher does with what expect() received, before its own logic.
import { describe, expect, test } from 'vitest';
import { NO_GAPS } from '../../src/completeness.js';
import { makeObservation } from '../../src/observation.js';
import { open } from '../helpers/events.js';
import { asyncFnThat, asyncMessageOf, fnThat, observedKinds, seen } from './harness.js';

describe('expect(received)', () => {
  test('a function is run under observation', () => {
    expect(fnThat(open('/etc/hosts'))).toOpenFiles('/etc/hosts');
    expect(fnThat(open('/etc/hosts'))).not.toOpenOutside('/etc/**');
  });

  test('an async function: the matcher returns a promise to await', async () => {
    const pending = expect(asyncFnThat(open('/etc/hosts'))).toOpenFiles('/etc/hosts');
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(await asyncMessageOf(() => expect(asyncFnThat(open('/etc/passwd'))).not.toOpenOutside('/work/**'))).toMatchInlineSnapshot(`
      "expect(fn).not.toOpenOutside(globs)

      Allowed:
        /work/**
      Received: 1 open attempt(s) outside (of 1):
        open (read) /etc/passwd"
    `);
  });

  test.each([[42], ['string'], [null], [{ events: [] }]])('expect(%j) is a TypeError naming what it got', (received) => {
    expect(() => expect(received).toOpenFiles('/x')).toThrow(TypeError);
    expect(() => expect(received).toOpenFiles('/x')).toThrow(/needs a function to run or an observation from observe\(\), got/);
  });

  // vivariumd attaches http's uprobes only when asked: a matcher asks for
  // what it judges before fn runs (the session then attaches it first).
  test.each([
    ['toOpenFiles', () => expect(fnThat()).not.toOpenFiles('/x'), []],
    ['toRequest', () => expect(fnThat()).not.toRequest('GET https://example.test/'), ['http']],
    ['toRequestOutside', () => expect(fnThat()).not.toRequestOutside('GET https://example.test/**'), ['http']],
    ['toReadEnv', () => expect(fnThat()).not.toReadEnv('HOME'), ['env']],
    ['toLoad', () => expect(fnThat()).not.toLoad('/x.node'), ['load']],
    ["toTrigger('http')", () => expect(fnThat()).not.toTrigger('http'), ['http']],
  ])('%s observes fn for the uprobe-fed kinds it judges', (_, assertion, kinds) => {
    observedKinds.length = 0;
    assertion();
    expect(observedKinds).toEqual([kinds]);
  });

  test('a bad pattern throws before fn runs', () => {
    let ran = false;
    expect(() => expect(() => (ran = true)).toOpenFiles('relative')).toThrow(TypeError);
    expect(ran).toBe(false);
  });

  test('an observation with lost events is refused, naming the fix', () => {
    const lossy = makeObservation({ result: undefined, error: undefined, threw: false, events: [], gaps: { ...NO_GAPS, dropped: 3 }, dropped: 3 });
    expect(() => expect(lossy).toOpenFiles('/x')).toThrow(
      "vivarium: 3 event(s) of expect(fn).toOpenFiles() were lost because the worker's ring was full (restart vivariumd with a larger --ring-size)",
    );
  });

  test('an observation is judged as is', () => {
    expect(seen()).not.toTrigger('file_open');
  });
});
