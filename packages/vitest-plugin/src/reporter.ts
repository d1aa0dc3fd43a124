// `reporters: ['default', '@vivarium/vitest/reporter']`: writes
// vivarium-report.json and vivarium-report.html for the run (see RunReport).
import { type ReporterOptions, RunReport, type TestStatus } from '@vivarium/core';

export type VivariumReporterOptions = ReporterOptions;

interface TestCaseLike {
  fullName: string;
  result(): { state: string };
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

  onInit(vitest: { config: { root: string }; version?: string }): void {
    this.version = vitest.version ?? '';
    this.run = new RunReport(vitest.config.root, this.options);
  }

  onTestRunEnd(testModules: readonly TestModuleLike[]): void {
    const tests = testModules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({ file: m.moduleId, name: t.fullName, status: STATUS[t.result().state] ?? 'unknown' })),
    );
    this.run?.finish({ name: 'vitest', version: this.version }, tests);
  }
}
