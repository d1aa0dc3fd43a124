// One cell of the VM matrix (test/vm/cell.test.ts), run inside the VM by
// test/vm/matrix.mjs. Not part of the repository's own projects.
import { fileURLToPath } from 'node:url';

export default {
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/vm/cell.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
