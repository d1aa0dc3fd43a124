// What both runners' reporters do: export the spool dir (and an inline
// policy) to the workers before they start, observe the runner's own process
// for the run (RunObservation), and at the end of the run merge the runner's
// statuses with what the workers and the runner recorded into
// vivarium-report.json and its HTML twin. Everything about the kernel side
// (the backend included) comes from what the workers recorded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatViolations } from '../policy/evaluate.js';
import { loadRunPolicy, POLICY_JSON_ENV } from '../policy/run-policy.js';
import { currentTokens } from '../policy/tokens.js';
import { RunObservation } from '../run-observation.js';
import { type RunnerTest, buildReport, runnerRecord, writeReportFile } from './build.js';
import { type HtmlReportOptions, renderHtmlReport } from './html.js';
import { readRunFile } from './read.js';
import { REPORT_DIR_ENV, openSpool, readSpool } from './spool.js';
import { RUNNER_FILE, type Report, type ReportTest } from './types.js';

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
  /** Observe the runner's own process too (its globalSetup, config, starting
   * workers), judged by the policy without its overrides. Default true. */
  observeRunner?: boolean;
  /** The pin dir of the daemon the runner registers with (as the workers' pinDir). */
  pinDir?: string;
}

const VERSION = '0.1.0';

export class RunReport {
  private readonly spool: string;
  private readonly runner: RunObservation | undefined;

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
    // Its own spool file first (Jest runs tests in its own process in band), then registered.
    openSpool(this.spool);
    if (options.observeRunner !== false) this.runner = new RunObservation(options.pinDir ? { pinDir: options.pinDir } : {});
  }

  /** Takes what the runner's own process did so far: call before a test file
   * starts in this process (Jest in band), so the file's record starts there. */
  collectRunner(): void {
    this.runner?.collect();
  }

  /** Writes the report files; returns the report, and why the run must fail
   * for what the runner's own process did (the policy refused it in enforce
   * mode, or its events were lost). */
  finish(runner: Report['runner'], tests: RunnerTest[]): { report: Report; runnerFailure?: string } {
    const policy = loadRunPolicy(this.rootDir, this.options.policy);
    const observed = this.runner?.finish();
    const events = observed?.backend ? observed.lines.lines : [];
    const runPolicy = policy?.forRun();
    const run = observed?.backend
      ? runnerRecord({ events, dropped: observed.gaps.dropped + observed.gaps.leftoverDropped, violations: runPolicy?.check(events) ?? [] })
      : undefined;
    const report = buildReport({
      runner,
      version: VERSION,
      rootDir: this.rootDir,
      tokens: currentTokens(this.rootDir),
      host: { hostname: hostname(), kernel: release(), node: process.versions.node },
      ...(policy ? { policy: { source: policy.source, mode: policy.policy.mode ?? 'enforce', runner: policy.policy.runner ?? 'audit' } } : {}),
      tests,
      spooled: readSpool(this.spool),
      ...(run ? { run } : {}),
    });
    const jsonPath = resolve(this.rootDir, this.options.outputFile ?? 'vivarium-report.json');
    writeReportFile(jsonPath, report);
    if (this.options.html !== false)
      writeFileSync(this.options.html ? resolve(this.rootDir, this.options.html) : `${jsonPath.replace(/\.json$/, '')}.html`, renderHtmlReport(report, this.baseline()));
    rmSync(this.spool, { recursive: true, force: true });
    const failure = run && runPolicy ? runnerFailure(run, policy!.source, runPolicy.mode) : undefined;
    return { report, ...(failure ? { runnerFailure: failure } : {}) };
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

function runnerFailure(run: ReportTest, source: string, mode: 'enforce' | 'audit'): string | undefined {
  const lines: string[] = [];
  if (run.dropped) lines.push(`vivarium: ${run.dropped} event(s) of the runner's own process were lost (restart vivariumd with a larger --ring-size)`);
  if (run.violations.length && mode === 'enforce')
    lines.push(formatViolations(run.violations, source, mode, `the runner's own process (${RUNNER_FILE} in the report: its globalSetup, config, starting workers)`));
  return lines.length ? lines.join('\n') : undefined;
}
