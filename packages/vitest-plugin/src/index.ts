import type { VivariumMatchers } from '@vivarium/core';

export { currentTest, observe, Session } from '@vivarium/core';
export type { Observation, TestRecord, VivariumEvent, FileOpenEvent, VivariumMatchers } from '@vivarium/core';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends VivariumMatchers<T> {}
}
