// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`
// lines that the runner turns into annotations on the pull request's files.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import { isAbsolute, join, relative } from 'node:path';
import type { Report, ReportFile } from '../report/types.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationAt {
  /** Relative to the repository's root (the workspace). */
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

/** A message: '%', CR and LF escaped (so several lines stay one command). */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** A property value: the message's escapes plus ':' and ','. */
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One workflow command line. */
export function annotation(level: AnnotationLevel, at: AnnotationAt, message: string): string {
  const props = (['file', 'line', 'col', 'title'] as const)
    .filter((key) => at[key] !== undefined && at[key] !== '')
    .map((key) => `${key}=${escapeProperty(String(at[key]))}`);
  return `::${level}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}

/** A report file's path as GitHub wants it: relative to the workspace
 * (`base`, default $GITHUB_WORKSPACE or the cwd) when the run's rootDir lies
 * in it (a project in a subdirectory), else as the report has it. */
export function annotationPath(report: Report, file: ReportFile, base = process.env.GITHUB_WORKSPACE || process.cwd()): string {
  const rootDir = (file.shard !== undefined ? report.shards?.[file.shard]?.rootDir : undefined) ?? report.rootDir;
  const rel = relative(base, join(rootDir, file.file));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file.file;
}
