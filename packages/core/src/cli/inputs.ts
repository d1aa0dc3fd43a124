// How the `vivarium` commands read their inputs (report/read.ts) and end:
// usage errors, unreadable inputs and bad patterns exit 2, others 1.
import { ReportFileError, readReportFile, readRunFile } from '../report/read.js';
import type { Report } from '../report/types.js';

/** A command used wrongly (or given a file it cannot read): exit code 2. */
export class UsageError extends Error {}

function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw err instanceof ReportFileError ? new UsageError(err.message, { cause: err }) : err;
  }
}

export const readReport = (path: string): Report => asUsage(() => readReportFile(path));
export const readRun = (path: string): ReturnType<typeof readRunFile> => asUsage(() => readRunFile(path));

/** Runs a command and returns its exit code, printing the message of what it threw. */
export function runCommand(command: () => number): number {
  try {
    return command();
  } catch (err) {
    console.error((err as Error).message);
    return err instanceof UsageError || err instanceof TypeError ? 2 : 1;
  }
}
