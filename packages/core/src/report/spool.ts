// Workers and reporters live in different processes: each worker appends one
// JSON line per test to <dir>/<pid>.jsonl; the reporter reads them at the end.
// The reporter picks the dir and exports it as VIVARIUM_REPORT_DIR before the
// workers start, so they inherit it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportEvent, Violation } from '../event-lines.js';

export const REPORT_DIR_ENV = 'VIVARIUM_REPORT_DIR';

export interface SpooledTest {
  /** Absolute path of the test file. */
  file: string;
  /** Full name, describe blocks and title joined with ' > '. */
  name: string;
  /** The backend of the daemon the worker registered with ('syscalls', 'lsm'). */
  backend: string;
  events: ReportEvent[];
  dropped: number;
  violations: Violation[];
}

export function spoolDir(): string | undefined {
  return process.env[REPORT_DIR_ENV] || undefined;
}

export function appendSpooled(dir: string, test: SpooledTest): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(test)}\n`);
}

export function readSpool(dir: string): SpooledTest[] {
  if (!existsSync(dir)) return [];
  const tests: SpooledTest[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort())
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n'))
      if (line.trim()) tests.push(JSON.parse(line) as SpooledTest);
  return tests;
}
