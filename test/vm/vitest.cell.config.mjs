// One cell of the VM matrix (test/vm/cell.test.ts), run inside the VM by
// test/vm/matrix.mjs. Not part of the repository's own projects.
import { fileURLToPath } from 'node:url';

/** The attacks on the trust model, run on each kernel with the lsm backend
 * (their daemons take it from VIVARIUM_TEST_BACKEND), which the host cannot
 * load. What they attack (pins, socket, maps, registration) is the daemon's
 * and the kernel's, shared by both backends, and the host runs them with
 * syscalls: in a syscalls cell they would repeat the lsm cell's run on the
 * same kernel, at 7 minutes a cell under TCG. */
const RELIABILITY = process.env.VIVARIUM_VM_BACKEND === 'lsm' ? ['attacks', 'tamper', 'unprivileged'] : [];

export default {
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/vm/cell.test.ts', ...RELIABILITY.map((name) => `test/reliability/${name}.test.ts`)],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
};
