// Drives test/reliability/fixtures/worker.mjs: a registered worker in its own
// process, optionally as another user or inside its own pid namespace.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface Hello {
  registered: boolean;
  slot?: number;
  pid?: number;
  pidns?: number;
  uid?: number;
  epoch?: number;
  error?: string;
  message?: string;
}

export interface DrainReply {
  dropped: number;
  count: number;
  events: Array<{ kind: string; pid: number; epoch: number; child: boolean; path: string | null }>;
}

export interface WorkerOptions {
  /** Run as this user (setpriv with the user's groups). */
  user?: string;
  /** Run as pid 1 of a new pid namespace (unshare --pid --fork --mount-proc). */
  pidNamespace?: boolean;
}

export class WorkerProcess {
  private readonly replies: string[] = [];
  private readonly waiting: Array<(line: string) => void> = [];
  readonly exited: Promise<number | string>;
  private stderr = '';

  private constructor(readonly process: ChildProcess) {
    createInterface({ input: process.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.replies.push(line);
    });
    process.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  }

  /** Starts a worker and waits for its registration reply. */
  static async start(pinDir: string, options: WorkerOptions = {}): Promise<{ worker: WorkerProcess; hello: Hello }> {
    let argv = [process.execPath, `${FIXTURES}worker.mjs`, pinDir];
    if (options.pidNamespace) argv = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...argv];
    if (options.user) argv = ['setpriv', `--reuid=${options.user}`, `--regid=${primaryGid(options.user)}`, '--init-groups', ...argv];
    const worker = new WorkerProcess(spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }));
    const hello = JSON.parse(await worker.line()) as Hello;
    return { worker, hello };
  }

  private line(timeoutMs = 30_000): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not answer in ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited (${code}) without answering; stderr:\n${this.stderr}`));
      });
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  async send<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> {
    this.process.stdin!.write(`${JSON.stringify(command)}\n`);
    const reply = JSON.parse(await this.line()) as T & { error?: string; message?: string };
    if (reply.error) throw new Error(`worker: ${reply.error}: ${reply.message}`);
    return reply;
  }

  drain(): Promise<DrainReply> {
    return this.send<DrainReply>({ cmd: 'drain' });
  }

  /** SIGKILL, without unregistering; resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

function primaryGid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
