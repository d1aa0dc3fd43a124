// The footprint snapshot matchers over a fake runner: what they hand to the
// runner's snapshot matcher, when (before fn runs), and what a failure says.
// (The real runners' snapshots are exercised end to end: test/e2e/footprints.test.ts.)
import { describe, expect, test } from 'vitest';
import { FOOTPRINT_SERIALIZER, type FootprintSnapshot } from '../../src/footprint/text.js';
import type { RunnerSnapshots } from '../../src/matchers/context.js';
import { createMatchers } from '../../src/matchers/index.js';
import type { MatcherResult, MatcherState } from '../../src/matchers/types.js';
import { makeObservation } from '../../src/observation.js';
import { NO_GAPS } from '../../src/completeness.js';
import { exec, open } from '../helpers/events.js';
import { TOKENS, asyncFnThat, context, fnThat, seen } from './harness.js';

/** A runner that keeps one snapshot per name and records what happened when. */
function fakeRunner(stored: Record<string, string> = {}) {
  const log: string[] = [];
  const match = (key: string, value: unknown): MatcherResult => {
    expect(FOOTPRINT_SERIALIZER.test(value)).toBe(true);
    const text = FOOTPRINT_SERIALIZER.serialize(value as FootprintSnapshot);
    log.push(`match ${key}`);
    if (stored[key] === undefined) stored[key] = text;
    const pass = stored[key] === text;
    return { pass, message: () => `Snapshot \`${key}\` mismatched`, actual: text, expected: stored[key] };
  };
  const snapshots: RunnerSnapshots = {
    begin: (_state, name) => {
      log.push(`begin ${name}`);
      return { toMatchSnapshot: (value, hint) => match(hint ?? 'file', value), toMatchInlineSnapshot: (value, snapshot) => match(snapshot ?? 'inline', value) };
    },
  };
  return { stored, log, matchers: createMatchers({ ...context, snapshots, observe: (fn) => (log.push('fn runs'), context.observe(fn)) }) };
}

const state = (isNot = false): MatcherState => ({
  isNot,
  utils: { matcherHint: (name, received, expected) => `expect(${received}).${name}(${expected})`, EXPECTED_COLOR: (t) => t, RECEIVED_COLOR: (t) => t },
});

describe('toMatchFootprintSnapshot / toMatchInlineFootprintSnapshot', () => {
  test('hand the runner the normalised footprint, after capturing the call and before fn runs; the runner stores its text', () => {
    const runner = fakeRunner();
    const result = runner.matchers.toMatchFootprintSnapshot.call(state(), fnThat(open(`${TOKENS.rootDir}/a.json`), exec('/usr/bin/git', ['git'])), 'config') as MatcherResult;
    expect(result.pass).toBe(true);
    expect(runner.log).toEqual(['begin toMatchFootprintSnapshot', 'fn runs', 'match config']);
    expect(runner.stored.config).toBe('read\n  open (read) <rootDir>/a.json\nexec\n  exec /usr/bin/git  ["git"]');
    const inline = runner.matchers.toMatchInlineFootprintSnapshot.call(state(), seen(open('/root/.npmrc'))) as MatcherResult;
    expect(inline.pass).toBe(true);
    expect(runner.stored.inline).toBe('read\n  open (read) <home>/.npmrc');
  });

  test('an async fn: the matcher returns a promise, the call was captured before it ran', async () => {
    const runner = fakeRunner();
    const result = runner.matchers.toMatchFootprintSnapshot.call(state(), asyncFnThat(open('/etc/passwd')));
    expect(runner.log).toEqual(['begin toMatchFootprintSnapshot', 'fn runs']);
    expect(await result).toMatchObject({ pass: true });
    expect(runner.stored.file).toBe('read\n  open (read) /etc/passwd');
  });

  test('a failure names what appeared and disappeared, then gives the runner’s message', () => {
    const runner = fakeRunner({ file: '\n  read\n    open (read) <rootDir>/a.json\n  exec\n    exec /usr/bin/git  ["git"]\n' });
    const result = runner.matchers.toMatchFootprintSnapshot.call(state(), seen(open(`${TOKENS.rootDir}/a.json`), open('/root/.aws/credentials'))) as MatcherResult;
    expect(result.pass).toBe(false);
    expect(result.message()).toBe(
      [
        'expect(fn).toMatchFootprintSnapshot()',
        '',
        'Footprint changed: 1 appeared, 1 disappeared',
        '  + read: open (read) <home>/.aws/credentials',
        '  - exec: exec /usr/bin/git  ["git"]',
        '',
        'Snapshot `file` mismatched',
      ].join('\n'),
    );
  });

  test('what could not be seen fails before anything is compared', () => {
    const runner = fakeRunner();
    const lossy = makeObservation({ result: undefined, error: undefined, threw: false, events: [], gaps: { ...NO_GAPS, dropped: 3 }, dropped: 3 });
    expect(() => runner.matchers.toMatchFootprintSnapshot.call(state(), lossy)).toThrow(/3 event\(s\) of expect\(fn\)\.toMatchFootprintSnapshot\(\) were lost/);
    expect(runner.log).toEqual(['begin toMatchFootprintSnapshot']);
  });

  test.each([
    ['.not', () => fakeRunner().matchers.toMatchFootprintSnapshot.call(state(true), seen()), 'expect(fn).not.toMatchFootprintSnapshot() is not supported'],
    ['a hint that is not a string', () => fakeRunner().matchers.toMatchFootprintSnapshot.call(state(), seen(), 42), 'toMatchFootprintSnapshot(hint): hint must be a string, got number 42'],
    ['an inline snapshot that is not a string', () => fakeRunner().matchers.toMatchInlineFootprintSnapshot.call(state(), seen(), {}), 'toMatchInlineFootprintSnapshot(snapshot): snapshot must be a string'],
    ['no runner snapshots', () => createMatchers(context).toMatchFootprintSnapshot.call(state(), seen()), "toMatchFootprintSnapshot() needs a test runner's snapshots"],
  ])('%s is refused with a TypeError', (_, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});
