// The per-process Vivarium session: the registered worker, the current test
// window, and observe(). It opens, closes and routes windows and nothing
// else: what a finished test means (policy, report) is test-verdict.ts's.
// One per process (kept on globalThis), so every test file and every copy of
// this module in the process share it.
//
// Attribution works by epochs: each window bumps the worker's epoch in
// config_targets; children inherit the epoch at fork, and every event
// carries the epoch of the process that caused it. So a child that outlives
// its test can never leak events into the next one.
import { DaemonNotRunningError } from './errors.js';
import type { VivariumEvent } from './events.js';
import { type Observation, isThenable, makeObservation } from './observation.js';
import { type RegisterOptions, Worker } from './worker.js';

export interface TestRecord {
  events: VivariumEvent[];
  dropped: number;
  /** Events of earlier windows' lingering children, dropped from this test. */
  stray: number;
}

export type SessionOptions = RegisterOptions;

const KEY = Symbol.for('vivarium.session');

export class Session {
  private worker: Worker | undefined;
  private registrationError: Error | undefined;
  private testStartEpoch = 0;
  private testEvents: VivariumEvent[] | undefined;
  private testDropped = 0;
  private stray = 0;

  private constructor(private readonly options: SessionOptions) {}

  /** The process's session, created (and registered) on first use. */
  static get(options: SessionOptions = {}): Session {
    const store = globalThis as unknown as Record<symbol, Session | undefined>;
    let session = store[KEY];
    if (!session) {
      session = new Session(options);
      store[KEY] = session;
      session.start();
    }
    return session;
  }

  /** Registers now; a failure is kept and thrown by whatever needs the kernel. */
  private start(): void {
    try {
      this.worker = Worker.register(this.options);
      process.once('exit', () => this.close());
    } catch (err) {
      this.registrationError = err as Error;
    }
  }

  get registered(): boolean {
    return this.worker !== undefined;
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

  /** Starts attributing events to a new test. */
  beginTest(): void {
    if (!this.worker) return;
    this.route(this.worker.drain());
    this.testStartEpoch = this.worker.nextEpoch();
    this.testEvents = [];
    this.testDropped = 0;
    this.stray = 0;
  }

  /** Ends the current test and returns what it did. */
  endTest(): TestRecord {
    if (!this.worker || !this.testEvents) return { events: [], dropped: 0, stray: 0 };
    this.route(this.worker.drain());
    const record = { events: this.testEvents, dropped: this.testDropped, stray: this.stray };
    this.testEvents = undefined;
    this.worker.nextEpoch(); // work begun between tests belongs to no test
    return record;
  }

  /** Whether a test window is open (beginTest ran, endTest not yet). */
  get inTest(): boolean {
    return this.testEvents !== undefined;
  }

  /** What the running test did so far (drains first); empty outside a test. */
  currentTest(): TestRecord {
    if (!this.worker || !this.testEvents) return { events: [], dropped: 0, stray: 0 };
    this.route(this.worker.drain());
    return { events: [...this.testEvents], dropped: this.testDropped, stray: this.stray };
  }

  /** Runs fn (sync or async) and returns what it and its children did. */
  observe<T>(fn: () => T): T extends PromiseLike<infer U> ? Promise<Observation<U>> : Observation<T>;
  observe(fn: () => unknown): Observation | Promise<Observation> {
    const worker = this.requireWorker();
    this.route(worker.drain());
    const epoch = worker.nextEpoch();
    const finish = (result: unknown, error: unknown, threw: boolean): Observation => {
      const { events, dropped } = worker.drain();
      const mine = events.filter((e) => e.epoch === epoch);
      this.route({ events, dropped });
      worker.nextEpoch(); // later work of the test is not fn's
      return makeObservation({ result, error, threw, events: mine, dropped });
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

  /** Files drained events under the current test (or counts them as stray). */
  private route({ events, dropped }: { events: VivariumEvent[]; dropped: number }): void {
    if (!this.testEvents) return;
    this.testDropped += dropped;
    for (const event of events) {
      if (event.epoch >= this.testStartEpoch && event.epoch <= this.worker!.currentEpoch) this.testEvents.push(event);
      else this.stray++;
    }
  }

  close(): void {
    this.worker?.unregister();
    this.worker = undefined;
  }
}
