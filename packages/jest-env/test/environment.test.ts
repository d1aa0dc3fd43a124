// The Jest environment's event handling, on a stub session (the real one is
// exercised end to end in test/e2e), its options, and its typings.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test, vi } from 'vitest';
import type * as EnvironmentModule from '../src/environment.cjs';
import type * as OptionsModule from '../src/options.cjs';

// The built CommonJS, loaded the way Jest loads it (Vite does not compile .cts).
const require = createRequire(import.meta.url);
const { VivariumEnvironment, fullName } = require('../dist/environment.cjs') as typeof EnvironmentModule;
const { readOptions } = require('../dist/options.cjs') as typeof OptionsModule;
type CircusTestLike = EnvironmentModule.CircusTestLike;
type VivariumEnvironment = EnvironmentModule.VivariumEnvironment;
const execFileAsync = promisify(execFile);

function circusTest(name: string, ...describes: string[]): CircusTestLike {
  let parent: CircusTestLike['parent'] = { name: 'ROOT_DESCRIBE_BLOCK' };
  for (const d of describes) parent = { name: d, parent };
  return { name, parent, errors: [] };
}

/** An environment without jest-environment-node's constructor, wired to a stub session and verdicts. */
function environmentWith({ beginTest = vi.fn(), complete = vi.fn() }: { beginTest?: () => void; complete?: (...args: never[]) => unknown } = {}) {
  const env = Object.create(VivariumEnvironment.prototype) as VivariumEnvironment;
  const matchers = { toOpenFiles() {} };
  const session = { beginTest };
  const core = { createMatchers: vi.fn(() => matchers), matcherContext: (s: unknown, rootDir: string) => ({ s, rootDir }) };
  Object.assign(env, { core, session, verdicts: { complete }, rootDir: '/project', testPath: '/project/app.test.js', global: {} });
  return { env, matchers, session, core };
}

describe('handleTestEvent', () => {
  test('setup extends the expect jest-circus hands over in runtimeGlobals, with matchers bound to the session and rootDir', () => {
    const { env, matchers, session, core } = environmentWith();
    const extend = vi.fn();
    const state = { includeTestLocationInResult: false };
    env.handleTestEvent({ name: 'setup', runtimeGlobals: { expect: { extend } } }, state);
    // Jest's own testLocationInResults, for this file: the report's line per test.
    expect(state.includeTestLocationInResult).toBe(true);
    expect(extend).toHaveBeenCalledWith(matchers);
    expect(core.createMatchers).toHaveBeenCalledWith({ s: session, rootDir: '/project' });
  });

  test('the window is the test function: begun at test_fn_start, completed at its end', () => {
    const beginTest = vi.fn();
    const complete = vi.fn(() => undefined);
    const { env, session } = environmentWith({ beginTest, complete });
    const test = circusTest('reads', 'loadConfig', 'files');
    env.handleTestEvent({ name: 'hook_start' });
    expect(beginTest).not.toHaveBeenCalled();
    env.handleTestEvent({ name: 'test_fn_start', test });
    expect(beginTest).toHaveBeenCalledTimes(1);
    env.handleTestEvent({ name: 'test_fn_success', test });
    expect(complete).toHaveBeenCalledWith(session, '/project/app.test.js', 'loadConfig > files > reads');
    expect(test.errors).toEqual([]);
  });

  test.each(['test_fn_success', 'test_fn_failure'])('lost events found at %s become an error of the test', (name) => {
    const lost = new Error('vivarium: 3 event(s) of this test were lost');
    const { env } = environmentWith({ complete: () => lost });
    const test = circusTest('t');
    env.handleTestEvent({ name: 'test_fn_start', test });
    // jest-circus's own handler runs first and records a failing function's error.
    const own = [new Error('its own failure'), new Error()];
    if (name === 'test_fn_failure') test.errors.push(own);
    env.handleTestEvent({ name, test });
    expect(test.errors).toEqual(name === 'test_fn_failure' ? [own, lost] : [lost]);
  });

  test('a failure inside the verdict fails the test instead of jest-circus', () => {
    const broken = new Error('spool not writable');
    const { env } = environmentWith({
      complete: () => {
        throw broken;
      },
    });
    const test = circusTest('t');
    env.handleTestEvent({ name: 'test_fn_start', test });
    expect(() => env.handleTestEvent({ name: 'test_fn_success', test })).not.toThrow();
    expect(test.errors).toEqual([broken]);
  });

  test('a test whose beforeEach failed (its function never runs) opens no window', () => {
    const beginTest = vi.fn();
    const complete = vi.fn();
    const { env } = environmentWith({ beginTest, complete });
    const test = circusTest('t');
    test.errors.push(new Error('beforeEach failed'));
    env.handleTestEvent({ name: 'test_fn_start', test });
    env.handleTestEvent({ name: 'test_fn_failure', test });
    expect(beginTest).not.toHaveBeenCalled();
    expect(complete).not.toHaveBeenCalled();
  });
});

test('fullName joins describe blocks and title, without the root block', () => {
  expect(fullName(circusTest('t'))).toBe('t');
  expect(fullName(circusTest('t', 'outer', 'inner'))).toBe('outer > inner > t');
});

describe('testEnvironmentOptions.vivarium', () => {
  test('absent or valid', () => {
    expect(readOptions(undefined)).toEqual({});
    expect(readOptions({ globalsCleanup: 'on' })).toEqual({});
    expect(readOptions({ vivarium: { pinDir: '/sys/fs/bpf/x', policy: { allow: {} } } })).toEqual({ pinDir: '/sys/fs/bpf/x', policy: { allow: {} } });
  });

  test.each([
    [{ vivarium: '/sys/fs/bpf/x' }, "must be an object (pinDir, policy, provenance), got '/sys/fs/bpf/x'"],
    [{ vivarium: ['x'] }, 'must be an object (pinDir, policy, provenance), got an array'],
    [{ vivarium: { pindir: '/x' } }, 'unknown testEnvironmentOptions.vivarium key(s) pindir (known: pinDir, policy, provenance)'],
    [{ vivarium: { provenance: 'yes' } }, "provenance must be true or false, got 'yes'"],
    [{ vivarium: { pinDir: 3 } }, 'pinDir must be a directory path, got number 3'],
  ])('%j is refused: %s', (options, message) => {
    expect(() => readOptions(options)).toThrow(message);
  });
});

describe('typings', () => {
  const typesDir = fileURLToPath(new URL('./types/', import.meta.url));
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
  test.concurrent.each(['tsconfig.jest-globals.json', 'tsconfig.types-jest.json'])(
    '%s compiles (with its @ts-expect-error lines)',
    async (config) => {
      const run = await execFileAsync(process.execPath, [tsc, '--noEmit', '-p', `${typesDir}${config}`]).catch((err: { stdout: string; stderr: string }) => err);
      expect(run.stdout + run.stderr).toBe('');
    },
    120_000,
  );
});
