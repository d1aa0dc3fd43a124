// Policies per npm package (provenance): what only one dependency may do, and
// `vivarium learn` saying which tests and packages needed each entry.
import { describe, expect, test } from 'vitest';
import { type ReportEvent, toReportEvents } from '../src/event-lines.js';
import type { VivariumEvent } from '../src/events.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import { WHY_TESTS, learnPolicy } from '../src/policy/learn.js';
import { validatePolicy } from '../src/policy/policy-file.js';
import type { Origin } from '../src/provenance/origin.js';
import { exec, open } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const pkg = (name: string, version = '1.0.0'): Origin => ({ api: 'fs.readFileSync', site: { file: `/work/app/node_modules/${name}/index.js`, line: 1, column: 1 }, package: { name, version }, stack: [] });
const project: Origin = { api: 'fs.readFileSync', site: { file: '/work/app/src/a.ts', line: 3, column: 5 }, stack: [] };
const by = (origin: Origin | undefined, event: VivariumEvent): ReportEvent => toReportEvents([origin ? { ...event, origin } : event])[0]!;

describe('packages in a policy', () => {
  const policy = validatePolicy(
    { allow: { read: ['<rootDir>/**'], exec: [] }, packages: { rc: { read: ['<home>/.npmrc'] }, '@scope/git': { exec: ['/usr/bin/git'] } } },
    'p.json',
    tokens,
  );
  const check = (events: ReportEvent[]) => new PolicyChecker(policy, 'p.json', tokens).forFile('a.test.ts').check(events);

  test("a package's list allows its own events only", () => {
    expect(check([by(pkg('rc'), open('/root/.npmrc')), by(pkg('@scope/git'), exec('/usr/bin/git', ['git']))])).toEqual([]);
    expect(check([by(pkg('other'), open('/root/.npmrc'))]).map((v) => v.message)).toEqual([
      'open (read) /root/.npmrc  at /work/app/node_modules/other/index.js:1:1  [other@1.0.0]: not in allow.read or packages.other.read',
    ]);
    expect(check([by(project, open('/root/.npmrc'))]).map((v) => v.subject)).toEqual(['/root/.npmrc']);
    // Without provenance no event has a package: the base lists alone judge it.
    expect(check([by(undefined, open('/root/.npmrc'))]).map((v) => v.message)).toEqual(['open (read) /root/.npmrc: not in allow.read']);
    // The base lists still hold for a package's events.
    expect(check([by(pkg('rc'), open('/work/app/x'))])).toEqual([]);
    expect(check([by(pkg('rc'), exec('/usr/bin/git', ['git']))])).toHaveLength(1);
  });

  test.each([
    [{ allow: {}, packages: [] }, 'packages must be an object of allow-lists by npm package name'],
    [{ allow: {}, packages: { rc: { reed: [] } } }, "unknown key 'reed' in packages.rc"],
    [{ allow: {}, packages: { rc: { read: [3] } } }, 'packages.rc.read must be an array of strings'],
    [{ allow: {}, why: 'x' }, 'why must be an object'],
  ])('%j is refused: %s', (value, message) => {
    expect(() => validatePolicy(value, 'p.json', tokens)).toThrow(message);
  });

  test('why is accepted and ignored by the checker', () => {
    const p = validatePolicy({ allow: { read: [] }, why: { read: { '/x': { tests: ['t'], packages: [] } } } }, 'p.json', tokens);
    expect(new PolicyChecker(p, 'p.json', tokens).forFile('a.test.ts').check([by(undefined, open('/x'))])).toHaveLength(1);
  });
});

describe('learn: why each entry is there', () => {
  test('the tests that needed it and the packages (or the project) whose code did it', () => {
    const learned = learnPolicy(
      [
        { event: by(pkg('rc', '1.2.8'), open('/root/.npmrc')), test: 'a.test.ts > loads rc' },
        { event: by(project, open('/root/.npmrc')), test: 'b.test.ts > reads it too' },
        { event: by(undefined, exec('/usr/bin/git', ['git'])), test: 'a.test.ts > runs git' },
      ],
      tokens,
    );
    expect(learned.allow.read).toEqual(['<home>/.npmrc']);
    expect(learned.why).toEqual({
      read: { '<home>/.npmrc': { tests: ['a.test.ts > loads rc', 'b.test.ts > reads it too'], packages: ['rc@1.2.8', 'the project'] } },
      exec: { '/usr/bin/git': { tests: ['a.test.ts > runs git'], packages: [] } },
    });
  });

  test('tests are bounded; a learned policy with why still passes its run', () => {
    const lines = Array.from({ length: WHY_TESTS + 3 }, (_, i) => ({ event: by(undefined, open('/etc/x')), test: `t${String(i).padStart(2, '0')}` }));
    const learned = learnPolicy(lines, tokens);
    expect(learned.why?.read?.['/etc/x']?.tests).toHaveLength(WHY_TESTS + 1);
    expect(learned.why?.read?.['/etc/x']?.tests.at(-1)).toBe('… and 3 more');
    const reread = validatePolicy(JSON.parse(JSON.stringify(learned)), 'learned.json', tokens);
    expect(new PolicyChecker(reread, 'learned.json', tokens).forFile('a.test.ts').check(lines.map((l) => l.event))).toEqual([]);
  });
});
