// `setupFiles: ['@vivarium/vitest/setup']`: registers this worker process
// with vivariumd, adds the matchers, and drains around every test so no
// event crosses from one test into the next. Registration failures (daemon
// not running, ...) do not fail tests that use no matcher; matchers rethrow them.
import { afterEach, beforeEach, expect } from 'vitest';
import { Session, VivariumError, assertNoDrops, matchers } from '@vivarium/core';
import { unsupportedPoolReason, vitestRoot } from './runner-state.js';

const poolProblem = unsupportedPoolReason();
if (poolProblem) throw new VivariumError(poolProblem);

const session = Session.get({ rootDir: vitestRoot() });
expect.extend(matchers);

beforeEach(() => {
  session.beginTest();
});

afterEach(() => {
  const record = session.endTest();
  assertNoDrops(record.dropped, 'this test');
});

export type {} from './index.js';
