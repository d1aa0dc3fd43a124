// vivarium-report.json: what every test touched, and the verdicts. Written
// by the Vitest and Jest reporters, merged across shards, read by
// `vivarium check`, `vivarium learn` and the HTML report.
import type { ReportEvent, Violation } from '../event-lines.js';

/** 2: each event records its rule and typed subjects. */
export const REPORT_VERSION = 2;

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo' | 'unknown';

export interface ReportTest {
  /** Full name: describe blocks and test title joined with ' > '. */
  name: string;
  status: TestStatus;
  events: ReportEvent[];
  /** Events lost because the worker's ring was full (the test was failed for it). */
  dropped: number;
  violations: Violation[];
}

export interface ReportFile {
  /** Relative to rootDir. */
  file: string;
  tests: ReportTest[];
  /** The token values its tests ran with, when they differ from the report's
   * (a shard run on another machine, merged in). */
  tokens?: Report['tokens'];
}

export interface Report {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  runner: { name: 'vitest' | 'jest' | 'merged'; version: string };
  /** backend: what the workers registered with ('syscalls', 'lsm'; several joined with '+'). */
  vivarium: { version: string; backend: string };
  rootDir: string;
  /** Token values of the run, so a report can be re-checked and learned from elsewhere. */
  tokens: { cwd: string; tmp: string; home: string; rootDir: string };
  /** 'enforce' or 'audit' when a policy was active during the run. */
  policy?: { source: string; mode: 'enforce' | 'audit' };
  files: ReportFile[];
  totals: { tests: number; events: number; violations: number; dropped: number };
}
