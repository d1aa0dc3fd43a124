// Assembling, merging and writing vivarium-report.json (and its HTML twin).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { SpooledRecord } from './spool.js';
import { REPORT_VERSION, RUNNER_FILE, type Report, type ReportFile, type ReportHost, type ReportShard, type ReportTest, type TestStatus } from './types.js';

export interface RunnerTest {
  /** Absolute path of the test file. */
  file: string;
  name: string;
  status: TestStatus;
  /** Where the runner says the test is declared (1-based). */
  location?: { line: number; column?: number } | null;
}

export interface BuildOptions {
  runner: Report['runner'];
  /** The Vivarium version (the backend is what the workers recorded). */
  version: string;
  rootDir: string;
  tokens: Report['tokens'];
  policy?: Report['policy'];
  /** The machine the run ran on. */
  host?: ReportHost;
  /** Every test the runner ran, with its final status. */
  tests: RunnerTest[];
  /** What the workers recorded. */
  spooled: SpooledRecord[];
  /** What the runner's own process did, when it was observed. */
  run?: ReportTest;
}

/** The name of a file's record of what it did outside its tests. */
export const OUTSIDE_TESTS = 'outside its tests';

function totals(files: ReportFile[]): Report['totals'] {
  const tests = files.flatMap((f) => f.tests);
  return {
    tests: tests.filter((t) => !t.scope).length,
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

/** The runner's own record. */
export function runnerRecord(r: Pick<ReportTest, 'events' | 'dropped' | 'violations'>): ReportTest {
  return scopedRecord("the runner's own process", 'run', r);
}

function sortFiles(files: Map<string, ReportTest[]>): ReportFile[] {
  return [...files]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, tests]) => ({ file, tests }));
}

/** A record outside tests: failed when the policy refused something or events were lost. */
function scopedRecord(name: string, scope: ReportTest['scope'], r: Pick<ReportTest, 'events' | 'dropped' | 'violations'>): ReportTest {
  return { name, scope, status: r.violations.length || r.dropped ? 'failed' : 'passed', events: r.events, dropped: r.dropped, violations: r.violations };
}

/** Every test of the run, with what it did (tests the workers never saw get
 * no events), each file's record outside its tests, and the runner's own. */
export function buildReport(options: BuildOptions): Report {
  const key = (file: string, name: string, scope: string) => `${file}\0${name}\0${scope}`;
  const recorded = new Map<string, SpooledRecord>();
  for (const s of options.spooled) {
    const k = key(s.file, s.name, s.scope);
    const seen = recorded.get(k);
    // A retried test is recorded once per try, a file run twice (isolate: false) once per run: keep the union.
    recorded.set(k, seen ? { ...s, events: [...seen.events, ...s.events], dropped: seen.dropped + s.dropped, violations: [...seen.violations, ...s.violations] } : s);
  }
  const files = new Map<string, ReportTest[]>();
  const listOf = (rel: string) => files.get(rel) ?? files.set(rel, []).get(rel)!;
  for (const t of options.tests) {
    const r = recorded.get(key(t.file, t.name, 'test'));
    const at = t.location?.line ? { line: t.location.line, ...(t.location.column ? { column: t.location.column } : {}) } : {};
    listOf(relative(options.rootDir, t.file)).push({ name: t.name, status: t.status, events: r?.events ?? [], dropped: r?.dropped ?? 0, violations: r?.violations ?? [], ...at });
  }
  for (const r of recorded.values())
    if (r.scope === 'file' && (r.events.length || r.dropped || r.violations.length))
      listOf(relative(options.rootDir, r.file)).push(scopedRecord(OUTSIDE_TESTS, 'file', r));
  if (options.run) files.set(RUNNER_FILE, [options.run]);
  const sorted = sortFiles(files);
  return {
    version: REPORT_VERSION,
    generatedAt: new Date().toISOString(),
    runner: options.runner,
    vivarium: { version: options.version, backend: joinBackends(options.spooled.map((s) => s.backend)) },
    ...(options.host ? { host: options.host } : {}),
    rootDir: options.rootDir,
    tokens: options.tokens,
    ...(options.policy ? { policy: options.policy } : {}),
    files: sorted,
    totals: totals(sorted),
  };
}

/** A report as one shard of a merged report. */
function shardOf(report: Report): ReportShard {
  const { generatedAt, runner, vivarium, host, rootDir, tokens, policy } = report;
  return { generatedAt, runner, vivarium, ...(host ? { host } : {}), rootDir, tokens, ...(policy ? { policy } : {}) };
}

/** Distinct values joined with '+', or the one value. */
const joined = (values: string[]) => [...new Set(values.filter(Boolean))].join('+');

/** One report from the reports of sharded runs (`--shard`), from one machine or
 * several. Every run is kept in `shards` (its runner, Vivarium version and
 * backend, host, rootDir and tokens) and each file says which run it came
 * from, so `vivarium check --policy` judges it with that run's tokens (its
 * <tmp>, <home>). Merged reports merge again: their shards are carried over. */
export function mergeReports(reports: Report[]): Report {
  if (reports.length === 0) throw new TypeError('vivarium merge: no reports given');
  const shards: ReportShard[] = [];
  const files: ReportFile[] = [];
  for (const report of reports) {
    const base = shards.length;
    shards.push(...(report.shards ?? [shardOf(report)]));
    for (const f of report.files) files.push({ ...f, shard: base + (report.shards ? (f.shard ?? 0) : 0) });
  }
  // One entry per file and run: a file run twice keeps each run's tests with that run's tokens.
  const byFile = new Map<string, ReportFile>();
  for (const f of files) {
    const key = `${f.file}\0${f.shard}`;
    const seen = byFile.get(key);
    byFile.set(key, seen ? { ...seen, tests: [...seen.tests, ...f.tests] } : f);
  }
  const sorted = [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file) || a.shard! - b.shard!);
  const first = reports[0]!;
  const runnerNames = new Set(shards.map((s) => s.runner.name));
  const { host: _host, ...rest } = first;
  const hosts = new Set(shards.map((s) => (s.host ? `${s.host.hostname}\0${s.host.kernel}\0${s.host.node}` : '')));
  return {
    ...rest,
    // One host for all: keep it; several: each shard says its own.
    ...(hosts.size === 1 && first.host ? { host: first.host } : {}),
    generatedAt: new Date().toISOString(),
    runner: runnerNames.size === 1 ? { name: first.runner.name, version: joined(shards.map((s) => s.runner.version)) } : { name: 'merged', version: '' },
    vivarium: { version: joined(shards.map((s) => s.vivarium.version)), backend: joinBackends(shards.map((s) => s.vivarium.backend)) },
    files: sorted,
    shards,
    totals: totals(sorted),
  };
}

export function writeReportFile(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
