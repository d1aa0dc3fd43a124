// What a finished test means. Both adapters end every test here: the
// session closes the test's window, and the verdict checks what the test
// did against the run's policy, records it for the reporter (the spool), and
// returns the error the test must fail with — lost events, or violations in
// enforce mode. Violations in audit mode are printed, not thrown.
import { assertComplete, leftoversOf } from './completeness.js';
import { VivariumError } from './errors.js';
import { type Violation, toReportEvents } from './event-lines.js';
import { type PolicyChecker, formatViolations } from './policy/evaluate.js';
import { loadRunPolicy } from './policy/run-policy.js';
import { appendSpooled, spoolDir } from './report/spool.js';
import type { Session } from './session.js';

/** A test's policy violations, returned by TestVerdicts.complete in enforce mode. */
export class PolicyViolationError extends VivariumError {
  override name = 'PolicyViolationError';
  constructor(
    readonly violations: Violation[],
    message: string,
  ) {
    super(message);
  }
}

/** The slice of a Session a verdict needs. */
export type TestWindow = Pick<Session, 'inTest' | 'endTest' | 'backend' | 'registrationFailure'>;

export class TestVerdicts {
  /** The run's policy (inline, else $VIVARIUM_POLICY, else <rootDir>/vivarium.policy.json)
   * and the reporter's spool dir (exported by the reporter before workers start), if any. */
  static forRun(rootDir: string, inlinePolicy?: unknown): TestVerdicts {
    return new TestVerdicts(loadRunPolicy(rootDir, inlinePolicy), spoolDir());
  }

  constructor(
    /** Every test is checked against it; none: tests are not sandbox checks. */
    readonly policy: PolicyChecker | undefined,
    /** Where the reporter collects what each test did; none: no reporter runs. */
    readonly spool: string | undefined,
    /** Where audit-mode violations are printed. */
    private readonly print: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** Ends the session's current test (`file` absolute, `name` 'describe > test'),
   * returns the error it must fail with. Nothing to do outside a test window. */
  complete(session: TestWindow, file: string, name: string): Error | undefined {
    const unregistered = session.registrationFailure;
    // A sandbox check that cannot see must fail, not pass.
    if (unregistered && this.policy)
      return new VivariumError(`vivarium: this test cannot be checked against ${this.policy.source}: ${unregistered.message}`, { cause: unregistered });
    if (!session.inTest) return undefined;
    const record = session.endTest();
    const filePolicy = this.policy?.forFile(file);
    // Report lines cost time per test: build them only for a policy or a reporter.
    const events = filePolicy || this.spool ? toReportEvents(record.events) : [];
    const violations = filePolicy?.check(events) ?? [];
    const { gaps } = record;
    if (this.spool)
      appendSpooled(this.spool, { file, name, backend: session.backend ?? 'unknown', events, dropped: gaps.dropped + gaps.leftoverDropped, violations });
    try {
      assertComplete(gaps, 'this test', leftoversOf(record.events));
    } catch (err) {
      return err as Error;
    }
    if (!violations.length || !filePolicy) return undefined;
    const message = formatViolations(violations, this.policy!.source, filePolicy.mode);
    if (filePolicy.mode === 'enforce') return new PolicyViolationError(violations, message);
    this.print(`${name}\n${message}\n`);
    return undefined;
  }
}
