// One cell of the VM matrix (test/vm/cell.test.ts), run inside the VM by
// test/vm/matrix.mjs. Not part of the repository's own projects.
import { fileURLToPath } from 'node:url';

/** The attacks on the trust model, run on each kernel with the lsm backend
 * (their daemons take it from VIVARIUM_TEST_BACKEND), which the host cannot
 * load. Most of what they attack (pins, socket, maps, registration, the
 * fork, exec and exit hooks) is the daemon's, the kernel's or BPF code both
 * backends share; the syscalls backend's own part (its sys_exit decoding of
 * the attacks' bpf() calls) runs on the host's kernel only. In a syscalls
 * cell they cost 7 minutes under TCG. */
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
