// The runner's own process, observed for the whole run: its globalSetup, its
// config and transforms, the workers it starts until they register, its
// tests when it runs them itself (Jest in band: then its test files keep what
// they did, and the run keeps the rest). The reporter starts it before the
// workers start and ends it when the run ends; the report's `run` section
// holds what it saw, judged by the policy like a test.
import { type Gaps, NO_GAPS, addGaps } from './completeness.js';
import { ReportLines } from './event-lines.js';
import { UPROBE_FED_KINDS } from './event-kinds.js';
import { Session, type SessionOptions } from './session.js';

/** How often the runner's ring is emptied: its own work is bursty (transforms, starting workers). */
const DRAIN_MS = 100;

export interface RunRecord {
  lines: ReportLines;
  gaps: Gaps;
  /** The backend of the daemon the runner registered with; undefined when it could not register. */
  backend: string | undefined;
}

export class RunObservation {
  private readonly lines = new ReportLines();
  private gaps: Gaps = NO_GAPS;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    options: SessionOptions = {},
    // A reporter records every kind, from the start.
    private readonly session = Session.get({ kinds: UPROBE_FED_KINDS, ...options }),
  ) {
    if (!session.registered) return;
    this.timer = setInterval(() => this.collect(), DRAIN_MS);
    this.timer.unref();
  }

  /** Stops observing; what the runner's process did since it started. */
  finish(): RunRecord {
    clearInterval(this.timer);
    this.collect();
    return { lines: this.lines, gaps: this.gaps, backend: this.session.backend };
  }

  /** Takes what the runner's process did since the last call (nothing while one of its test files is open). */
  collect(): void {
    if (!this.session.registered) return;
    const { events, gaps } = this.session.takeOutside();
    this.lines.add(events);
    this.gaps = addGaps(this.gaps, gaps);
  }
}
