import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'violation/**/*.test.ts'],
    setupFiles: ['@vivarium/vitest/setup'],
    // Every run writes vivarium-report.json (+ .html) for the CI gate.
    reporters: ['default', '@vivarium/vitest/reporter'],
  },
});
