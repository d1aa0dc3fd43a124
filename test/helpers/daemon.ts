// The real vivariumd for tests: spawned on a pin dir of the test's own,
// ready once it says so, killed with any signal.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { REPO } from './kernel.js';

export const VIVARIUMD = `${REPO}packages/daemon/bin/vivariumd.js`;

export interface Daemon {
  pinDir: string;
  /** The backend it said it runs ('syscalls', 'lsm'). */
  backend: string;
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** SIGTERM: detach and unpin. */
  stop(): Promise<void>;
}

/** Natively a daemon is ready in 2-3 s; under qemu's emulation (the VM cells)
 * it took 30-60 s on Debian's 6.1 on one machine. */
const READY_TIMEOUT_MS = 150_000;

/** Daemons spawned by this process that are still running, with their pin dirs. */
export const liveDaemons = new Map<ChildProcess, string>();

export function vivariumd(args: string[]): string {
  return execFileSync(process.execPath, [VIVARIUMD, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

/** Starts vivariumd as it is (a restart finds the old pins). VIVARIUM_TEST_BACKEND
 * (set by each VM cell) is the backend of a daemon whose args name none. */
export async function spawnDaemon(pinDir: string, args: string[] = []): Promise<Daemon> {
  const forced = process.env.VIVARIUM_TEST_BACKEND;
  if (forced && !args.includes('--backend')) args = ['--backend', forced, ...args];
  const child = spawn(process.execPath, [VIVARIUMD, '--pin-dir', pinDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveDaemons.set(child, pinDir);
  let output = '';
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      liveDaemons.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vivariumd did not become ready in ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('ready:')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vivariumd exited with ${code}:\n${output}`));
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const backend = /ready: backend (\w+)/.exec(output)?.[1] ?? 'unknown';
  return { pinDir, backend, process: child, output: () => output, exited, kill, stop: async () => void (await kill('SIGTERM')) };
}

/** Stops whatever serves `pinDir`, then starts a fresh daemon there. */
export async function startDaemon(pinDir: string, args: string[] = []): Promise<Daemon> {
  try {
    vivariumd(['stop', '--pin-dir', pinDir]);
  } catch {
    // nothing to stop
  }
  return spawnDaemon(pinDir, args);
}

/** The backend `auto` chooses on this host, as the e2e run's own daemon
 * announced it at start (its globalSetup sets VIVARIUM_E2E_BACKEND). */
export function autoBackend(): string {
  const backend = process.env.VIVARIUM_E2E_BACKEND;
  if (!backend) throw new Error('VIVARIUM_E2E_BACKEND is unset: run this file through the e2e project, whose globalSetup starts the daemon');
  return backend;
}
