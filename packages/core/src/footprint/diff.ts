// `vivarium diff`: what changed between two runs' footprints — per test, the
// lines that appeared and disappeared; tests added and removed; and for the
// whole suite, what no test did before (or does any more).
import { type Footprint, groupFootprint, linesOf, sizeOf } from './normalise.js';
import { type RunFootprint, testsOf } from './run.js';
import { changes } from './text.js';

export interface TestChange {
  file: string;
  name: string;
  /** added: only in head; removed: only in base; changed: in both, with other lines. */
  change: 'added' | 'removed' | 'changed';
  added: Footprint;
  removed: Footprint;
}

export interface FootprintDiff {
  /** Tests added or removed, and tests whose footprint changed; in file and name order. */
  tests: TestChange[];
  /** What no test of the base run did, and what no test of head does any more. */
  suite: { added: Footprint; removed: Footprint };
  totals: {
    /** Tests of head. */
    tests: number;
    changed: number;
    testsAdded: number;
    testsRemoved: number;
    /** Lines, summed over tests. */
    added: number;
    removed: number;
  };
}

const keyOf = (file: string, name: string) => `${file}\0${name}`;
const suiteOf = (run: RunFootprint) => groupFootprint(testsOf(run).flatMap((t) => linesOf(t.footprint)));

export function diffFootprints(base: RunFootprint, head: RunFootprint): FootprintDiff {
  const before = new Map(testsOf(base).map((t) => [keyOf(t.file, t.name), t]));
  const after = new Map(testsOf(head).map((t) => [keyOf(t.file, t.name), t]));
  const tests: TestChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [b, a] = [before.get(key), after.get(key)];
    const { appeared, disappeared } = changes(b?.footprint ?? {}, a?.footprint ?? {});
    const change = !b ? 'added' : !a ? 'removed' : 'changed';
    if (change === 'changed' && !sizeOf(appeared) && !sizeOf(disappeared)) continue;
    const { file, name } = (a ?? b)!;
    tests.push({ file, name, change, added: appeared, removed: disappeared });
  }
  const suite = changes(suiteOf(base), suiteOf(head));
  return {
    tests,
    suite: { added: suite.appeared, removed: suite.disappeared },
    totals: {
      tests: after.size,
      changed: tests.filter((t) => t.change === 'changed').length,
      testsAdded: tests.filter((t) => t.change === 'added').length,
      testsRemoved: tests.filter((t) => t.change === 'removed').length,
      added: tests.reduce((n, t) => n + sizeOf(t.added), 0),
      removed: tests.reduce((n, t) => n + sizeOf(t.removed), 0),
    },
  };
}
