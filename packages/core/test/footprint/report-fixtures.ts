// Crafted reports for the footprint and diff tests: a base run, and a head
// run in which one test reads a new file, one stops writing, one is added and
// one removed — run on another machine (other temp dir and home).
import { toReportEvents } from '../../src/event-lines.js';
import type { VivariumEvent } from '../../src/events.js';
import { buildReport } from '../../src/report/build.js';
import type { Report } from '../../src/report/types.js';
import { connect, exec, inet, open, openToWrite } from '../helpers/events.js';

export type Tokens = Report['tokens'];
export const ALICE: Tokens = { cwd: '/home/alice/app', tmp: '/tmp', home: '/home/alice', rootDir: '/home/alice/app' };
export const CI: Tokens = { cwd: '/ci/app', tmp: '/var/tmp/r1', home: '/root', rootDir: '/ci/app' };

type Test = [file: string, name: string, does: (t: Tokens) => VivariumEvent[]];

export function reportOf(tokens: Tokens, tests: Test[]): Report {
  return buildReport({
    runner: { name: 'vitest', version: '4' },
    version: '0.1.0',
    rootDir: tokens.rootDir,
    tokens,
    tests: tests.map(([file, name]) => ({ file: `${tokens.rootDir}/${file}`, name, status: 'passed' })),
    spooled: tests.map(([file, name, does]) => ({
      scope: 'test' as const,
      file: `${tokens.rootDir}/${file}`,
      name,
      backend: 'syscalls',
      events: toReportEvents(does(tokens)),
      dropped: 0,
      violations: [],
    })),
  });
}

const config: Test = ['config.test.js', 'loads its config', (t) => [open(`${t.rootDir}/config.json`), connect(inet('127.0.0.1', t === CI ? 41000 : 37000))]];
const build: Test = ['build.test.js', 'builds', (t) => [openToWrite(`${t.tmp}/build-${t === CI ? 'Q1w2E3' : 'z9Y8x7'}/out.js`), exec('/usr/bin/git', ['git', 'rev-parse', 'HEAD'])]];
const old: Test = ['build.test.js', 'old test', (t) => [open(`${t.rootDir}/legacy.txt`)]];

export const BASE_TESTS: Test[] = [config, build, old];
export const HEAD_TESTS: Test[] = [
  ['config.test.js', 'loads its config', (t) => [...config[2](t), open(`${t.home}/.aws/credentials`)]],
  ['build.test.js', 'builds', (t) => [exec('/usr/bin/git', ['git', 'rev-parse', 'HEAD'])]],
  ['net.test.js', 'downloads', (t) => [exec('/usr/bin/curl', ['curl', '-sS', 'https://example.com']), connect(inet('93.184.215.14', 443))]],
];
