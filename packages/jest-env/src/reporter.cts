// `reporters: ['default', '@vivarium/jest/reporter']` (or with options
// `['@vivarium/jest/reporter', { outputFile, html, policy }]`): writes
// vivarium-report.json and vivarium-report.html for the run. Core is an ES
// module, loaded with import(); the spool env is set synchronously in the
// constructor, before Jest starts its workers.
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

class VivariumJestReporter {
  private readonly rootDir: string;
  private readonly spool: string;

  constructor(
    globalConfig: { rootDir: string },
    private readonly options: ReporterOptions = {},
  ) {
    this.rootDir = globalConfig.rootDir;
    this.spool = mkdtempSync(join(tmpdir(), 'vivarium-spool-'));
    process.env[REPORT_DIR_ENV] = this.spool;
    if (options.policy !== undefined) process.env[POLICY_JSON_ENV] = JSON.stringify(options.policy);
  }

  async onRunComplete(_contexts: unknown, results: AggregatedLike): Promise<void> {
    const core = await import('@vivarium/core');
    // RunReport picks up the spool dir this constructor exported.
    const run: RunReport = new core.RunReport(this.rootDir, this.options, this.spool);
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
    run.finish({ name: 'jest', version }, tests);
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}

export = VivariumJestReporter;
