// Drives the fixtures that talk to vivariumd from their own processes:
// fixtures/worker.mjs (a registered Worker) and fixtures/raw-client.mjs (a
// hand-written socket client), optionally as another user, inside their own
// pid namespace, or in a "container" that reaches the socket only through a
// bind mount.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { asUser } from '../../helpers/accounts.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface Hello {
  registered: boolean;
  slot?: number;
  backend?: string;
  pid?: number;
  pidns?: number;
  uid?: number;
  epoch?: number;
  error?: string;
  message?: string;
}

export interface DrainedEvent {
  kind: string;
  pid: number;
  epoch: number;
  child: boolean;
  path: string | null;
}

export interface DrainReply {
  dropped: number;
  leftoverDropped: number;
  unfollowed: number;
  tampered: string | null;
  count: number;
  events: DrainedEvent[];
}

export interface ProcessOptions {
  /** Run as this user (setpriv with the user's groups). */
  user?: string;
  /** Run as pid 1 of a new pid namespace (unshare --pid --fork --mount-proc). */
  pidNamespace?: boolean;
  /** Like pidNamespace, and /run hidden under a tmpfs: the daemon's socket is
   * reachable only where it is bind-mounted, at `socket`, named by VIVARIUM_SOCKET. */
  container?: { hostSocket: string; socket: string };
  /** Flags for node itself (before the script). */
  nodeFlags?: string[];
}

/** Starts fixtures/SCRIPT with ARGS, as `options` say. */
export function spawnFixture(script: string, args: string[], options: ProcessOptions = {}): ChildProcess {
  let argv = [process.execPath, ...(options.nodeFlags ?? []), `${FIXTURES}${script}`, ...args];
  const env = { ...process.env };
  delete env.VIVARIUM_SOCKET;
  delete env.VIVARIUM_BPF_PIN_DIR;
  if (options.container) {
    const { hostSocket, socket } = options.container;
    const script = 'set -e; touch "$2"; mount --bind "$1" "$2"; mount -t tmpfs tmpfs /run; shift 2; exec "$@"';
    argv = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', script, 'sh', hostSocket, socket, ...argv];
    env.VIVARIUM_SOCKET = socket;
  } else if (options.pidNamespace) {
    argv = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...argv];
  }
  if (options.user) argv = [...asUser(options.user), ...argv];
  return spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env });
}

/** A fixture process speaking one JSON line per command and reply. */
export class LineProcess {
  private readonly replies: string[] = [];
  private readonly waiting: Array<(line: string) => void> = [];
  readonly exited: Promise<number | string>;
  private stderr = '';
  /** Where commands go: its stdin, unless redirected (a process that outlives the one we spawned). */
  private input: Writable;

  constructor(readonly process: ChildProcess) {
    this.input = process.stdin!;
    createInterface({ input: process.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.replies.push(line);
    });
    process.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  }

  /** The next line it printed. */
  line(timeoutMs = 30_000): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fixture did not answer in ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      void this.exited.then((code) => {
        clearTimeout(timer);
        // Its stdout may outlive it (a raw client that handed its connection on).
        setTimeout(() => reject(new Error(`fixture exited (${code}) without answering; stderr:\n${this.stderr}`)), 10_000);
      });
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  /** Sends later commands to `input` instead of the process's stdin. */
  redirectInput(input: Writable): void {
    this.input = input;
  }

  async json<T>(): Promise<T> {
    return JSON.parse(await this.line()) as T;
  }

  /** Sends a command; a reply carrying `error` becomes a rejection. */
  async send<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> {
    this.input.write(`${JSON.stringify(command)}\n`);
    const reply = await this.json<T & { error?: string; message?: string }>();
    if (reply.error) throw new Error(`fixture: ${reply.error}: ${reply.message}`);
    return reply;
  }

  /** SIGKILL (of what we spawned: setpriv and unshare exec or pass it on); resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** fixtures/worker.mjs: a Worker registered through PIN_DIR's socket. */
export class WorkerProcess extends LineProcess {
  static async start(pinDir: string, options: ProcessOptions = {}): Promise<{ worker: WorkerProcess; hello: Hello }> {
    const worker = new WorkerProcess(spawnFixture('worker.mjs', [pinDir], options));
    const hello = await worker.json<Hello>();
    return { worker, hello };
  }

  /** `except`: kinds left out of the events listed (they still count). */
  drain(except: string[] = []): Promise<DrainReply> {
    return this.send<DrainReply>({ cmd: 'drain', except });
  }

  /** Opens `path` `times` times, then drains: how many of those opens it received. */
  async opensOf(path: string, times = 1): Promise<number> {
    await this.send({ cmd: 'open', path, times });
    const drained = await this.drain();
    return drained.events.filter((e) => e.kind === 'file_open' && e.path === path).length;
  }
}

export interface MapDescription {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

export interface RawReply {
  reply?: { ok: boolean; error?: string; message?: string; slot?: number; abi?: number; ringSize?: number; deferred?: string[]; unavailable?: Record<string, string> };
  maps?: MapDescription[];
  closed?: boolean;
}

/** fixtures/raw-client.mjs: a connection to the socket that sends what it is told. */
export class RawClient extends LineProcess {
  static async connect(socket: string, options: ProcessOptions = {}): Promise<{ client: RawClient; hello: { connected: boolean; pid?: number; code?: string; message?: string } }> {
    const client = new RawClient(spawnFixture('raw-client.mjs', [socket], options));
    return { client, hello: await client.json() };
  }

  request(line: string | object): Promise<RawReply> {
    return this.send<RawReply>({ cmd: 'send', line: typeof line === 'string' ? line : JSON.stringify(line) });
  }
}
