// The registration socket. A worker connects and asks to register; the
// kernel tells us who it is (SO_PEERCRED), so a worker can only ever
// register itself; the reply carries its own maps by SCM_RIGHTS. Its slot is
// freed when the connection ends: the worker unregistered, or died.
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { dirname } from 'node:path';
import { Abi, AbiMismatchError, type BackendName, VivariumError } from '@vivarium/core';
import { MAX_LINE, type Reply, type Request, encodeLine, sendWithFds } from '@vivarium/core/kernel';
import { type Peer, assertPeerAlive, assertPeerUnprivileged, forgetPeer, identifyPeer } from './peer.js';
import { FIRST_EPOCH, type Registry } from './registry.js';
import type { Attached, Unavailable, Uprobes } from './uprobes/attacher.js';
import { UPROBE_KINDS } from './uprobes/table.js';

export interface ServerOptions {
  path: string;
  backend: BackendName;
  ringSize: number;
  /** Group allowed to connect (socket root:gid 0660), or undefined: root only (0600). */
  gid: number | undefined;
  /** Attaches uprobes to each worker's files before it is answered. */
  uprobes: Uprobes;
  /** The uprobe state changed (status shows it). */
  onUprobes(): void;
  /** A connection ended, its slot (if any) released: the uprobes may go idle. */
  onLeft(): void;
  log(line: string): void;
}

export interface RegistrationServer {
  /** Stops listening and ends every connection (the slots stay: the pins go with the daemon). */
  close(): void;
}

/** Listens on `options.path` (replacing a stale socket: we hold the pin dir's lock). */
export async function serveRegistrations(registry: Registry, options: ServerOptions): Promise<RegistrationServer> {
  mkdirSync(dirname(options.path), { recursive: true, mode: 0o755 });
  if (existsSync(options.path)) rmSync(options.path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handle(socket, registry, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new VivariumError(`vivariumd: cannot listen on ${options.path}: ${err.message}`, { cause: err })));
    server.listen(options.path, resolve);
  });
  // Who may connect is the socket file's owner and mode.
  chownSync(options.path, 0, options.gid ?? 0);
  chmodSync(options.path, options.gid === undefined ? 0o600 : 0o660);
  return {
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
      rmSync(options.path, { force: true });
    },
  };
}

function handle(socket: Socket, registry: Registry, options: ServerOptions): void {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  let peer: Peer | undefined;
  try {
    if (fd === undefined || fd < 0) throw new VivariumError('vivariumd: a connection without a descriptor');
    peer = identifyPeer(fd);
  } catch {
    socket.destroy();
    return;
  }
  let slot: number | undefined;
  let buffered = '';
  socket.on('error', () => {}); // a worker that died mid-request: 'close' follows
  let pending: Promise<number | undefined> | undefined;
  socket.on('close', () => {
    options.uprobes.forget(peer!.pid);
    options.onUprobes();
    forgetPeer(peer);
    // A worker that left mid-registration is released once registered.
    // Every ended connection, registered or refused: a registration attempt
    // stopped the idle countdown (attachFor), and only this restarts it.
    void (pending ?? Promise.resolve(slot))
      .then((s) => (s === undefined ? undefined : registry.release(s)))
      .catch((err: Error) => options.log(`releasing a slot failed: ${err.message}`))
      .finally(() => options.onLeft());
  });
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    if (buffered.length > MAX_LINE) return socket.destroy();
    const end = buffered.indexOf('\n');
    if (end < 0) return;
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 1);
    if (pending) {
      // Only a registered connection may ask for more, and only after its registration's answer.
      void pending.then((s) => (s === undefined ? undefined : attach(fd!, peer!, line, options)));
      return;
    }
    pending = register(fd!, peer!, line, registry, options);
    void pending.then((s) => (slot = s));
  });
}

/** Answers a registered worker's AttachRequest (kinds attached on demand). */
function attach(fd: number, peer: Peer, line: string, options: ServerOptions): void {
  let unavailable: Unavailable;
  try {
    const { kinds } = parseRequest(line, 'attach');
    if (!Array.isArray(kinds)) throw new VivariumError('vivarium: attach takes kinds, a list of event kinds');
    unavailable = attachUprobes(options, peer.pid, (uprobes) => uprobes.attachAsked(peer.pid, kinds), (none) => none);
    reply(fd, { ok: true, unavailable });
  } catch (err) {
    try {
      reply(fd, { ok: false, error: 'VivariumError', message: (err as Error).message });
    } catch {
      // the worker is gone
    }
    return;
  }
  options.onUprobes();
  for (const [kind, reason] of Object.entries(unavailable)) options.log(`pid ${peer.pid}: ${kind} events unavailable: ${reason}`);
}

