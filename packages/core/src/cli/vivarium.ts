// `vivarium`: the CI side of Vivarium.
//   vivarium check REPORT [--policy FILE] [--format text|github]   exit 1 on violations or lost events
//   vivarium summary REPORT                  Markdown for a CI job summary
//   vivarium learn REPORT [-o FILE]          a policy that allows what the run did
//   vivarium merge REPORT... -o FILE         join the reports of sharded runs
//   vivarium html REPORT [-o FILE]           the single-file HTML report
//   vivarium footprint, vivarium diff        see cli/footprint.ts, cli/diff.ts
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mergeReports, writeReportFile } from '../report/build.js';
import { renderHtmlReport } from '../report/html.js';
import { learnFromReport } from '../report/shards.js';
import type { Report } from '../report/types.js';
import { CHECK_FORMATS, type CheckFormat, check } from './check.js';
import { DIFF_USAGE, diffMain } from './diff.js';
import { FOOTPRINT_USAGE, footprintMain } from './footprint.js';
import { UsageError, readReport } from './inputs.js';
import { summaryMarkdown } from './summary.js';

const USAGE = `Usage: vivarium check REPORT [--policy FILE] [--format text|github]
                                                exit 1 on policy violations or lost events
                                                (github: annotations at each test's file and line)
       vivarium summary REPORT                  Markdown for a CI job summary ($GITHUB_STEP_SUMMARY)
       vivarium learn REPORT [-o FILE]          write a policy allowing exactly what the run did
       vivarium merge REPORT... -o FILE         merge the reports of sharded runs
       vivarium html REPORT [-o FILE]           render the single-file HTML report
       ${FOOTPRINT_USAGE}
       ${DIFF_USAGE}`;

export function main(argv: string[], out = (l: string) => console.log(l)): number {
  if (argv[0] === 'footprint') return footprintMain(argv.slice(1), out);
  if (argv[0] === 'diff') return diffMain(argv.slice(1), out);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { policy: { type: 'string' }, format: { type: 'string', default: 'text' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    });
    const [command, ...files] = positionals;
    if (values.help || !command) {
      out(USAGE);
      return values.help ? 0 : 2;
    }
    switch (command) {
      case 'check':
        if (files.length !== 1) throw new UsageError('vivarium check: give one report (vivarium merge shards first)');
        if (!(CHECK_FORMATS as readonly string[]).includes(values.format!))
          throw new UsageError(`vivarium check: --format must be ${CHECK_FORMATS.join(' or ')}, got '${values.format}'`);
        return check(readReport(files[0]!), values.policy, values.format as CheckFormat, out);
      case 'summary':
        if (files.length !== 1) throw new UsageError('vivarium summary: give one report');
        out(summaryMarkdown(readReport(files[0]!)).trimEnd());
        return 0;
      case 'learn': {
        if (files.length !== 1) throw new UsageError('vivarium learn: give one report');
        const text = `${JSON.stringify(learnFromReport(readReport(files[0]!)), null, 2)}\n`;
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
        throw new UsageError(`vivarium: unknown command '${command}' (check, summary, learn, merge, html, footprint or diff)`);
    }
  } catch (err) {
    console.error((err as Error).message);
    return err instanceof UsageError || err instanceof TypeError ? 2 : 1;
  }
}
