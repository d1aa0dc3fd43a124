// A run's footprint, per test file and test: what `vivarium footprint`
// writes beside the tests, and what `vivarium diff` compares. Made from
// reports (several: the shards of one run), each file normalised with the
// token values it ran with.
import { tokensOf } from '../report/shards.js';
import type { Report } from '../report/types.js';
import { type Footprint, type FootprintLine, footprintLines, groupFootprint, linesOf } from './normalise.js';

export const FOOTPRINT_VERSION = 1;

export interface RunFootprint {
  vivarium: 'footprint';
  version: typeof FOOTPRINT_VERSION;
  /** Test file (relative to rootDir) → test name ('describe > test') → its footprint. */
  files: Record<string, Record<string, Footprint>>;
}

/** A test of a run with the footprint lines of each of its report lines. */
export interface FootprintedTest {
  file: string;
  name: string;
  lines: FootprintLine[];
}

/** Entries by key, in code unit order (the same in every locale). */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** Every test of the reports, in their order, with its footprint lines. */
export function footprintedTests(reports: readonly Report[]): FootprintedTest[] {
  const normalisers = new Map<string, ReturnType<typeof footprintLines>>();
  const tests: FootprintedTest[] = [];
  for (const report of reports)
    for (const file of report.files) {
      const tokens = tokensOf(report, file);
      // The runner's own record is its installation and caches, different on every machine: no footprint.
      for (const test of file.tests.filter((t) => t.scope !== 'run')) {
        const key = `${JSON.stringify(tokens)}\0${test.scope ?? 'test'}`;
        let normalise = normalisers.get(key);
        if (!normalise) normalisers.set(key, (normalise = footprintLines(tokens, test.scope)));
        tests.push({ file: file.file, name: test.name, lines: normalise(test.events) });
      }
    }
  return tests;
}

/** The footprint of a run (of its shards' reports); files and tests sorted. */
export function footprintOfReports(reports: readonly Report[]): RunFootprint {
  return footprintOfTests(footprintedTests(reports));
}

/** The footprint of a run's footprinted tests; files and tests sorted. */
export function footprintOfTests(tested: readonly FootprintedTest[]): RunFootprint {
  const byTest = new Map<string, Map<string, FootprintLine[]>>();
  for (const test of tested) {
    let file = byTest.get(test.file);
    if (!file) byTest.set(test.file, (file = new Map()));
    // A name seen twice (a retried test, two tests of one name): one footprint, the union.
    file.set(test.name, [...(file.get(test.name) ?? []), ...test.lines]);
  }
  const files: RunFootprint['files'] = {};
  for (const [file, tests] of [...byTest].sort(byKey)) {
    files[file] = {};
    for (const [name, lines] of [...tests].sort(byKey)) files[file][name] = groupFootprint(lines);
  }
  return { vivarium: 'footprint', version: FOOTPRINT_VERSION, files };
}

/** Whether a parsed JSON value is a run footprint of this version. */
export function isRunFootprint(value: unknown): value is RunFootprint {
  const v = value as Partial<RunFootprint> | null;
  return typeof v === 'object' && v !== null && v.vivarium === 'footprint' && v.version === FOOTPRINT_VERSION && typeof v.files === 'object' && v.files !== null;
}

/** Every test of a run footprint: 'file' and 'name' with its footprint. */
export function testsOf(run: RunFootprint): Array<{ file: string; name: string; footprint: Footprint }> {
  return Object.entries(run.files).flatMap(([file, tests]) => Object.entries(tests).map(([name, footprint]) => ({ file, name, footprint })));
}
