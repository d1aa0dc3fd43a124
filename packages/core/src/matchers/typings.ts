import type { PathPatterns } from '../policy/path-patterns.js';

/**
 * The Vivarium matchers, declared once and merged into each runner's
 * `Matchers` interface by the adapters. Each returns a promise when the
 * function under test returned one: `await expect(async () => …).toOpenFiles(…)`.
 */
export interface VivariumMatchers<R = unknown> {
  /** Every listed path (exact or glob, tokens allowed) was opened successfully. */
  toOpenFiles(paths: PathPatterns): R;
  /** Some open attempt (failed ones too) fell outside the globs; use as `.not.toOpenOutside(globs)`. */
  toOpenOutside(globs: PathPatterns): R;
}
