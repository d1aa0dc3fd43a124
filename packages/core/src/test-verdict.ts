// What a finished test means. Both adapters end every test here: the
// session closes the test's window, and the verdict checks what the test
// did against the run's policy, records it for the reporter (the spool), and
// returns the error the test must fail with — lost events, or violations in
// enforce mode. Violations in audit mode are printed, not thrown.
import { assertAvailable, assertComplete, leftoversOf } from './completeness.js';
import { UPROBE_FED_KINDS, rulesOfKind } from './event-kinds.js';
import type { EventKind } from './events.js';
import { VivariumError } from './errors.js';
import { type Violation, toReportEvents } from './event-lines.js';
import { type FilePolicy, type PolicyChecker, formatViolations } from './policy/evaluate.js';
import { loadRunPolicy } from './policy/run-policy.js';
import { type SpooledRecord, type WindowScope, appendSpooled, openSpool, spoolDir } from './report/spool.js';
import type { Session, TestRecord } from './session.js';

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

/** Which window a record is, in which file, named how ('' but for a test). */
interface Where {
  scope: WindowScope;
  file: string;
  name: string;
  backend: string | undefined;
}

/** The slice of a Session a verdict needs. */
export type TestWindow = Pick<Session, 'inTest' | 'endTest' | 'endFile' | 'backend' | 'registrationFailure'>;

export class TestVerdicts {
  /** The run's policy (inline, else $VIVARIUM_POLICY, else <rootDir>/vivarium.policy.json)
   * and the reporter's spool dir (exported by the reporter before workers start), if any.
   * Call before the session registers: it opens this process's spool file. */
  static forRun(rootDir: string, inlinePolicy?: unknown): TestVerdicts {
    const spool = spoolDir();
    if (spool) openSpool(spool);
    return new TestVerdicts(loadRunPolicy(rootDir, inlinePolicy), spool);
  }

  constructor(
    /** Every test is checked against it; none: tests are not sandbox checks. */
    readonly policy: PolicyChecker | undefined,
    /** Where the reporter collects what each test did; none: no reporter runs. */
    readonly spool: string | undefined,
    /** Where audit-mode violations are printed. */
    private readonly print: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** The kinds the session must see from its start (RegisterOptions.kinds):
   * every kind when a policy judges tests or a reporter records them. */
  get kinds(): readonly EventKind[] {
    return this.policy || this.spool ? UPROBE_FED_KINDS : [];
  }

  /** Ends the session's current test (`file` absolute, `name` 'describe > test'),
   * returns the error it must fail with. Nothing to do outside a test window. */
  complete(session: TestWindow, file: string, name: string): Error | undefined {
    const unobserved = this.unobserved(session);
    if (unobserved) return unobserved;
    if (!session.inTest) return undefined;
    return this.judge(session.endTest(), { scope: 'test', file, name, backend: session.backend }, 'this test');
  }

  /** Ends the session's test file: what it did outside its tests (its
   * collection, beforeAll/afterAll hooks) is judged like a test's doing. */
  completeFile(session: TestWindow, file: string): Error | undefined {
    // Unregistered: each of its tests fails already.
    if (session.registrationFailure) return undefined;
    return this.judge(session.endFile(), { scope: 'file', file, name: '', backend: session.backend }, 'this test file outside its tests');
  }

  /** A sandbox check that cannot see must fail, not pass. */
  private unobserved(session: TestWindow): Error | undefined {
    const unregistered = session.registrationFailure;
    if (unregistered && this.policy)
      return new VivariumError(`vivarium: this test cannot be checked against ${this.policy.source}: ${unregistered.message}`, { cause: unregistered });
    return undefined;
  }

  /** The window as the report records it, judged by `policy`. */
  private record(record: TestRecord, where: Where, policy: FilePolicy | undefined): SpooledRecord {
    // Report lines cost time per test: build them only for a policy or a reporter.
    const events = policy || this.spool ? toReportEvents(record.events) : [];
    const { gaps } = record;
    return {
      ...where,
      backend: where.backend ?? 'unknown',
      events,
      dropped: gaps.dropped + gaps.leftoverDropped,
      violations: policy?.check(events) ?? [],
    };
  }

  /** The file's policy; outside its tests, its modules loaded too. */
  private policyOf(where: Where): FilePolicy | undefined {
    return where.scope === 'file' ? this.policy?.forFileOutsideTests(where.file) : this.policy?.forFile(where.file);
  }

  private judge(record: TestRecord, where: Where, what: string): Error | undefined {
    const policy = this.policyOf(where);
    const spooled = this.record(record, where, policy);
    if (this.spool) appendSpooled(this.spool, spooled);
    const { violations } = spooled;
    try {
      assertComplete(record.gaps, what, leftoversOf(record.events));
      // A policy judging a kind this worker cannot see would pass it blind.
      if (policy) assertAvailable(record.gaps, judgedKinds(policy, record.gaps.unavailable), what);
    } catch (err) {
      return err as Error;
    }
    if (!violations.length || !policy) return undefined;
    const message = formatViolations(violations, this.policy!.source, policy.mode, what);
    if (policy.mode === 'enforce') return new PolicyViolationError(violations, message);
    this.print(`${where.name || `${where.file} (outside its tests)`}\n${message}\n`);
    return undefined;
  }
}

/** The unavailable kinds whose rules `policy` restricts. */
function judgedKinds(policy: FilePolicy, unavailable: Readonly<Record<string, string>> | undefined): string[] {
  return Object.keys(unavailable ?? {}).filter((kind) => rulesOfKind(kind as EventKind).some((rule) => policy.rules.includes(rule)));
}
