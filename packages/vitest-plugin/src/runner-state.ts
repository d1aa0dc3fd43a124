// What this Vitest worker knows about its run and its tests. Vitest keeps its
// serialized config on a global; read defensively, since it is not a public API.
import { isMainThread } from 'node:worker_threads';

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

/** Null when test files of this worker run in a process of their own. */
export function unsupportedPoolReason(mainThread = isMainThread): string | null {
  const pool = workerConfig().pool;
  if (!mainThread || pool === 'threads' || pool === 'vmThreads')
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
