// What a finished test means, on a stub test window (no kernel): the policy's
// verdict, the record the reporter gets, the error the test fails with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type Gaps, NO_GAPS } from '../src/completeness.js';
import type { VivariumEvent } from '../src/events.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import type { Policy } from '../src/policy/policy.js';
import { readSpool } from '../src/report/spool.js';
import { PolicyViolationError, TestVerdicts, type TestWindow } from '../src/test-verdict.js';
import { open, openToWrite } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const policy = (mode: Policy['mode']) => new PolicyChecker({ mode, allow: { read: ['<rootDir>/**'] } }, 'vivarium.policy.json', tokens);

/** A test window that did `events` (and lost `dropped`, or more: `gaps`). */
function window(events: VivariumEvent[], dropped = 0, gaps: Partial<Gaps> = {}): TestWindow & { ended: number } {
  const w = {
    ended: 0,
    inTest: true,
    backend: 'syscalls',
    registrationFailure: undefined as Error | undefined,
    endTest() {
      w.ended++;
      w.inTest = false;
      return { events, gaps: { ...NO_GAPS, dropped, ...gaps } };
    },
  };
  return w;
}

const spools: string[] = [];
const spool = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-verdict-'));
  spools.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of spools.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TestVerdicts.kinds', () => {
  // What the session asks vivariumd to attach at registration (http is otherwise deferred).
  test('every uprobe-fed kind with a policy or a reporter, none without', () => {
    expect(new TestVerdicts(undefined, undefined).kinds).toEqual([]);
    expect(new TestVerdicts(policy('audit'), undefined).kinds).toEqual(['env', 'load', 'http']);
    expect(new TestVerdicts(undefined, spool()).kinds).toEqual(['env', 'load', 'http']);
  });
});

describe('TestVerdicts.complete', () => {
  test('outside a test window: nothing to judge, the window is left alone', () => {
    const w = window([]);
    w.inTest = false;
    expect(new TestVerdicts(policy('enforce'), undefined).complete(w, '/work/app/a.test.ts', 't')).toBeUndefined();
    expect(w.ended).toBe(0);
  });

  test('enforce: the test fails with its violations', () => {
    const error = new TestVerdicts(policy('enforce'), undefined).complete(window([open('/work/app/a'), open('/etc/passwd')]), '/work/app/a.test.ts', 't');
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect((error as PolicyViolationError).violations.map((v) => v.subject)).toEqual(['/etc/passwd']);
    expect(error!.message).toMatchInlineSnapshot(`
      "vivarium policy (vivarium.policy.json, enforce): 1 violation(s) in this test
        open (read) /etc/passwd: not in allow.read
      (allow them in vivarium.policy.json, or set "mode": "audit" to report without failing)"
    `);
  });

  test('audit: the test passes and the violations are printed under its name', () => {
    const printed: string[] = [];
    const verdicts = new TestVerdicts(policy('audit'), undefined, (text) => printed.push(text));
    expect(verdicts.complete(window([open('/etc/passwd')]), '/work/app/a.test.ts', 'reads > the password file')).toBeUndefined();
    expect(printed.join('')).toMatch(/^reads > the password file\nvivarium policy \(vivarium.policy.json, audit\): 1 violation/);
  });

  test('lost events fail the test, policy or not', () => {
    const error = new TestVerdicts(undefined, undefined).complete(window([], 7), '/work/app/a.test.ts', 't');
    expect(error?.name).toBe('EventsDroppedError');
    expect(error?.message).toContain('7 event(s) of this test were lost');
  });

  test('with a reporter: one spooled record per test, with the backend the worker registered with', () => {
    const dir = spool();
    const verdicts = new TestVerdicts(policy('audit'), dir, () => {});
    verdicts.complete(window([open('/etc/passwd'), openToWrite('/tmp/x')]), '/work/app/a.test.ts', 'first');
    verdicts.complete(window([], 2), '/work/app/a.test.ts', 'second');
    const [first, second] = readSpool(dir);
    expect(first).toMatchObject({ file: '/work/app/a.test.ts', name: 'first', backend: 'syscalls', dropped: 0 });
    expect(first!.events.map((e) => [e.rule, e.subject])).toEqual([
      ['read', '/etc/passwd'],
      ['write', '/tmp/x'],
    ]);
    expect(first!.violations.map((v) => v.message)).toEqual(['open (read) /etc/passwd: not in allow.read']);
    expect(second).toMatchObject({ name: 'second', events: [], dropped: 2, violations: [] });
  });

  test('without policy or reporter, no report lines are built', () => {
    const verdicts = new TestVerdicts(undefined, undefined);
    expect(verdicts.complete(window([open('/etc/passwd')]), '/work/app/a.test.ts', 't')).toBeUndefined();
  });
});

