// vivarium-report.json: what every test touched, and the verdicts. Written
// by the Vitest and Jest reporters, merged across shards, read by
// `vivarium check`, `vivarium learn` and the HTML report.
import type { RecordScope, ReportEvent, Violation } from '../event-lines.js';

/** 2: each event records its rule and typed subjects. */
export const REPORT_VERSION = 2;

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo' | 'unknown';

/** The file of the runner's own record. */
export const RUNNER_FILE = '(runner)';

export interface ReportTest {
  /** Full name: describe blocks and test title joined with ' > '. */
  name: string;
  /** Absent: a test. Judged like one, but not counted among the tests. */
  scope?: RecordScope;
  status: TestStatus;
  events: ReportEvent[];
  /** Events lost because the worker's ring was full (the test was failed for it). */
  dropped: number;
  violations: Violation[];
  /** Where the test is declared in its file (1-based), when the runner said. */
  line?: number;
  column?: number;
}

export interface ReportFile {
  /** Relative to rootDir; RUNNER_FILE for the runner's own process. */
  file: string;
  tests: ReportTest[];
  /** In a merged report: the index in `shards` of the run this file comes from. */
  shard?: number;
}

/** The machine a run ran on. */
export interface ReportHost {
  hostname: string;
  /** Kernel release (`uname -r`). */
  kernel: string;
  /** Node.js version of the runner. */
  node: string;
}

/** One run of a merged report, as its own report described it. */
export interface ReportShard {
  generatedAt: string;
  runner: Report['runner'];
  vivarium: Report['vivarium'];
  host?: ReportHost;
  rootDir: string;
  tokens: Report['tokens'];
  policy?: Report['policy'];
}

export interface Report {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  runner: { name: 'vitest' | 'jest' | 'merged'; version: string };
  /** backend: what the workers registered with ('syscalls', 'lsm'; several joined with '+'). */
  vivarium: { version: string; backend: string };
  host?: ReportHost;
  rootDir: string;
  /** Token values of the run, so a report can be re-checked and learned from elsewhere. */
  tokens: { cwd: string; tmp: string; home: string; rootDir: string };
  /** 'enforce' or 'audit' when a policy was active during the run; runner: how
   * the runner's own record was judged (absent: audit). */
  policy?: { source: string; mode: 'enforce' | 'audit'; runner?: 'enforce' | 'audit' };
  files: ReportFile[];
  /** Merged reports: every run merged, each with its own backend, versions, host and tokens
   * (a file's events are judged with its shard's tokens). Absent: one run. */
  shards?: ReportShard[];
  /** tests: the tests alone; events, violations, dropped: of every record, those outside tests included. */
  totals: { tests: number; events: number; violations: number; dropped: number };
}
