// `vivarium`: the CI side of Vivarium.
//   vivarium check REPORT [--policy FILE]   exit 1 on violations or lost events
//   vivarium learn REPORT [-o FILE]          a policy that allows what the run did
//   vivarium merge REPORT... -o FILE         join the reports of sharded runs
//   vivarium html REPORT [-o FILE]           the single-file HTML report
//   vivarium footprint, vivarium diff        see cli/footprint.ts, cli/diff.ts
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PolicyChecker } from '../policy/evaluate.js';
import { learnPolicy } from '../policy/learn.js';
import { readPolicyFile } from '../policy/policy-file.js';
import { mergeReports, writeReportFile } from '../report/build.js';
import { renderHtmlReport } from '../report/html.js';
import type { Report } from '../report/types.js';
import { DIFF_USAGE, diffMain } from './diff.js';
import { FOOTPRINT_USAGE, footprintMain } from './footprint.js';
import { UsageError, readReport } from './inputs.js';

const USAGE = `Usage: vivarium check REPORT [--policy FILE]   exit 1 on policy violations or lost events
       vivarium learn REPORT [-o FILE]          write a policy allowing exactly what the run did
       vivarium merge REPORT... -o FILE         merge the reports of sharded runs
       vivarium html REPORT [-o FILE]           render the single-file HTML report
       ${FOOTPRINT_USAGE}
       ${DIFF_USAGE}`;

/** Violations per test, from the report or re-checked against a policy file. */
function check(report: Report, policyPath: string | undefined, out: (line: string) => void): number {
  const checker = policyPath ? new PolicyChecker(readPolicyFile(policyPath, report.tokens), policyPath, report.tokens) : undefined;
  const source = policyPath ?? report.policy?.source ?? 'the report';
  let violations = 0;
  let failingTests = 0;
  let dropped = 0;
  let audited = 0;
  const lines: string[] = [];
  for (const file of report.files)
    for (const test of file.tests) {
      const filePolicy = checker?.forFile(file.file);
      const found = filePolicy ? filePolicy.check(test.events) : test.violations;
      dropped += test.dropped;
      if (test.dropped) lines.push(`  ${file.file} > ${test.name}\n    ${test.dropped} event(s) lost (ring full: restart vivariumd with a larger --ring-size)`);
      if (!found.length) continue;
      if (filePolicy?.mode === 'audit') {
        audited += found.length;
        continue;
      }
      failingTests++;
      violations += found.length;
      lines.push(`  ${file.file} > ${test.name}`, ...found.map((v) => `    ${v.message}`));
    }
  const tests = report.totals.tests;
  if (violations === 0 && dropped === 0) {
    out(`vivarium check: ${tests} tests, no violations (policy: ${source})${audited ? `; ${audited} audited violation(s) not enforced` : ''}`);
    return 0;
  }
  out(`vivarium check: ${violations} violation(s) in ${failingTests} of ${tests} tests (policy: ${source})${dropped ? `; ${dropped} event(s) lost` : ''}`);
  for (const line of lines) out(line);
  return 1;
}

export function main(argv: string[], out = (l: string) => console.log(l)): number {
  if (argv[0] === 'footprint') return footprintMain(argv.slice(1), out);
  if (argv[0] === 'diff') return diffMain(argv.slice(1), out);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { policy: { type: 'string' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    });
    const [command, ...files] = positionals;
    if (values.help || !command) {
      out(USAGE);
      return values.help ? 0 : 2;
    }
    switch (command) {
      case 'check':
        if (files.length !== 1) throw new UsageError('vivarium check: give one report (vivarium merge shards first)');
        return check(readReport(files[0]!), values.policy, out);
      case 'learn': {
        if (files.length !== 1) throw new UsageError('vivarium learn: give one report');
        const report = readReport(files[0]!);
        const events = report.files.flatMap((f) => f.tests.flatMap((t) => t.events));
        const text = `${JSON.stringify(learnPolicy(events, report.tokens), null, 2)}\n`;
        if (values.output) writeFileSync(values.output, text);
        else process.stdout.write(text);
        return 0;
      }
      case 'merge':
        if (!files.length || !values.output) throw new UsageError('vivarium merge: give the reports and -o FILE');
        writeReportFile(values.output, mergeReports(files.map(readReport)));
        out(`vivarium merge: ${files.length} report(s) → ${values.output}`);
        return 0;
      case 'html': {
        if (files.length !== 1) throw new UsageError('vivarium html: give one report');
        const output = values.output ?? files[0]!.replace(/\.json$/, '') + '.html';
        writeFileSync(output, renderHtmlReport(readReport(files[0]!)));
        out(`vivarium html: ${output}`);
        return 0;
      }
      default:
        throw new UsageError(`vivarium: unknown command '${command}' (check, learn, merge or html)`);
    }
  } catch (err) {
    console.error((err as Error).message);
    return err instanceof UsageError || err instanceof TypeError ? 2 : 1;
  }
}
