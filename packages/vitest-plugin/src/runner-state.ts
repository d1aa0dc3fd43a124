// What this Vitest worker knows about its run. Vitest keeps its serialized
// config on a global; read defensively, since it is not a public API.
import { isMainThread } from 'node:worker_threads';

interface WorkerConfig {
  pool?: string;
  root?: string;
}

function workerConfig(): WorkerConfig {
  const state = (globalThis as { __vitest_worker__?: { config?: WorkerConfig } }).__vitest_worker__;
  return state?.config ?? {};
}

export function vitestRoot(): string {
  return workerConfig().root ?? process.cwd();
}

/** Null when test files of this worker run in a process of their own. */
export function unsupportedPoolReason(): string | null {
  const pool = workerConfig().pool;
  if (!isMainThread || pool === 'threads' || pool === 'vmThreads')
    return (
      `vivarium: Vitest's ${pool ?? 'threads'} pool runs test files as threads of one process, which the kernel cannot ` +
      `tell apart (set test.pool to 'forks' in vitest.config, or run with --pool=forks)`
    );
  return null;
}
