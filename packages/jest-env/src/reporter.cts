// `reporters: ['default', '@vivarium/jest/reporter']` (or with options
// `['@vivarium/jest/reporter', { outputFile, html, policy, observeRunner, pinDir }]`):
// writes vivarium-report.json and vivarium-report.html for the run, and
// observes Jest's own process from onRunStart on (from globalSetup on with
// `globalSetup: '@vivarium/jest/global-setup'`). Core is an ES module, loaded
// with import(); the spool env is set synchronously in the constructor, before
// Jest starts its workers. What Jest's own process did, refused by the policy
// in enforce mode, fails the run (getLastError).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReporterOptions, RunReport, TestStatus } from '@vivarium/core';

interface AssertionLike {
  ancestorTitles: string[];
  title: string;
  status: string;
  /** Set when testLocationInResults is on (the Vivarium environment turns it on for its files). */
  location?: { line: number; column: number } | null;
}
interface AggregatedLike {
  testResults: Array<{ testFilePath: string; testResults: AssertionLike[] }>;
}

const STATUS: Record<string, TestStatus> = { passed: 'passed', failed: 'failed', pending: 'skipped', skipped: 'skipped', todo: 'todo', disabled: 'skipped' };
// Keep in step with REPORT_DIR_ENV / POLICY_JSON_ENV in @vivarium/core.
const REPORT_DIR_ENV = 'VIVARIUM_REPORT_DIR';
const POLICY_JSON_ENV = 'VIVARIUM_POLICY_JSON';
/** The pid of the Jest process whose global-setup made the spool dir. */
const SPOOL_OWNER_ENV = 'VIVARIUM_SPOOL_OWNER';

class VivariumJestReporter {
  private readonly rootDir: string;
  private readonly spool: string;
  private run: RunReport | undefined;
  private failure: Error | undefined;

  constructor(
    globalConfig: { rootDir: string },
    private readonly options: ReporterOptions = {},
  ) {
    this.rootDir = globalConfig.rootDir;
    // '@vivarium/jest/global-setup' made it already, before it registered this process.
    const made = process.env[SPOOL_OWNER_ENV] === String(process.pid) ? process.env[REPORT_DIR_ENV] : undefined;
    this.spool = made ?? mkdtempSync(join(tmpdir(), 'vivarium-spool-'));
    process.env[REPORT_DIR_ENV] = this.spool;
    if (options.policy !== undefined) process.env[POLICY_JSON_ENV] = JSON.stringify(options.policy);
  }

  /** Before Jest starts its workers: from here on its own process is observed. */
  async onRunStart(): Promise<void> {
    const core = await import('@vivarium/core');
    // RunReport picks up the spool dir this constructor exported.
    this.run = new core.RunReport(this.rootDir, this.options, this.spool);
  }

  /** In band, the file runs in this process: what came before is the runner's. */
  onTestFileStart(): void {
    this.run?.collectRunner();
  }

  async onRunComplete(_contexts: unknown, results: AggregatedLike): Promise<void> {
    const run = this.run ?? new (await import('@vivarium/core')).RunReport(this.rootDir, { ...this.options, observeRunner: false }, this.spool);
    const tests = results.testResults.flatMap((file) =>
      file.testResults.map((t) => ({
        file: file.testFilePath,
        name: [...t.ancestorTitles, t.title].join(' > '),
        status: STATUS[t.status] ?? 'unknown',
        location: t.location,
      })),
    );
    let version = '';
    try {
      version = (require('jest/package.json') as { version: string }).version;
    } catch {
      // jest not resolvable from here: leave it empty
    }
    const failure = run.finish({ name: 'jest', version }, tests).runnerFailure;
    if (failure) {
      process.stderr.write(`\n${failure}\n`);
      this.failure = new Error(failure);
    }
  }

  /** Jest fails the run with it (as with coverage thresholds). */
  getLastError(): Error | undefined {
    return this.failure;
  }
}

export = VivariumJestReporter;
