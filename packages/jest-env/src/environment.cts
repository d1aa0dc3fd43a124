// `testEnvironment: '@vivarium/jest'`: jest-environment-node plus Vivarium.
// Per test file it registers the worker process (once: the session is kept
// per process), extends the file's expect with the matchers, and drains at
// the test function's boundaries, so each test gets exactly what its test
// function did:
//
//   setup            event.runtimeGlobals.expect.extend(matchers), the
//                    footprint snapshot matchers through Jest's own
//                    snapshots (snapshots.cts) and their serializer. jest-circus
//                    dispatches it after it created this file's expect and
//                    before setupFilesAfterEnv and the test file run; the
//                    runtime globals are also what @jest/globals returns, so
//                    this works with injectGlobals: false too.
//   test_fn_start    beginTest(): what ran before (beforeEach hooks, the
//                    previous test's afterEach) belongs to no test.
//   test_fn_success  verdicts.complete(): ends the test's window, checks the
//   test_fn_failure  run's policy, records the test for a reporter, and
//                    returns the error the test must fail with (lost events;
//                    violations in enforce mode).
//   run_finish       verdicts.completeFile(): the same for what the file did
//                    outside its tests (setup() began its record); its error
//                    fails the file, as an error outside any test does.
//                    That error goes onto the test's circus `errors` list, as
//                    jest-circus itself does with a test function's failure
//                    (an event handler cannot throw into the test): a test
//                    that passed fails with it; one that failed keeps its own
//                    error first and shows this one after it.
//
// @vivarium/core is an ES module. This class runs in Jest's own realm, loaded
// by Node (not by the test files' module registry), so setup() loads core
// with a native dynamic import() (require(esm) would need Node >= 20.19);
// the test files' side of this package (realm.cts) never loads core at all.
import NodeEnvironment from 'jest-environment-node';
import type { Session, TestVerdicts } from '@vivarium/core';
import { VivariumConfigError, type VivariumJestOptions, readOptions } from './options.cjs';
import { readThroughEnv } from './realm-env.cjs';
import { jestSnapshots } from './snapshots.cjs';

type Core = typeof import('@vivarium/core');
type NodeEnvironmentArgs = ConstructorParameters<typeof NodeEnvironment>;

const SESSION_KEY = Symbol.for('vivarium.session');

/** The slice of jest-circus's state this environment reads (Jest 29 and 30 agree on it). */
export interface CircusStateLike {
  /** Each test's line and column in its result (Jest's testLocationInResults). */
  includeTestLocationInResult: boolean;
  /** Errors of the file outside its tests: Jest fails the file with them, keeping its tests' results. */
  unhandledErrors: unknown[];
}

/** The slice of jest-circus's events this environment reads (Jest 29 and 30 agree on it). */
export interface CircusEventLike {
  name: string;
  test?: CircusTestLike;
  runtimeGlobals?: { expect?: ExpectLike };
}

export interface CircusTestLike {
  name: string;
  parent?: CircusBlockLike;
  errors: unknown[];
}

interface CircusBlockLike {
  name: string;
  parent?: CircusBlockLike;
}

interface ExpectLike {
  extend(matchers: Record<string, unknown>): void;
  addSnapshotSerializer?(serializer: unknown): void;
}

/** 'describe > test', the name the Vivarium report and policy messages use. */
export function fullName(test: CircusTestLike): string {
  const names = [test.name];
  // The root block (the only one without a parent) is jest-circus's, not the user's.
  for (let block = test.parent; block?.parent; block = block.parent) names.unshift(block.name);
  return names.join(' > ');
}

export class VivariumEnvironment extends NodeEnvironment {
  private readonly rootDir: string;
  private readonly testPath: string;
  private readonly options: VivariumJestOptions;
  private core: Core | undefined;
  private session: Session | undefined;
  private verdicts: TestVerdicts | undefined;
  /** The test whose function is running, between test_fn_start and its end. */
  private running: CircusTestLike | undefined;

