// `reporters: ['default', '@vivarium/vitest/reporter']`: writes
// vivarium-report.json and vivarium-report.html for the run (see RunReport).
import { type ReporterOptions, RunReport, type TestStatus } from '@vivarium/core';

export type VivariumReporterOptions = ReporterOptions;

interface TestCaseLike {
  fullName: string;
  result(): { state: string };
  /** Set when the config's includeTaskLocation is on (this reporter turns it on). */
  location?: { line: number; column: number };
}
interface TestModuleLike {
  moduleId: string;
  children: { allTests(): Iterable<TestCaseLike> };
}

const STATUS: Record<string, TestStatus> = { passed: 'passed', failed: 'failed', skipped: 'skipped', pending: 'unknown' };

export default class VivariumReporter {
  private run: RunReport | undefined;
  private version = '';

  constructor(private readonly options: VivariumReporterOptions = {}) {}

  onInit(vitest: { config: { root: string; includeTaskLocation?: boolean }; version?: string }): void {
    this.version = vitest.version ?? '';
    // Each test's line and column in the report (for `vivarium check --format
    // github`): Vitest records them when asked, before it starts the workers.
    vitest.config.includeTaskLocation ??= true;
    this.run = new RunReport(vitest.config.root, this.options);
  }

  onTestRunEnd(testModules: readonly TestModuleLike[]): void {
    const tests = testModules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({ file: m.moduleId, name: t.fullName, status: STATUS[t.result().state] ?? 'unknown', location: t.location })),
    );
    const failure = this.run?.finish({ name: 'vitest', version: this.version }, tests).runnerFailure;
    if (failure) {
      // Not any test's failure: the run's.
      process.stderr.write(`\n${failure}\n`);
      process.exitCode = 1;
    }
  }
}
