// vivarium-report.json: what every test touched, and the verdicts. Written
// by the Vitest and Jest reporters, merged across shards, read by
// `vivarium check`, `vivarium learn` and the HTML report.
import type { EventKind } from '../events.js';
import type { Endpoint } from '../sockaddr.js';
import type { Violation } from '../policy/policy.js';

export const REPORT_VERSION = 1;

/** One line of a test's activity; identical events are folded with a count. */
export interface ReportEvent {
  kind: EventKind;
  /** The main subject: a path, program, endpoint ('127.0.0.1:5432', 'unix:/x') or host name. */
  subject: string;
  /** The path as requested, when it differs from the subject (a symlink, `sh` for /usr/bin/dash). */
  requested?: string;
  /** For connect: the decoded endpoint, so policies can match CIDRs. */
  endpoint?: Endpoint;
  /** Kind-specific detail: access mode for opens, argv for execs, the new path of a rename, ... */
  detail?: string;
  /** errno name when the attempt failed. */
  errno?: string;
  /** Done by a child process of the worker. */
  child?: boolean;
  count: number;
}

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
}

export interface Report {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  runner: { name: 'vitest' | 'jest' | 'merged'; version: string };
  vivarium: { version: string; backend: string };
  rootDir: string;
  /** Token values of the run, so a report can be re-checked and learned from elsewhere. */
  tokens: { cwd: string; tmp: string; home: string; rootDir: string };
  /** 'enforce' or 'audit' when a policy was active during the run. */
  policy?: { source: string; mode: 'enforce' | 'audit' };
  files: ReportFile[];
  totals: { tests: number; events: number; violations: number; dropped: number };
}
