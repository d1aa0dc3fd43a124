// @vivarium/jest. One module, loaded in two realms of a Jest worker:
//
// - Jest's own realm loads it as the test environment (`testEnvironment:
//   '@vivarium/jest'`) and takes its default export (or `TestEnvironment`).
// - Test files load it through Jest's module registry, inside their vm realm,
//   for observe(). That registry can only run CommonJS, so this package is
//   CommonJS and its test-realm side never loads the ES module @vivarium/core
//   (see realm.cts); the environment loads core with import() in Jest's realm.
//
// The environment class is loaded on first access, so a test file that
// requires this module for observe() does not also load jest-environment-node
// and its dependencies into its realm.
import type * as EnvironmentModule from './environment.cjs';
import type { VivariumMatchers } from '@vivarium/core';
// Brings `expect` (the package behind @jest/globals' expect) into the program, to augment it below.
import type {} from 'expect';

export { currentTest, observe } from './realm.cjs';
export type { VivariumJestOptions } from './options.cjs';
export type { FileOpenEvent, Observation, TestRecord, VivariumEvent, VivariumMatchers } from '@vivarium/core';

/** The Vivarium test environment: jest-environment-node that registers the worker and drains per test. */
export declare const TestEnvironment: typeof EnvironmentModule.VivariumEnvironment;
export { TestEnvironment as default };

const loadEnvironment = () => (require('./environment.cjs') as typeof EnvironmentModule).VivariumEnvironment;
Object.defineProperty(exports, 'TestEnvironment', { enumerable: true, get: loadEnvironment });
Object.defineProperty(exports, 'default', { enumerable: true, get: loadEnvironment });

// The matchers on Jest's expect: `expect` as @jest/globals exports it (whose
// matchers come from the `expect` package), and the global `expect` of @types/jest.
declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends VivariumMatchers<R> {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends VivariumMatchers<R> {}
  }
}
