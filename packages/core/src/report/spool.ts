// Workers and reporters live in different processes: each worker appends one
// JSON line per window to <dir>/<pid>.jsonl (per test, and per test file for
// what it did outside its tests); the reporter reads them at the end.
// The reporter picks the dir and exports it as VIVARIUM_REPORT_DIR before the
// workers start, so they inherit it. Each process opens its file once, before
// it registers (openSpool): appending to an open file is no event, so
// recording a test is never itself an event of the run.
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportEvent, Violation } from '../event-lines.js';

export const REPORT_DIR_ENV = 'VIVARIUM_REPORT_DIR';

/** A test, or a test file outside its tests (collection, beforeAll/afterAll, between its tests). */
export type WindowScope = 'test' | 'file';

export interface SpooledRecord {
  scope: WindowScope;
  /** Absolute path of the test file. */
  file: string;
  /** A test's full name, describe blocks and title joined with ' > '; '' for a file. */
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

const FDS = Symbol.for('vivarium.spool-fds');

/** This process's file in the spool dir, opened once per process (every copy of this module shares it). */
export function openSpool(dir: string): number {
  const store = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  const fds = (store[FDS] ??= new Map());
  let fd = fds.get(dir);
  if (fd === undefined) {
    mkdirSync(dir, { recursive: true });
    fd = openSync(join(dir, `${process.pid}.jsonl`), 'a');
    fds.set(dir, fd);
  }
  return fd;
}

export function appendSpooled(dir: string, test: SpooledRecord): void {
  writeSync(openSpool(dir), `${JSON.stringify(test)}\n`);
}

export function readSpool(dir: string): SpooledRecord[] {
  if (!existsSync(dir)) return [];
  const tests: SpooledRecord[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort())
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n'))
      if (line.trim()) tests.push(JSON.parse(line) as SpooledRecord);
  return tests;
}