describe('windows that could not see everything', () => {
  test('a kind vivariumd could not attach uprobes for fails a policy that restricts its rule, naming why; others pass', () => {
    const unavailable = { env: '/usr/local/bin/node maps no libc.so.6 (a statically linked program?)' };
    const judgesEnv = new PolicyChecker({ allow: { read: ['<rootDir>/**'], env: ['HOME'] } }, 'vivarium.policy.json', tokens);
    const error = new TestVerdicts(judgesEnv, undefined).complete(window([], 0, { unavailable }), '/work/app/a.test.ts', 't');
    expect(error?.message).toBe(
      'vivarium: this test cannot be checked: env events are unavailable for this worker (/usr/local/bin/node maps no libc.so.6 (a statically linked program?))',
    );
    expect(new TestVerdicts(policy('enforce'), undefined).complete(window([], 0, { unavailable }), '/work/app/a.test.ts', 't')).toBeUndefined();
  });

  test('a tampered window fails the test naming what changed', () => {
    const error = new TestVerdicts(undefined, undefined).complete(window([], 0, { tampered: "this worker's config_targets entry is gone" }), '/work/app/a.test.ts', 't');
    expect(error?.message).toBe("vivarium: observation of this test was tampered with (this worker's config_targets entry is gone)");
  });

  test('processes that could not be followed fail the test naming --max-targets', () => {
    const error = new TestVerdicts(undefined, undefined).complete(window([], 0, { unfollowed: 2 }), '/work/app/a.test.ts', 't');
    expect(error?.message).toBe(
      "vivarium: 2 process(es) of this test could not be followed: the kernel's table of observed processes is full (restart vivariumd with a larger --max-targets)",
    );
  });

  test("a leftover's lost events are charged to it, by name", () => {
    const helper = { ...open('/etc/passwd'), pid: 77, child: true, leftover: { pid: 77, command: 'node', startedIn: 'setup > starts a helper' } };
    const error = new TestVerdicts(undefined, undefined).complete(window([helper], 0, { leftoverDropped: 5 }), '/work/app/a.test.ts', 't');
    expect(error?.message).toBe(
      "vivarium: 5 event(s) of pid 77 (node), started in setup > starts a helper were lost while this test ran, because the worker's ring was full (stop them before the test ends, or restart vivariumd with a larger --ring-size)",
    );
  });

  test("a leftover's violation fails the test during which it happened, naming the process and where it started", () => {
    const helper = { ...open('/etc/passwd'), pid: 77, child: true, leftover: { pid: 77, command: 'node', startedIn: 'setup > starts a helper' } };
    const error = new TestVerdicts(policy('enforce'), undefined).complete(window([helper]), '/work/app/a.test.ts', 't');
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect(error?.message).toContain('open (read) /etc/passwd  [pid 77 (node), started in setup > starts a helper]: not in allow.read');
  });

  test('an unregistered worker under a policy fails every test, naming the cause', () => {
    const w = window([]);
    w.registrationFailure = new Error('vivarium: all 2 slots are held by live workers: pid 1 (node), pid 2 (node) (stop some, run fewer test workers: Vitest maxWorkers, Jest --maxWorkers, or restart vivariumd with --rings 4)');
    w.inTest = false;
    const error = new TestVerdicts(policy('enforce'), undefined).complete(w, '/work/app/a.test.ts', 't');
    expect(error?.message).toBe(
      'vivarium: this test cannot be checked against vivarium.policy.json: vivarium: all 2 slots are held by live workers: pid 1 (node), pid 2 (node) (stop some, run fewer test workers: Vitest maxWorkers, Jest --maxWorkers, or restart vivariumd with --rings 4)',
    );
    expect(new TestVerdicts(undefined, undefined).complete(w, '/work/app/a.test.ts', 't')).toBeUndefined();
  });
});
