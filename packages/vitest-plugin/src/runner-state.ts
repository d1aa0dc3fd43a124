// What this Vitest worker knows about its run and its tests. Vitest keeps its
// serialized config on a global; read defensively, since it is not a public API.
import { createRequire } from 'node:module';

interface WorkerConfig {
  pool?: string;
  root?: string;
}

interface WorkerState {
  config?: WorkerConfig;
  /** The test file being collected or run. */
  filepath?: string;
}

const workerState = (): WorkerState => (globalThis as { __vitest_worker__?: WorkerState }).__vitest_worker__ ?? {};
const workerConfig = (): WorkerConfig => workerState().config ?? {};

/** The test file this worker is collecting or running now ('' when Vitest does not say). */
export function vitestTestFile(): string {
  return workerState().filepath ?? '';
}

export function vitestRoot(): string {
  return workerConfig().root ?? process.cwd();
}

/** Vitest's pools that run each worker in a process of its own. */
const PROCESS_POOLS = new Set(['forks', 'vmForks']);

/** Whether this code runs on the process's main thread. Asked only outside
 * Vitest's process pools: loading node:worker_threads takes 3.5 ms in a fresh
 * process (a Vitest worker loads it for no other reason). */
const onMainThread = (): boolean =>
  (createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')).isMainThread;

/** Null when test files of this worker run in a process of their own. */
export function unsupportedPoolReason(mainThread?: boolean): string | null {
  const pool = workerConfig().pool;
  const onThread = mainThread === undefined ? !PROCESS_POOLS.has(pool ?? '') && !onMainThread() : !mainThread;
  if (onThread || pool === 'threads' || pool === 'vmThreads')
    return (
      `vivarium: Vitest's ${pool ?? 'threads'} pool runs test files as threads of one process, which the kernel cannot ` +
      `tell apart (set test.pool to 'forks' in vitest.config, or run with --pool=forks)`
    );
  return null;
}

/** The slice of a Vitest task the adapter reads. */
export interface TaskLike {
  name: string;
  suite?: TaskLike;
  filepath?: string;
  file?: { filepath: string };
}

/** 'describe > test', as Vitest's reporters name it: the names up to (not including) the file. */
export function fullName(task: TaskLike): string {
  const names: string[] = [];
  for (let t: TaskLike | undefined = task; t && t.filepath === undefined; t = t.suite) names.unshift(t.name);
  return names.join(' > ');
}
