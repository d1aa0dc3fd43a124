// The footprint snapshot matchers on this Vitest's own snapshots, without a
// kernel: a function "does" the events it returns. Vitest ≥ 4.1.3 (this
// repository's) stores them natively, inline ones in this file; the path for
// older Vitest is driven by hand. (test/e2e/footprints.test.ts runs both
// runners, and the compat suite Vitest 3, against the real daemon, failures
// included: a deliberate mismatch here would count in this run's summary.)
import { describe, expect, test } from 'vitest';
import { type MatcherContext, type VivariumEvent, createMatchers, footprintSnapshot, makeObservation } from '@vivarium/core';
import { exec, open } from '../../core/test/helpers/events.js';
import { addFootprintSerializer, stripIndentation, vitestSnapshots } from '../src/snapshots.js';

const TOKENS = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const NO_GAPS = { dropped: 0, leftoverDropped: 0, unfollowed: 0, tampered: undefined };
const observed = (events: VivariumEvent[]) => makeObservation({ result: undefined, error: undefined, threw: false, events, gaps: NO_GAPS, dropped: 0 });

const context: MatcherContext = {
  tokens: () => TOKENS,
  observe: (fn) => {
    const events = fn() as VivariumEvent[] | Promise<VivariumEvent[]>;
    return events instanceof Promise ? events.then(observed) : observed(events);
  },
  snapshots: vitestSnapshots(),
};
const { toMatchFootprintSnapshot, toMatchInlineFootprintSnapshot } = createMatchers(context);
expect.extend({ toMatchFootprintSnapshot, toMatchInlineFootprintSnapshot });
addFootprintSerializer();

declare module 'vitest' {
  interface Matchers<T> {
    toMatchFootprintSnapshot(hint?: string): T;
    toMatchInlineFootprintSnapshot(snapshot?: string): T;
  }
}

describe("on Vitest's own snapshots", () => {
  test('a file snapshot, stored as the footprint text', () => {
    expect(() => [open('/work/app/config.json'), exec('/usr/bin/git', ['git', 'status'])]).toMatchFootprintSnapshot();
    expect(() => [open('/root/.npmrc')]).toMatchFootprintSnapshot('with a hint');
  });

  test('an inline snapshot, written into this call', () => {
    expect(() => [open('/work/app/config.json'), open('/work/app/config.json')]).toMatchInlineFootprintSnapshot(`
      read
        open (read) <rootDir>/config.json
    `);
  });

  test('an inline snapshot of an async fn, written at its call despite the awaits', async () => {
    await expect(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [exec('/usr/bin/ls', ['ls'])];
    }).toMatchInlineFootprintSnapshot(`
      exec
        exec /usr/bin/ls  ["ls"]
    `);
  });
});

describe('older Vitest (no Snapshots export, no assertion in the matcher state)', () => {
  const state = (update: 'all' | 'new' | 'none') =>
    ({ isNot: false, utils: { matcherHint: () => '', EXPECTED_COLOR: String, RECEIVED_COLOR: String }, snapshotState: { _updateSnapshot: update } }) as never;
  const value = footprintSnapshot({ read: ['open (read) <rootDir>/a'] });

  test('an inline snapshot is compared as Vitest would: indentation stripped', () => {
    const call = vitestSnapshots().begin(state('new'), 'toMatchInlineFootprintSnapshot');
    expect(call.toMatchInlineSnapshot(value, '\n    read\n      open (read) <rootDir>/a\n  ')).toMatchObject({ pass: true });
    expect(call.toMatchInlineSnapshot(value, '\n    read\n      open (read) <rootDir>/b\n  ')).toMatchObject({ pass: false, actual: 'read\n  open (read) <rootDir>/a' });
  });

  test('where Vitest would write one, it is refused with the footprint to paste; in CI a missing one fails', () => {
    const write = () => vitestSnapshots().begin(state('new'), 'toMatchInlineFootprintSnapshot').toMatchInlineSnapshot(value);
    expect(write).toThrow(/cannot write its inline snapshot under Vitest .*: before 4\.1\.3, Vitest writes inline snapshots only into its own toMatchInlineSnapshot\(\) calls .*\n\nread\n {2}open \(read\) <rootDir>\/a$/);
    expect(vitestSnapshots().begin(state('none'), 'x').toMatchInlineSnapshot(value)).toMatchObject({ pass: false });
    expect(() => vitestSnapshots().begin(state('all'), 'x').toMatchInlineSnapshot(value, 'read\n  open (read) <rootDir>/b')).toThrow(/cannot write/);
  });

  test('a file snapshot goes through expect(value).toMatchSnapshot() in the running test', () => {
    const { assertionCalls } = expect.getState();
    const result = vitestSnapshots().begin(state('new'), 'toMatchFootprintSnapshot').toMatchSnapshot(value, 'legacy');
    const after = expect.getState().assertionCalls;
    expect(result).toEqual({ pass: true, message: expect.any(Function) });
    expect(after).toBe(assertionCalls);
  });

  test.each([
    ['\n  a\n    b\n', 'a\n  b'],
    ['a\n  b', 'a\n  b'],
    ['\n  a\nb\n', '\n  a\nb\n'],
  ])('stripIndentation(%j)', (snapshot, expected) => {
    expect(stripIndentation(snapshot).trim()).toBe(expected.trim());
  });
});
