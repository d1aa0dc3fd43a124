// The per-process Vivarium session: the registered worker, the current test
// window, and observe(). It opens, closes and routes windows and nothing
// else: what a finished test means (policy, report) is test-verdict.ts's.
// One per process (kept on globalThis), so every test file and every copy of
// this module in the process share it.
//
// Windows are epochs: each window bumps the worker's epoch (its control);
// children take their parent's epoch at fork, and every event carries the
// epoch of the process that caused it. An event belongs to the window during
// which it happened (the drain at the window's end is the barrier). One
// caused by a process started in an earlier window (a helper server from
// beforeAll, a grandchild that outlived its test) is kept, never dropped,
// and marked `leftover` with that process and the window that started it.
import { type Gaps, NO_GAPS, addGaps } from './completeness.js';
import { DaemonNotRunningError, VivariumError } from './errors.js';
import { UPROBE_FED_KINDS } from './event-kinds.js';
import type { EventKind, Leftover, VivariumEvent } from './events.js';
import { type Observation, isThenable, makeObservation } from './observation.js';
import { Provenance } from './provenance/recorder.js';
import { type RegisterOptions, Worker } from './worker.js';

export interface TestRecord {
  /** Everything that happened during the window, in ring order; leftovers marked. */
  events: VivariumEvent[];
  /** What the window could not see. */
  gaps: Gaps;
}

export interface SessionOptions extends RegisterOptions {
  /** Attribute each event to the JS call that caused it (its call site and
   * npm package). Default: $VIVARIUM_PROVENANCE=1. */
  provenance?: boolean;
}

/** Whether provenance is asked for by the options, else by $VIVARIUM_PROVENANCE. */
export function provenanceWanted(option: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (option !== undefined) return option;
  const value = env.VIVARIUM_PROVENANCE ?? '';
  if (!['', '0', '1', 'false', 'true'].includes(value)) throw new VivariumError(`vivarium: VIVARIUM_PROVENANCE must be 1 or 0, got '${value}'`);
  return value === '1' || value === 'true';
}

const KEY = Symbol.for('vivarium.session');
const EMPTY: TestRecord = { events: [], gaps: NO_GAPS };

export class Session {
  private worker: Worker | undefined;
  /** Records the JS calls behind events, when provenance is on. */
  private provenance: Provenance | undefined;
  private registrationError: Error | undefined;
  /** The open window: the epoch it started at, and what it gathered. */
  private testStartEpoch = 0;
  /** Where the time outside tests began: since the last test ended. */
  private outsideStartEpoch = 0;
  private test: TestRecord | undefined;
  /** What happened outside every test while a test file was open: its
   * collection, its beforeAll/afterAll hooks, between its tests. */
  private file: TestRecord | undefined;
  /** What happened outside every file: the process's own start and end, and
   * for a runner's main process, the whole run (its globalSetup, starting workers). */
  private outside: TestRecord = { events: [], gaps: NO_GAPS };
  /** What each window was, by the epoch it started at: a test's name. */
  private readonly windows: Array<{ epoch: number; name: string }> = [];
  /** The program each process runs, from the execs seen. */
  private readonly commands = new Map<number, string>();

  private constructor(private readonly options: SessionOptions) {}

  /** The process's session, created (and registered) on first use. */
  static get(options: SessionOptions = {}): Session {
    const store = globalThis as unknown as Record<symbol, Session | undefined>;
    let session = store[KEY];
    if (!session) {
      session = new Session(options);
      store[KEY] = session;
      session.start();
    } else {
      // Asked for by a later user of the session (Jest's environment in band, after its reporter).
      if (options.provenance && !session.provenance) session.provenance = Provenance.install();
      if (options.kinds) session.worker?.attach(options.kinds);
    }
    return session;
  }

  /** Registers now; a failure is kept and thrown by whatever needs the kernel. */
  private start(): void {
    try {
      // Installed first: its own set-up is then no event of this worker.
      if (provenanceWanted(this.options.provenance)) this.provenance = Provenance.install();
      this.worker = Worker.register(this.options);
      process.once('exit', () => this.close());
    } catch (err) {
      this.registrationError = err as Error;
    }
  }

  get registered(): boolean {
    return this.worker !== undefined;
  }

  /** Why this process is not registered, if it is not. */
  get registrationFailure(): Error | undefined {
    return this.worker ? undefined : this.registrationError;
  }

  /** The backend of the daemon this process registered with; undefined when not registered. */
  get backend(): string | undefined {
    return this.worker?.backend;
  }

  /** The worker, or the reason there is none. */
  requireWorker(): Worker {
    if (this.worker) return this.worker;
    throw this.registrationError ?? new DaemonNotRunningError('vivarium: not registered');
  }

  /** Starts attributing events to a new test, `name` ('describe > test'). */
  beginTest(name = 'a test'): void {
    if (!this.worker) return;
    this.route(this.drain());
    this.testStartEpoch = this.worker.nextEpoch();
    this.windows.push({ epoch: this.testStartEpoch, name });
    this.test = { events: [], gaps: NO_GAPS };
  }

