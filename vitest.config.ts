// The repository's own tests: unit tests per package, the end-to-end suite
// that drives real runners against the real daemon, and the reliability suite
// (loss, containers, unprivileged workers, restarts, skew) against daemons of its own.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/daemon.global.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Kernel tests of the guarantees in the README's Reliability
          // section: each file runs its own daemons on /sys/fs/bpf/vivarium-rel-*.
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
