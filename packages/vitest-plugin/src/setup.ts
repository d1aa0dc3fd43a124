// `setupFiles: ['@vivarium/vitest/setup']`: registers this worker process
// with vivariumd, adds the matchers (the footprint snapshot matchers through
// Vitest's own snapshots, see snapshots.ts), and drains around every test so no
// event crosses from one test into the next. With a policy, every test is
// also a sandbox check, and so is what the file did outside its tests (its
// collection, beforeAll/afterAll hooks): checked after its last afterAll.
// Registration failures (daemon not running, ...) do not fail tests that use
// no matcher; matchers rethrow them.
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { Session, TestVerdicts, VivariumError, createMatchers, matcherContext, saveCodeCache } from '@vivarium/core';
import { type TaskLike, fullName, unsupportedPoolReason, vitestRoot, vitestTestFile } from './runner-state.js';
import { addFootprintSerializer, vitestSnapshots } from './snapshots.js';

const poolProblem = unsupportedPoolReason();
if (poolProblem) throw new VivariumError(poolProblem);

const rootDir = vitestRoot();
// Before registering: what it opens is then no event of this worker.
const verdicts = TestVerdicts.forRun(rootDir);
const session = Session.get({ kinds: verdicts.kinds });
expect.extend(createMatchers(matcherContext(session, rootDir, vitestSnapshots())));
addFootprintSerializer();
// Setup files run before each test file is collected.
session.beginFile();

beforeEach((context) => {
  session.beginTest(fullName(context.task as unknown as TaskLike));
});

afterEach((context) => {
  const task = context.task as unknown as TaskLike;
  const error = verdicts.complete(session, task.file?.filepath ?? '', fullName(task));
  if (error) throw error;
});

// Registered first, so run last: after hooks run in reverse order (sequence.hooks 'stack').
afterAll(() => {
  const error = verdicts.completeFile(session, vitestTestFile());
  // Vitest ends this process by a signal after the file: core's code cache, if it is to be made, is made now.
  saveCodeCache();
  if (error) throw error;
});

export type {} from './index.js';
