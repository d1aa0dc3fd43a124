import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['@vivarium/vitest/setup'],
    // vivarium-report.json (the gate's input) and vivarium-report.html (the artifact).
    reporters: ['default', '@vivarium/vitest/reporter'],
  },
});
