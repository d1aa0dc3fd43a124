// What a finished test means, on a stub test window (no kernel): the policy's
// verdict, the record the reporter gets, the error the test fails with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { VivariumEvent } from '../src/events.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import type { Policy } from '../src/policy/policy.js';
import { readSpool } from '../src/report/spool.js';
import { PolicyViolationError, TestVerdicts, type TestWindow } from '../src/test-verdict.js';
import { open, openToWrite } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const policy = (mode: Policy['mode']) => new PolicyChecker({ mode, allow: { read: ['<rootDir>/**'] } }, 'vivarium.policy.json', tokens);

/** A test window that did `events` (and lost `dropped`). */
function window(events: VivariumEvent[], dropped = 0): TestWindow & { ended: number } {
  const w = {
    ended: 0,
    inTest: true,
    backend: 'syscalls',
    endTest() {
      w.ended++;
      w.inTest = false;
      return { events, dropped, stray: 0 };
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
