import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The one line Vivarium needs. (The default `forks` pool is required.)
    setupFiles: ['@vivarium/vitest/setup'],
    include: ['test/**/*.test.ts', 'demo/**/*.test.ts'],
  },
});
