// What the setup file reads of its Vitest worker: the pool it runs in and the
// names of its tests.
import { afterEach, describe, expect, test } from 'vitest';
import { type TaskLike, fullName, unsupportedPoolReason, vitestRoot } from '../src/runner-state.js';

type Global = { __vitest_worker__?: { config?: { pool?: string; root?: string } } };
const realWorker = (globalThis as Global).__vitest_worker__;
const withConfig = (config: { pool?: string; root?: string } | undefined) => {
  (globalThis as Global).__vitest_worker__ = config === undefined ? undefined : { config };
};
afterEach(() => {
  (globalThis as Global).__vitest_worker__ = realWorker;
});

describe('unsupportedPoolReason', () => {
  test.each(['forks', undefined])("the %s pool in a process of its own is fine", (pool) => {
    withConfig(pool === undefined ? {} : { pool });
    expect(unsupportedPoolReason(true)).toBeNull();
  });

  test.each(['threads', 'vmThreads'])('the %s pool is refused, naming the fix', (pool) => {
    withConfig({ pool });
    expect(unsupportedPoolReason(true)).toBe(
      `vivarium: Vitest's ${pool} pool runs test files as threads of one process, which the kernel cannot tell apart (set test.pool to 'forks' in vitest.config, or run with --pool=forks)`,
    );
  });

  test('a worker thread is refused whatever the config says', () => {
    withConfig({ pool: 'forks' });
    expect(unsupportedPoolReason(false)).toContain("set test.pool to 'forks'");
  });

  // Asked of node:worker_threads only outside the process pools: here, the main thread.
  test.each(['forks', 'vmForks', './custom-pool.js', undefined])('the %s pool, on the main thread, is fine as it is', (pool) => {
    withConfig(pool === undefined ? {} : { pool });
    expect(unsupportedPoolReason()).toBeNull();
  });

  test('no Vitest worker state: a thread is assumed to be the threads pool', () => {
    withConfig(undefined);
    expect(unsupportedPoolReason(false)).toContain("Vitest's threads pool");
  });
});

test('vitestRoot: the config root, else the cwd', () => {
  withConfig({ root: '/work/app' });
  expect(vitestRoot()).toBe('/work/app');
  withConfig(undefined);
  expect(vitestRoot()).toBe(process.cwd());
});

describe('fullName', () => {
  const file: TaskLike = { name: 'a.test.ts', filepath: '/work/app/a.test.ts' };
  const suite = (name: string, parent: TaskLike): TaskLike => ({ name, suite: parent });

  test.each([
    ['a test at the top of its file', { name: 'reads', suite: file, file }, 'reads'],
    ['in describe blocks', { name: 'reads', suite: suite('files', suite('loadConfig', file)), file }, 'loadConfig > files > reads'],
    ['a name with the separator in it', { name: 'a > b', suite: suite('d', file), file }, 'd > a > b'],
  ])('%s', (_what, task, name) => {
    expect(fullName(task as TaskLike)).toBe(name);
  });

  test('is the name this very test has', ({ task }) => {
    expect(fullName(task as unknown as TaskLike)).toBe('fullName > is the name this very test has');
  });
});
