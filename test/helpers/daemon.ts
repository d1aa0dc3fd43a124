// Starts the real vivariumd on a pin dir of its own and stops it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO } from './kernel.js';

export const VIVARIUMD = `${REPO}packages/daemon/bin/vivariumd.js`;

export interface RunningDaemon {
  pinDir: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export function vivariumd(args: string[]): string {
  return execFileSync(process.execPath, [VIVARIUMD, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

export async function startDaemon(pinDir: string, args: string[] = []): Promise<RunningDaemon> {
  try {
    vivariumd(['stop', '--pin-dir', pinDir]);
  } catch {
    // nothing to stop
  }
  const child = spawn(process.execPath, [VIVARIUMD, '--pin-dir', pinDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vivariumd did not become ready in 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      if (output.includes('ready:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vivariumd exited with ${code}:\n${output}`));
    });
  });
  return {
    pinDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
