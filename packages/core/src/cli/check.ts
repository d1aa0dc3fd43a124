// `vivarium check REPORT [--policy FILE] [--format text|github]`: the CI
// gate. Exit 1 when a test (or a file outside its tests, or the runner's own
// process) violated the policy (the one recorded in the report, or FILE
// re-checked with each run's tokens) or lost events. Text for
// a log, or GitHub annotations on each failing test's file and line.
import type { Violation } from '../event-lines.js';
import type { PolicyMode } from '../policy/policy.js';
import { policyCheckerFor } from '../report/shards.js';
import { RUNNER_FILE, type Report, type ReportFile, type ReportTest } from '../report/types.js';
import { annotation, annotationPath } from './github-annotations.js';

export const CHECK_FORMATS = ['text', 'github'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** One test that failed the gate, or whose violations were only audited. */
interface Finding {
  file: ReportFile;
  test: ReportTest;
  violations: Violation[];
  mode: PolicyMode;
}

const RING_FULL = 'ring full: restart vivariumd with a larger --ring-size';

export function check(report: Report, policyPath: string | undefined, format: CheckFormat, out: (line: string) => void): number {
  const checkerOf = policyPath ? policyCheckerFor(report, policyPath) : undefined;
  const source = policyPath ?? report.policy?.source ?? 'the report';
  const findings: Finding[] = [];
  for (const file of report.files)
    for (const test of file.tests) {
      const checker = checkerOf?.(file);
      // The runner's own process answers to the policy without its overrides; what runners and module loading do on their own is allowed outside tests.
      const filePolicy = test.scope === 'run' ? checker?.forRun() : test.scope === 'file' ? checker?.forFileOutsideTests(file.file) : checker?.forFile(file.file);
      const violations = filePolicy ? filePolicy.check(test.events) : test.violations;
      // The report's own violations are enforced (it does not record which files an override put in audit
      // mode), but the runner's, which the report says how it judged.
      const mode = filePolicy?.mode ?? (test.scope === 'run' ? (report.policy?.runner ?? 'audit') : 'enforce');
      if (violations.length || test.dropped) findings.push({ file, test, violations, mode });
    }
  const enforced = findings.filter((f) => f.mode === 'enforce' && f.violations.length);
  const violations = enforced.reduce((n, f) => n + f.violations.length, 0);
  const audited = findings.filter((f) => f.mode === 'audit').reduce((n, f) => n + f.violations.length, 0);
  const dropped = findings.reduce((n, f) => n + f.test.dropped, 0);
  const tests = report.totals.tests;
  const headline =
    violations === 0 && dropped === 0
      ? `vivarium check: ${tests} tests, no violations (policy: ${source})${audited ? `; ${audited} audited violation(s) not enforced` : ''}`
      : `vivarium check: ${violations} violation(s) in ${where(enforced, tests)} (policy: ${source})${dropped ? `; ${dropped} event(s) lost` : ''}`;
  if (format === 'github') for (const line of annotations(report, findings, source)) out(line);
  out(headline);
  if (format === 'text')
    for (const { file, test, violations: found, mode } of findings) {
      const lines = [
        ...(test.dropped ? [`    ${test.dropped} event(s) lost (${RING_FULL})`] : []),
        ...(mode === 'enforce' ? found.map((v) => `    ${v.message}`) : []),
      ];
      if (lines.length) out(`  ${file.file}${test.line ? `:${test.line}` : ''} > ${test.name}\n${lines.join('\n')}`);
    }
  return violations === 0 && dropped === 0 ? 0 : 1;
}

/** '2 of 10 tests', '1 of 10 tests and the runner's own process'. */
function where(findings: Finding[], tests: number): string {
  const inTests = findings.filter((f) => !f.test.scope).length;
  const outside = findings.filter((f) => f.test.scope).map((f) => (f.test.scope === 'run' ? "the runner's own process" : `${f.file.file} outside its tests`));
  return [...(inTests || !outside.length ? [`${inTests} of ${tests} tests`] : []), ...outside].join(' and ');
}

/** One annotation per test and problem, at the test's declaration. */
function annotations(report: Report, findings: Finding[], source: string): string[] {
  return findings.flatMap(({ file, test, violations, mode }) => {
    const at = { file: file.file === RUNNER_FILE ? undefined : annotationPath(report, file), line: test.line, col: test.column };
    const lines: string[] = [];
    if (test.dropped)
      lines.push(annotation('error', { ...at, title: `vivarium: events lost in ${test.name}` }, `${test.dropped} event(s) of this test were lost (${RING_FULL})`));
    if (violations.length) {
      const what = `${violations.length} violation(s) of ${source}${mode === 'audit' ? ' (audit mode: not enforced)' : ''}`;
      lines.push(annotation(mode === 'audit' ? 'warning' : 'error', { ...at, title: `vivarium: ${test.name}` }, [what, ...violations.map((v) => v.message)].join('\n')));
    }
    return lines;
  });
}
