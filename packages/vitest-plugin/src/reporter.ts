// `reporters: ['default', '@vivarium/vitest/reporter']`: writes
// vivarium-report.json and vivarium-report.html for the run. Workers record
// each test into a spool directory this reporter creates and exports to them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  POLICY_JSON_ENV,
  REPORT_DIR_ENV,
  type RunnerTest,
  type TestStatus,
  buildReport,
  currentTokens,
  loadRunPolicy,
  readSpool,
  renderHtmlReport,
  runBackend,
  writeReportFile,
} from '@vivarium/core';

export interface VivariumReporterOptions {
  /** Default `vivarium-report.json` in the project root. */
  outputFile?: string;
  /** The HTML twin; false for none. Default: outputFile with .html. */
  html?: string | false;
  /** A policy object or file, instead of vivarium.policy.json. */
  policy?: unknown;
}

interface TestCaseLike {
  fullName: string;
  result(): { state: string };
}
interface TestModuleLike {
  moduleId: string;
  children: { allTests(): Iterable<TestCaseLike> };
}

const STATUS: Record<string, TestStatus> = { passed: 'passed', failed: 'failed', skipped: 'skipped', pending: 'unknown' };

function ownVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export default class VivariumReporter {
  private rootDir = process.cwd();
  private spool = '';
  private vitestVersion = '';

  constructor(private readonly options: VivariumReporterOptions = {}) {}

  onInit(vitest: { config: { root: string }; version?: string }): void {
    this.rootDir = vitest.config.root;
    this.vitestVersion = vitest.version ?? '';
    this.spool = mkdtempSync(join(tmpdir(), 'vivarium-spool-'));
    // Workers are forked after this: they inherit where to record, and the policy.
    process.env[REPORT_DIR_ENV] = this.spool;
    if (this.options.policy !== undefined) process.env[POLICY_JSON_ENV] = JSON.stringify(this.options.policy);
  }

  onTestRunEnd(testModules: readonly TestModuleLike[]): void {
    const tests: RunnerTest[] = testModules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({ file: m.moduleId, name: t.fullName, status: STATUS[t.result().state] ?? 'unknown' })),
    );
    const policy = loadRunPolicy(this.rootDir, this.options.policy);
    const report = buildReport({
      runner: { name: 'vitest', version: this.vitestVersion },
      vivarium: { version: ownVersion(), backend: runBackend() },
      rootDir: this.rootDir,
      tokens: currentTokens(this.rootDir),
      ...(policy ? { policy: { source: policy.source, mode: policy.policy.mode ?? 'enforce' } } : {}),
      tests,
      spooled: readSpool(this.spool),
    });
    const jsonPath = resolve(this.rootDir, this.options.outputFile ?? 'vivarium-report.json');
    writeReportFile(jsonPath, report);
    if (this.options.html !== false) writeFileSync(this.options.html ? resolve(this.rootDir, this.options.html) : jsonPath.replace(/\.json$/, '') + '.html', renderHtmlReport(report));
    rmSync(this.spool, { recursive: true, force: true });
  }
}
