// Vitest's own snapshots for the footprint snapshot matchers (see
// RunnerSnapshots in @vivarium/core): the footprint is handed to Vitest's
// snapshot matchers, so -u, obsolete snapshots and CI mode are Vitest's.
//
// - Vitest ≥ 4.1.3 exports `Snapshots`, its snapshot matchers for custom
//   matchers, and gives a matcher its chai assertion: used as they are. The
//   assertion carries an error made when the matcher was called (the "error"
//   flag Vitest reads an inline snapshot's place from), so the place survives
//   an async fn's awaits.
// - Older Vitest (3.x to 4.1.2): toMatchFootprintSnapshot calls expect(footprint)
//   .toMatchSnapshot() in the running test. Their inline snapshot writer only
//   rewrites calls of their own toMatchInlineSnapshot(), so an inline
//   footprint snapshot is compared here and, where Vitest would write it,
//   refused with the footprint to paste.
import { createRequire } from 'node:module';
import * as vitest from 'vitest';
import { chai, expect } from 'vitest';
import { FOOTPRINT_SERIALIZER, type FootprintSnapshot, type MatcherResult, type MatcherState, type RunnerSnapshotCall, type RunnerSnapshots, VivariumError } from '@vivarium/core';

type NativeMatcher = (this: MatcherState, received: unknown, ...args: string[]) => MatcherResult;
interface NativeSnapshots {
  toMatchSnapshot: NativeMatcher;
  toMatchInlineSnapshot: NativeMatcher;
}

/** The slice of Vitest's matcher state used here (some fields only in newer versions). */
interface VitestState extends MatcherState {
  /** The chai assertion (4.1.4+; 4.1.3 names it __vitest_assertion__). */
  assertion?: object;
  __vitest_assertion__?: object;
  snapshotState?: { _updateSnapshot?: 'all' | 'new' | 'none' };
}

const SERIALIZER_KEY = Symbol.for('vivarium.footprintSerializer');

/** Adds the footprint serializer once per process (Vitest keeps serializers per worker, not per file). */
export function addFootprintSerializer(): void {
  const store = globalThis as Record<symbol, unknown>;
  if (store[SERIALIZER_KEY]) return;
  expect.addSnapshotSerializer(FOOTPRINT_SERIALIZER);
  store[SERIALIZER_KEY] = true;
}

const args = (value: string | undefined) => (value === undefined ? [] : [value]);

function vitestVersion(): string {
  try {
    return (createRequire(import.meta.url)('vitest/package.json') as { version: string }).version;
  } catch {
    return '(unknown version)';
  }
}

/** An inline snapshot as written in the source: its common indentation removed (as Vitest does). */
export function stripIndentation(snapshot: string): string {
  const lines = snapshot.split('\n');
  const indentation = /^([^\S\n]*)\S/m.exec(snapshot)?.[1];
  if (!indentation || lines.length <= 2 || lines[0]!.trim() || lines[lines.length - 1]!.trim()) return snapshot;
  if (!lines.slice(1, -1).every((line) => !line.trim() || line.startsWith(indentation))) return snapshot;
  return lines.map((line) => line.slice(indentation.length)).join('\n');
}

/** Through expect(value).toMatchSnapshot() in the running test, for Vitest without `Snapshots`. */
function legacyCall(state: VitestState, name: string): RunnerSnapshotCall {
  return {
    toMatchSnapshot(value, hint) {
      // Not the user's assertion: keep expect.assertions(n) counting theirs.
      const { assertionCalls } = expect.getState();
      const assertion = expect(value);
      expect.setState({ assertionCalls });
      try {
        (assertion.toMatchSnapshot as (...a: string[]) => void)(...args(hint));
        return { pass: true, message: () => '' };
      } catch (error) {
        const { actual, expected } = error as { actual?: unknown; expected?: unknown };
        if (actual === undefined && expected === undefined) throw error;
        return { pass: false, message: () => (error as Error).message, actual, expected };
      }
    },
    toMatchInlineSnapshot(value, snapshot) {
      const received = (value as FootprintSnapshot).text;
      const update = state.snapshotState?._updateSnapshot ?? 'new';
      if (snapshot !== undefined) {
        const expected = stripIndentation(snapshot).trim();
        if (expected === received.trim()) return { pass: true, message: () => '' };
        if (update !== 'all') return { pass: false, message: () => 'Inline footprint snapshot mismatched', actual: received, expected };
      } else if (update === 'none') return { pass: false, message: () => 'New inline footprint snapshot was not written: the update flag must be passed explicitly in CI', actual: received };
      throw new VivariumError(
        `vivarium: ${name}() cannot write its inline snapshot under Vitest ${vitestVersion()}: before 4.1.3, Vitest writes inline snapshots only into its own toMatchInlineSnapshot() calls (upgrade Vitest, use toMatchFootprintSnapshot(), or write the footprint into the call yourself):\n\n${received}`,
      );
    },
  };
}

export function vitestSnapshots(): RunnerSnapshots {
  const native = (vitest as unknown as { Snapshots?: NativeSnapshots }).Snapshots;
  return {
    begin(state: VitestState, name) {
      const assertion = state.assertion ?? state.__vitest_assertion__;
      if (!native || !assertion) return legacyCall(state, name);
      chai.util.flag(assertion, 'error', new Error(name));
      return {
        toMatchSnapshot: (value, hint) => native.toMatchSnapshot.call(state, value, ...args(hint)),
        toMatchInlineSnapshot: (value, snapshot) => native.toMatchInlineSnapshot.call(state, value, ...args(snapshot)),
      };
    },
  };
}
