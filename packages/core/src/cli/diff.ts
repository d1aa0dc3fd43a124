// `vivarium diff BASE HEAD`: what changed in the footprint between two runs
// (reports, merged reports or footprints): per test, the effects added and
// removed; tests added and removed.
//   --markdown         a pull-request comment (summary, table, details per test)
//   --html FILE        HEAD's HTML report (HEAD must be a report) with what is new highlighted
//   --fail-on added    exit 1 when any test gained an effect (a new test's count);
//   --fail-on changed  ... or lost one
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diffFootprints } from '../footprint/diff.js';
import { diffMarkdown, diffText } from '../footprint/diff-render.js';
import { renderHtmlReport } from '../report/html.js';
import { UsageError, readRun, runCommand } from './inputs.js';

export const DIFF_USAGE = 'vivarium diff BASE HEAD [--markdown] [--html FILE] [--fail-on added|changed] [-o FILE]';

const FAIL_ON = ['added', 'changed'] as const;

export function diffMain(argv: string[], out: (line: string) => void): number {
  return runCommand(() => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { markdown: { type: 'boolean' }, html: { type: 'string' }, 'fail-on': { type: 'string' }, output: { type: 'string', short: 'o' } },
    });
    if (positionals.length !== 2) throw new UsageError(`vivarium diff: give the base and the head run (reports or footprints)\nUsage: ${DIFF_USAGE}`);
    const failOn = values['fail-on'];
    if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn))
      throw new UsageError(`vivarium diff: --fail-on ${failOn}: expected ${FAIL_ON.join(' or ')}`);
    const [base, head] = positionals.map(readRun) as [ReturnType<typeof readRun>, ReturnType<typeof readRun>];
    const diff = diffFootprints(base.footprint, head.footprint);
    if (values.html) {
      if (!head.report) throw new UsageError(`vivarium diff --html: ${positionals[1]} is a footprint; the HTML report needs HEAD's report (vivarium-report.json)`);
      writeFileSync(values.html, renderHtmlReport(head.report, { base: base.footprint, baseSource: positionals[0]! }));
    }
    const text = values.markdown ? diffMarkdown(diff) : `${diffText(diff)}\n`;
    if (values.output) writeFileSync(values.output, text);
    else for (const line of text.trimEnd().split('\n')) out(line);
    const { added, removed } = diff.totals;
    return (failOn === 'added' && added > 0) || (failOn === 'changed' && added + removed > 0) ? 1 : 0;
  });
}
