// What a backend could not observe is never allowed: an unobservable event
// fails every check that judges where things went — each *Outside matcher
// however wide its globs, and each policy rule however wide its allow-list.
import { describe, expect, test } from 'vitest';
import { toReportEvents } from '../src/event-lines.js';
import { POLICY_RULES, PRIVILEGED_KINDS } from '../src/event-kinds.js';
import { PolicyChecker } from '../src/policy/evaluate.js';
import { unobservable } from './helpers/events.js';
import { TOKENS, messageOf, seen } from './matchers/harness.js';

/** The widest pattern of each subject type. */
const EVERYTHING = { path: '/**', program: '/**', endpoint: '*:*', host: '**', variable: '*', request: '*://**:*/**', library: '/**' };
const OUTSIDE = {
  toOpenOutside: EVERYTHING.path,
  toWriteOutside: EVERYTHING.path,
  toExecOutside: EVERYTHING.program,
  toConnectOutside: EVERYTHING.endpoint,
  toResolveOutside: EVERYTHING.host,
  toTouchOutside: EVERYTHING.path,
  toReadEnvOutside: EVERYTHING.variable,
  toRequestOutside: EVERYTHING.request,
};
const ALLOW_EVERYTHING = {
  read: [EVERYTHING.path], write: [EVERYTHING.path], exec: [EVERYTHING.program], connect: [EVERYTHING.endpoint], resolve: [EVERYTHING.host],
  privileged: [...PRIVILEGED_KINDS], env: [EVERYTHING.variable], load: [EVERYTHING.library], http: [EVERYTHING.request],
};

describe('an unobservable event', () => {
  test.each(Object.entries(OUTSIDE))('fails .not.%s(%j), naming what was not observed', (matcher, everything) => {
    const message = messageOf(() => (expect(seen(unobservable())).not as unknown as Record<string, (globs: string[]) => void>)[matcher]!([everything]));
    expect(message).toContain('io_uring_setup');
    expect(message).toContain('vivariumd --backend lsm');
  });

  test.each(POLICY_RULES)('violates a policy that restricts only the %s rule, allowing everything', (rule) => {
    const checker = new PolicyChecker({ allow: { [rule]: ALLOW_EVERYTHING[rule] } }, 'p', TOKENS);
    const violations = checker.forFile('t.test.ts').check(toReportEvents([unobservable()]));
    expect(violations.map((v) => [v.rule, v.kind])).toEqual([[rule, 'unobservable']]);
  });

  test('one violation says it, whatever the rules restricted', () => {
    const checker = new PolicyChecker({ allow: ALLOW_EVERYTHING }, 'p', TOKENS);
    expect(checker.forFile('t.test.ts').check(toReportEvents([unobservable()]))).toHaveLength(1);
  });
});