  /** Ends the current test and returns what happened during it. */
  endTest(): TestRecord {
    if (!this.worker || !this.test) return EMPTY;
    this.route(this.drain());
    const record = this.test;
    this.test = undefined;
    const between = this.worker.nextEpoch(); // work begun between tests belongs to no test
    this.outsideStartEpoch = between;
    this.windows.push({ epoch: between, name: `outside any test (after '${this.windows[this.windows.length - 1]!.name}')` });
    return record;
  }

  /** Starts attributing what happens outside tests to a test file (before
   * it is collected). Not drained first: what a worker did since its last
   * file ended counts toward this one. */
  beginFile(): void {
    if (this.worker) this.file ??= { events: [], gaps: NO_GAPS };
  }

  /** Ends the test file and returns what happened in it outside its tests (drains first). */
  endFile(): TestRecord {
    if (!this.worker || !this.file) return EMPTY;
    if (!this.test) this.route(this.drain());
    const record = this.file;
    this.file = undefined;
    return record;
  }

  /** Whether a test window is open (beginTest ran, endTest not yet). */
  get inTest(): boolean {
    return this.test !== undefined;
  }

  /** What the running test did so far (drains first); empty outside a test. */
  currentTest(): TestRecord {
    if (!this.worker || !this.test) return EMPTY;
    this.route(this.drain());
    return { events: [...this.test.events], gaps: this.test.gaps };
  }

  /** What happened outside every test file since the last call (drains
   * first, unless a file is open: its windows drain). */
  takeOutside(): TestRecord {
    if (this.worker && !this.test && !this.file) this.route(this.drain());
    const record = this.outside;
    this.outside = { events: [], gaps: NO_GAPS };
    return record;
  }

  /** Runs fn (sync or async) and returns what happened while it ran: its own
   * events and its children's, and those of leftover processes (marked).
   * `kinds`: those the caller will judge, attached first if vivariumd defers
   * them (default: every kind, for an observation judged later). */
  observe<T>(fn: () => T, kinds?: readonly EventKind[]): T extends PromiseLike<infer U> ? Promise<Observation<U>> : Observation<T>;
  observe(fn: () => unknown, kinds: readonly EventKind[] = UPROBE_FED_KINDS): Observation | Promise<Observation> {
    const worker = this.requireWorker();
    worker.attach(kinds);
    this.route(this.drain());
    const epoch = worker.nextEpoch();
    this.windows.push({ epoch, name: this.test ? this.windows[this.windows.length - 1]!.name : 'observe() outside any test' });
    const finish = (result: unknown, error: unknown, threw: boolean): Observation => {
      const drained = this.drain();
      const events = this.route(drained, epoch);
      worker.nextEpoch(); // later work of the test is not fn's
      const { events: _all, ...gaps } = drained;
      return makeObservation({ result, error, threw, events, gaps, dropped: gaps.dropped + gaps.leftoverDropped });
    };
    let value: unknown;
    try {
      value = fn();
    } catch (err) {
      return finish(undefined, err, true);
    }
    if (isThenable(value))
      return Promise.resolve(value).then(
        (result) => finish(result, undefined, false),
        (err) => finish(undefined, err, true),
      );
    return finish(value, undefined, false);
  }

  /** Drains the worker; with provenance, events get their JS call sites. */
  private drain(): ReturnType<Worker['drain']> {
    const worker = this.requireWorker();
    if (!this.provenance) return worker.drain();
    const start = Provenance.now();
    const drained = worker.drain();
    return { ...drained, events: this.provenance.attribute(drained.events, start) };
  }

  /** Files drained events under the open test (else the open file, else outside both), marking
   * those of processes started before `since` (default: the test's start,
   * or outside tests the end of the last test). */
  private route({ events, ...gaps }: { events: VivariumEvent[] } & Gaps, since = this.test ? this.testStartEpoch : this.outsideStartEpoch): VivariumEvent[] {
    const into = this.test ?? this.file ?? this.outside;
    into.gaps = addGaps(into.gaps, gaps);
    for (const event of events) {
      if (event.kind === 'exec' && event.result >= 0) this.commands.set(event.pid, commandOf(event.argv[0] ?? event.path));
      else if (event.kind === 'fork') this.commands.set(event.childPid, this.commands.get(event.pid) ?? OWN_COMMAND);
      // The worker itself is never a leftover (a thread-pool call of the test may finish just after its window).
      if (event.child && event.epoch < since) event.leftover = this.leftover(event);
      into.events.push(event);
    }
    return events;
  }

  private leftover(event: VivariumEvent): Leftover {
    let startedIn = 'before the first test';
    for (const window of this.windows) if (window.epoch <= event.epoch) startedIn = window.name;
    // Never /proc/<pid>/comm: that read would be an event of the window itself.
    return { pid: event.pid, command: this.commands.get(event.pid) ?? '?', startedIn };
  }

  close(): void {
    this.worker?.unregister();
    this.worker = undefined;
  }
}

const commandOf = (program: string) => program.slice(program.lastIndexOf('/') + 1) || program;
/** What this process's forks run until they exec. */
const OWN_COMMAND = commandOf(process.execPath);
