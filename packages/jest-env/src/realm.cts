// What a test file gets from require('@vivarium/jest'): observe() on the
// session the environment registered. This module runs inside Jest's module
// registry, in the test file's vm realm, which cannot load ES modules, so it
// never loads @vivarium/core at run time: the environment stores its session
// on the realm's global under the Symbol.for key Session.get() uses (symbols
// from Symbol.for are shared by all realms of a process).
import type { Observation, Session, TestRecord } from '@vivarium/core';

const SESSION_KEY = Symbol.for('vivarium.session');

/** The process's session, as the environment shared it with this realm. */
export function currentSession(): Session {
  const session = (globalThis as unknown as Record<symbol, Session | undefined>)[SESSION_KEY];
  if (session) return session;
  const error = new Error(
    "vivarium: no Vivarium session in this test realm (set testEnvironment: '@vivarium/jest' in the Jest config, or add the docblock @jest-environment @vivarium/jest)",
  );
  error.name = 'VivariumError';
  throw error;
}

/** Runs fn (sync or async) and returns what it and its children did. */
export function observe<T>(fn: () => T): T extends PromiseLike<infer U> ? Promise<Observation<U>> : Observation<T> {
  return currentSession().observe(fn);
}

/** What the running test did so far, as the policy and the report will judge it. */
export function currentTest(): TestRecord {
  return currentSession().currentTest();
}
