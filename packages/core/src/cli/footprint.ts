// `vivarium footprint REPORT... [-o FILE]`: the run's footprint per test,
// normalised so it is the same on every machine (see footprint/normalise.ts),
// to commit beside the tests. Several reports: the shards of one run.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { footprintOfReports } from '../footprint/run.js';
import { UsageError, readReport, runCommand } from './inputs.js';

export const FOOTPRINT_USAGE = 'vivarium footprint REPORT... [-o FILE]    the footprint of each test, to commit and diff';

export function footprintMain(argv: string[], out: (line: string) => void): number {
  return runCommand(() => {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
    if (!positionals.length) throw new UsageError(`vivarium footprint: give the report (or the reports of a sharded run)\nUsage: ${FOOTPRINT_USAGE}`);
    const footprint = footprintOfReports(positionals.map(readReport));
    const text = `${JSON.stringify(footprint, null, 2)}\n`;
    if (!values.output) process.stdout.write(text);
    else {
      writeFileSync(values.output, text);
      const tests = Object.values(footprint.files).reduce((n, tests) => n + Object.keys(tests).length, 0);
      out(`vivarium footprint: ${tests} tests → ${values.output}`);
    }
    return 0;
  });
}
