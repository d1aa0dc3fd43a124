// What both runners' reporters do: export the spool dir (and an inline
// policy) to the workers before they start, and at the end of the run merge
// the runner's statuses with what the workers recorded into
// vivarium-report.json and its HTML twin. Everything about the kernel side
// (the backend included) comes from what the workers recorded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRunPolicy, POLICY_JSON_ENV } from '../policy/run-policy.js';
import { currentTokens } from '../policy/tokens.js';
import { type RunnerTest, buildReport, writeReportFile } from './build.js';
import { type HtmlReportOptions, renderHtmlReport } from './html.js';
import { readRunFile } from './read.js';
import { REPORT_DIR_ENV, readSpool } from './spool.js';
import type { Report } from './types.js';

export interface ReporterOptions {
  /** Default `vivarium-report.json` in the project root. */
  outputFile?: string;
  /** The HTML twin; false for none. Default: outputFile with .html. */
  html?: string | false;
  /** A policy object or file, instead of vivarium.policy.json. */
  policy?: unknown;
  /** The report (or footprint) of a base run, relative to the root: the HTML
   * report marks what is new since it. */
  baseline?: string;
}

const VERSION = '0.1.0';

export class RunReport {
  private readonly spool: string;

  /** Call before the runner starts its workers, so they inherit the environment.
   * `spool`: a directory already exported to the workers. */
  constructor(
    private readonly rootDir: string,
    private readonly options: ReporterOptions = {},
    spool?: string,
  ) {
    this.spool = spool ?? mkdtempSync(join(tmpdir(), 'vivarium-spool-'));
    process.env[REPORT_DIR_ENV] = this.spool;
    if (options.policy !== undefined) process.env[POLICY_JSON_ENV] = JSON.stringify(options.policy);
  }

  /** Writes the report files; returns the report. */
  finish(runner: Report['runner'], tests: RunnerTest[]): Report {
    const policy = loadRunPolicy(this.rootDir, this.options.policy);
    const report = buildReport({
      runner,
      version: VERSION,
      rootDir: this.rootDir,
      tokens: currentTokens(this.rootDir),
      ...(policy ? { policy: { source: policy.source, mode: policy.policy.mode ?? 'enforce' } } : {}),
      tests,
      spooled: readSpool(this.spool),
    });
    const jsonPath = resolve(this.rootDir, this.options.outputFile ?? 'vivarium-report.json');
    writeReportFile(jsonPath, report);
    if (this.options.html !== false)
      writeFileSync(this.options.html ? resolve(this.rootDir, this.options.html) : `${jsonPath.replace(/\.json$/, '')}.html`, renderHtmlReport(report, this.baseline()));
    rmSync(this.spool, { recursive: true, force: true });
    return report;
  }

  /** The base run to compare with; one that cannot be read is said, not fatal: the report is still written. */
  private baseline(): HtmlReportOptions {
    const { baseline } = this.options;
    if (!baseline) return {};
    try {
      return { base: readRunFile(resolve(this.rootDir, baseline)).footprint, baseSource: baseline };
    } catch (err) {
      process.stderr.write(`vivarium reporter: cannot compare with the baseline: ${(err as Error).message} (the HTML report is written without it)\n`);
      return {};
    }
  }
}
