// Reading what a run left behind: vivarium-report.json (refusing other
// versions, saying what to do) or a run footprint (footprint/run.ts) — for
// the `vivarium` commands and for a reporter comparing with a base run.
import { readFileSync } from 'node:fs';
import { VivariumError } from '../errors.js';
import { type RunFootprint, footprintOfReports, isRunFootprint } from '../footprint/run.js';
import { REPORT_VERSION, type Report } from './types.js';

/** A file that is not a report (or footprint) this Vivarium can read. */
export class ReportFileError extends VivariumError {
  override name = 'ReportFileError';
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ReportFileError(`vivarium: cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

function asReport(value: unknown, path: string): Report {
  const report = value as Report;
  const version = (report as { version?: unknown } | null)?.version;
  if (version === 1)
    throw new ReportFileError(
      `vivarium: ${path} is a version 1 report, which records events as text only (re-run the tests with this Vivarium to write a version ${REPORT_VERSION} report)`,
    );
  if (version !== REPORT_VERSION || !Array.isArray(report.files))
    throw new ReportFileError(`vivarium: ${path} is not a vivarium-report.json of version ${REPORT_VERSION}`);
  return report;
}

export function readReportFile(path: string): Report {
  return asReport(readJson(path, 'report'), path);
}

/** A run's footprint, from a footprint file or from a report (then the report too). */
export function readRunFile(path: string): { footprint: RunFootprint; report?: Report } {
  const value = readJson(path, 'report or footprint');
  if (isRunFootprint(value)) return { footprint: value };
  if ((value as { vivarium?: unknown } | null)?.vivarium === 'footprint')
    throw new ReportFileError(`vivarium: ${path} is a footprint of another version (write it again with this Vivarium: vivarium footprint REPORT -o ${path})`);
  const report = asReport(value, path);
  return { footprint: footprintOfReports([report]), report };
}
