// Assembling, merging and writing vivarium-report.json (and its HTML twin).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { SpooledTest } from './spool.js';
import { REPORT_VERSION, type Report, type ReportFile, type ReportTest, type TestStatus } from './types.js';

export interface RunnerTest {
  /** Absolute path of the test file. */
  file: string;
  name: string;
  status: TestStatus;
}

export interface BuildOptions {
  runner: Report['runner'];
  /** The Vivarium version (the backend is what the workers recorded). */
  version: string;
  rootDir: string;
  tokens: Report['tokens'];
  policy?: Report['policy'];
  /** Every test the runner ran, with its final status. */
  tests: RunnerTest[];
  /** What the workers recorded. */
  spooled: SpooledTest[];
}

function totals(files: ReportFile[]): Report['totals'] {
  const tests = files.flatMap((f) => f.tests);
  return {
    tests: tests.length,
    events: tests.reduce((n, t) => n + t.events.reduce((m, e) => m + e.count, 0), 0),
    violations: tests.reduce((n, t) => n + t.violations.length, 0),
    dropped: tests.reduce((n, t) => n + t.dropped, 0),
  };
}

/** The backends the workers ran under: one name, several joined with '+', or 'unknown' when no worker recorded a test. */
export function joinBackends(names: Iterable<string>): string {
  const distinct = [...new Set([...names].flatMap((name) => name.split('+')))].filter((name) => name && name !== 'unknown').sort();
  return distinct.length ? distinct.join('+') : 'unknown';
}

function sortFiles(files: Map<string, ReportTest[]>): ReportFile[] {
  return [...files]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, tests]) => ({ file, tests }));
}

/** Every test of the run, with what it did; tests the workers never saw get no events. */
export function buildReport(options: BuildOptions): Report {
  const key = (file: string, name: string) => `${file}\0${name}`;
  const recorded = new Map<string, SpooledTest>();
  for (const s of options.spooled) {
    const k = key(s.file, s.name);
    const seen = recorded.get(k);
    // A retried test is recorded once per try: keep the union.
    recorded.set(k, seen ? { ...s, events: [...seen.events, ...s.events], dropped: seen.dropped + s.dropped, violations: [...seen.violations, ...s.violations] } : s);
  }
  const files = new Map<string, ReportTest[]>();
  for (const t of options.tests) {
    const rel = relative(options.rootDir, t.file);
    const r = recorded.get(key(t.file, t.name));
    const list = files.get(rel) ?? [];
    list.push({ name: t.name, status: t.status, events: r?.events ?? [], dropped: r?.dropped ?? 0, violations: r?.violations ?? [] });
    files.set(rel, list);
  }
  const sorted = sortFiles(files);
  return {
    version: REPORT_VERSION,
    generatedAt: new Date().toISOString(),
    runner: options.runner,
    vivarium: { version: options.version, backend: joinBackends(options.spooled.map((s) => s.backend)) },
    rootDir: options.rootDir,
    tokens: options.tokens,
    ...(options.policy ? { policy: options.policy } : {}),
    files: sorted,
    totals: totals(sorted),
  };
}

/** One report from the reports of sharded runs (`--shard`). */
export function mergeReports(reports: Report[]): Report {
  if (reports.length === 0) throw new TypeError('vivarium merge: no reports given');
  const first = reports[0]!;
  const files = new Map<string, ReportTest[]>();
  // Shards may run on other machines: a file keeps the token values it ran with.
  const tokens = new Map<string, Report['tokens']>();
  for (const report of reports)
    for (const f of report.files) {
      files.set(f.file, [...(files.get(f.file) ?? []), ...f.tests]);
      const own = f.tokens ?? report.tokens;
      if (!tokens.has(f.file) && JSON.stringify(own) !== JSON.stringify(first.tokens)) tokens.set(f.file, own);
    }
  const sorted = sortFiles(files).map((f) => (tokens.has(f.file) ? { ...f, tokens: tokens.get(f.file)! } : f));
  return {
    ...first,
    generatedAt: new Date().toISOString(),
    runner: reports.every((r) => r.runner.name === first.runner.name) ? first.runner : { name: 'merged', version: '' },
    vivarium: { ...first.vivarium, backend: joinBackends(reports.map((r) => r.vivarium.backend)) },
    files: sorted,
    totals: totals(sorted),
  };
}

export function writeReportFile(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
