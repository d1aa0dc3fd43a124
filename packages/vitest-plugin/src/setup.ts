// `setupFiles: ['@vivarium/vitest/setup']`: registers this worker process
// with vivariumd, adds the matchers (the footprint snapshot matchers through
// Vitest's own snapshots, see snapshots.ts), and drains around every test so no
// event crosses from one test into the next. With a policy, every test is
// also a sandbox check. Registration failures (daemon not running, ...) do
// not fail tests that use no matcher; matchers rethrow them.
import { afterEach, beforeEach, expect } from 'vitest';
import { Session, TestVerdicts, VivariumError, createMatchers, matcherContext } from '@vivarium/core';
import { type TaskLike, fullName, unsupportedPoolReason, vitestRoot } from './runner-state.js';
import { addFootprintSerializer, vitestSnapshots } from './snapshots.js';

const poolProblem = unsupportedPoolReason();
if (poolProblem) throw new VivariumError(poolProblem);

const rootDir = vitestRoot();
const session = Session.get();
const verdicts = TestVerdicts.forRun(rootDir);
expect.extend(createMatchers(matcherContext(session, rootDir, vitestSnapshots())));
addFootprintSerializer();

beforeEach((context) => {
  session.beginTest(fullName(context.task as unknown as TaskLike));
});

afterEach((context) => {
  const task = context.task as unknown as TaskLike;
  const error = verdicts.complete(session, task.file?.filepath ?? '', fullName(task));
  if (error) throw error;
});

export type {} from './index.js';