/** What a request of one op says when another was due. */
const OUT_OF_TURN: Record<Request['op'], string> = {
  register: 'vivarium: this connection is already registered',
  attach: 'vivarium: attach asks for kinds for a registered worker: register first',
};

/** The request on `line`, which must be an `op` one; a VivariumError saying what is wrong. */
function parseRequest<Op extends Request['op']>(line: string, op: Op): Extract<Request, { op: Op }> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    // said below
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw new VivariumError('vivarium: the request is not a JSON object (a client of another Vivarium version?)');
  const got = (request as { op?: unknown }).op;
  if (got === op) return request as Extract<Request, { op: Op }>;
  throw new VivariumError(got === 'register' || got === 'attach' ? OUT_OF_TURN[got] : `vivarium: unknown request '${String(got)}'`);
}

/** Answers one request; resolves to the slot it registered, if any. */
async function register(fd: number, peer: Peer, line: string, registry: Registry, options: ServerOptions): Promise<number | undefined> {
  try {
    const request = parseRequest(line, 'register');
    if (request.abi !== Abi.ABI_VERSION)
      throw new AbiMismatchError(`vivarium: vivariumd speaks ABI ${Abi.ABI_VERSION}, this client ABI ${request.abi} (run vivariumd from the same Vivarium version as the test packages)`);
    assertPeerAlive(peer);
    assertPeerUnprivileged(peer);
    const registration = await registry.register(peer, request.followChildren !== false);
    try {
      // Again once its entry exists: an exec between the two checks found no entry to end;
      // from here on the kernel ends it (TargetFlag.UNPRIVILEGED).
      assertPeerUnprivileged(peer);
      // Before the reply: the worker's first test is observed in full.
      const asked = Array.isArray(request.kinds) ? request.kinds : [];
      const { unavailable, deferred } = attachUprobes(
        options,
        peer.pid,
        (uprobes) => uprobes.attachFor(peer.pid, asked),
        (none): Attached => ({ unavailable: none, deferred: [] }),
      );
      reply(fd, {
        ok: true,
        abi: Abi.ABI_VERSION,
        backend: options.backend,
        slot: registration.slot,
        ringSize: options.ringSize,
        targetFlags: registration.targetFlags,
        epoch: FIRST_EPOCH,
        unavailable,
        deferred,
      }, registration.fds);
      // After the reply (it carries the unavailable kinds): writing the file `vivariumd status` reads
      // takes 0.3-0.6 ms, which the worker no longer waits for (Worker.register 3.6-3.9 -> 3.5-3.6 ms).
      options.onUprobes();
      for (const [kind, reason] of Object.entries(unavailable)) options.log(`pid ${peer.pid}: ${kind} events unavailable: ${reason}`);
    } catch (err) {
      await registry.release(registration.slot);
      throw err;
    }
    return registration.slot;
  } catch (err) {
    const error = err as Error;
    if (!(error instanceof VivariumError)) options.log(`registration failed: ${error.message}`);
    try {
      reply(fd, { ok: false, error: error instanceof VivariumError ? error.name : 'VivariumError', message: error.message });
    } catch {
      // the worker is gone
    }
    return undefined;
  }
}

/** Attaches uprobes for worker `pid` by `how`; a failure of the attacher
 * itself makes every kind it feeds unavailable (`failed` says so in `how`'s
 * terms). A worker the uprobes would watch blind (a VivariumError) is refused. */
function attachUprobes<T>(options: ServerOptions, pid: number, how: (uprobes: Uprobes) => T, failed: (unavailable: Unavailable) => T): T {
  try {
    return how(options.uprobes);
  } catch (err) {
    // A worker that cannot be observed truly is refused, saying why.
    if (err instanceof VivariumError) throw err;
    options.log(`attaching uprobes for pid ${pid} failed: ${(err as Error).message}`);
    return failed(Object.fromEntries(UPROBE_KINDS.map((kind) => [kind, `vivariumd failed to attach uprobes: ${(err as Error).message}`])));
  }
}

function reply(fd: number, message: Reply, fds: readonly number[] = []): void {
  sendWithFds(fd, encodeLine(message), fds);
}