  constructor(config: NodeEnvironmentArgs[0], context: NodeEnvironmentArgs[1]) {
    super(config, context);
    // Only jest-circus (Jest's default runner) reports test function boundaries.
    if (/jest-jasmine2/.test(config.projectConfig.testRunner))
      throw new VivariumConfigError(`vivarium: @vivarium/jest needs Jest's default test runner, jest-circus (remove testRunner: 'jest-jasmine2' from the Jest config)`);
    this.rootDir = config.projectConfig.rootDir;
    this.testPath = context.testPath;
    this.options = readOptions(config.projectConfig.testEnvironmentOptions);
  }

  override async setup(): Promise<void> {
    await super.setup();
    // Reads of process.env in the test file reach getenv, where they are seen.
    const realmProcess = (this.global as unknown as { process: NodeJS.Process }).process;
    Object.defineProperty(realmProcess, 'env', { value: readThroughEnv(process.env), writable: true, enumerable: true, configurable: true });
    const core = await import('@vivarium/core');
    // The first test file of a worker registers it; later files get the same session.
    // Before registering: what it opens is then no event of this worker.
    this.verdicts = core.TestVerdicts.forRun(this.rootDir, this.options.policy);
    const session = core.Session.get({
      kinds: this.verdicts.kinds,
      ...(this.options.pinDir ? { pinDir: this.options.pinDir } : {}),
      ...(this.options.provenance !== undefined ? { provenance: this.options.provenance } : {}),
    });
    // observe() and Session.get() in the test realm find this session. An
    // accessor, not a value: Jest 30 cleans up (soft- or hard-deletes the
    // properties of) values assigned to a test file's global at teardown, and
    // the session lives on in this process for the next test files.
    Object.defineProperty(this.global, SESSION_KEY, { configurable: true, get: () => session });
    // What the file does outside its tests (collection, beforeAll/afterAll) is its own record.
    session.beginFile();
    this.core = core;
    this.session = session;
  }

  override async teardown(): Promise<void> {
    // A runner may end this process by a signal: core's code cache, if it is to be made, is made now.
    this.core?.saveCodeCache();
    delete (this.global as unknown as Record<symbol, unknown>)[SESSION_KEY];
    await super.teardown();
  }

  handleTestEvent(event: CircusEventLike, state?: CircusStateLike): void {
    const { core, session, verdicts } = this;
    if (!core || !session || !verdicts) return;
    switch (event.name) {
      case 'setup': {
        // Each test's line and column in its result (Jest's testLocationInResults,
        // for this file): the reporter puts them in the report for
        // `vivarium check --format github`.
        if (state) state.includeTestLocationInResult = true;
        const expect = event.runtimeGlobals?.expect ?? (this.global as { expect?: ExpectLike }).expect;
        expect?.extend(core.createMatchers(core.matcherContext(session, this.rootDir, jestSnapshots(this.global))));
        expect?.addSnapshotSerializer?.(core.FOOTPRINT_SERIALIZER);
        break;
      }
      case 'test_fn_start':
        // jest-circus skips the function when a beforeEach hook failed.
        if (event.test && event.test.errors.length === 0) {
          session.beginTest(fullName(event.test));
          this.running = event.test;
        }
        break;
      case 'test_fn_success':
      case 'test_fn_failure':
        if (event.test && event.test === this.running) this.complete(event.test, session, verdicts);
        break;
      case 'run_finish':
        // After the file's last afterAll hook.
        this.completeFile(session, verdicts, state);
        break;
    }
  }

  private completeFile(session: Session, verdicts: TestVerdicts, state: CircusStateLike | undefined): void {
    let error: unknown;
    try {
      error = verdicts.completeFile(session, this.testPath);
    } catch (err) {
      error = err;
    }
    if (error) state?.unhandledErrors.push(error);
  }

  private complete(test: CircusTestLike, session: Session, verdicts: TestVerdicts): void {
    this.running = undefined;
    try {
      const error = verdicts.complete(session, this.testPath, fullName(test));
      if (error) test.errors.push(error);
    } catch (error) {
      // Never break jest-circus's dispatch: whatever went wrong is this test's failure.
      test.errors.push(error);
    }
  }
}
