// One cell of the VM matrix (test/vm/cell.test.ts), run inside the VM by
// test/vm/matrix.mjs. Not part of the repository's own projects.
import { fileURLToPath } from 'node:url';

/** The attacks on the trust model, run on each cell's kernel and backend too
 * (their daemons take the cell's backend from VIVARIUM_TEST_BACKEND). */
const RELIABILITY = ['attacks', 'tamper', 'unprivileged'];

export default {
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/vm/cell.test.ts', ...RELIABILITY.map((name) => `test/reliability/${name}.test.ts`)],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
};
