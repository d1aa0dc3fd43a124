// A test-runner process registered with vivariumd. It asks the daemon over
// its Unix socket, which registers the caller (as the kernel identifies it)
// and hands back this worker's own maps and nothing else: its ring (the
// events of itself and its descendants), its control (the window it is in,
// written here per window with a plain store), and its counters (written by
// the kernel only). It never touches a shared map.
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Abi, ControlCodec, type Counters, CountersCodec } from './abi.generated.js';
import type { BackendName } from './backend.js';
import { decodeEvent } from './decode.js';
import {
  AbiMismatchError,
  AccessDeniedError,
  DaemonNotRunningError,
  DecodeError,
  NoFreeSlotError,
  TamperedError,
  VivariumError,
} from './errors.js';
import type { PrivilegedEvent, VivariumEvent } from './events.js';
import type { Gaps } from './completeness.js';
import { DnsStreams } from './dns-stream.js';
import { UPROBE_FED_KINDS } from './event-kinds.js';
import { Http2Connections } from './http/http2.js';
import { MountView, mountinfoReader } from './mount-view.js';
import { closeFd } from './native.js';
import { MAX_LINE, REPLY_FDS, type RegisterReply, type Reply, encodeLine } from './protocol.js';
import { RewrittenMemory } from './rewritten-memory.js';
import { RingReader } from './ring-reader.js';
import { type Mapping, PAGE_SIZE, mapShared } from './shared-memory.js';
import { resolveSocket } from './socket-path.js';
import { connectUnix, receiveWithFds, sendWithFds } from './unix-socket.js';

/** The events since the last drain, and what could not be seen of them. */
export interface DrainResult extends Gaps {
  events: VivariumEvent[];
}

export interface RegisterOptions {
  /** The pin dir of the daemon to register with (its socket is derived from it). */
  pinDir?: string;
  /** The daemon's socket, when it is not where the pin dir says (containers). */
  socket?: string;
  /** Follow children (default true). */
  followChildren?: boolean;
  /** Uprobe-fed kinds (env, load, http: attached only when asked) to attach
   * now, so that every window sees them: a run with a policy or a reporter.
   * Checks of a kind ask for it themselves before their window begins (attach()). */
  kinds?: readonly string[];
}

/** Why a deferred kind was not seen in a window. */
const NOT_ASKED =
  'vivariumd attaches their uprobes only when asked, and this window began before anything asked for them (a matcher asks before it runs fn; with a policy or a reporter the adapter asks at registration)';

const ERRORS: Record<string, new (message: string) => VivariumError> = {
  AbiMismatchError,
  AccessDeniedError,
  NoFreeSlotError,
  DaemonNotRunningError,
};
const REPLY_TIMEOUT_MS = 10_000;

export class Worker {
  readonly slot: number;
  readonly backend: BackendName;
  private epoch: number;
  private readonly targetFlags: number;
  private seen: Counters;
  private closed = false;
  private readonly mounts: MountView;
  /** Kinds vivariumd could not attach uprobes for, for this worker, with the reason. */
  private readonly unattached: Record<string, string>;
  /** Kinds vivariumd attaches only when asked, not asked for yet. */
  private readonly deferred: Set<string>;
  /** Deferred kinds attached during the open window: it began blind to them. */
  private readonly attachedLate = new Set<string>();
  /** What unavailableNow() says of a window nothing changed (attach() does): one object, not one a drain. */
  private steadyUnavailable: { value: Readonly<Record<string, string>> | undefined } | undefined;
  private readonly countersView: DataView;
  /** HPACK tables of the HTTP/2 connections this worker and its children open. */
  private readonly http2 = new Http2Connections();
  private readonly dnsStreams = new DnsStreams();
  private readonly rewrittenMemory = new RewrittenMemory();

  private constructor(
    private readonly socketFd: number,
    reply: RegisterReply,
    private readonly ring: RingReader,
    private readonly control: Mapping,
    private readonly counters: Mapping,
    private readonly mountinfo: ReturnType<typeof mountinfoReader>,
  ) {
    this.mounts = new MountView(mountinfo.read);
    this.slot = reply.slot;
    this.backend = reply.backend;
    this.epoch = reply.epoch;
    this.targetFlags = reply.targetFlags;
    this.unattached = { ...reply.unavailable };
    this.deferred = new Set(reply.deferred);
    this.countersView = new DataView(counters.buffer);
    this.seen = this.readCounters();
  }

  /** Registers this process with the daemon; throws a VivariumError naming the fix. */
  static register(options: RegisterOptions = {}): Worker {
    const path = resolveSocket(options);
    // Opened before registering: opening it is not an event of this worker.
    const mountinfo = mountinfoReader();
    let socketFd: number;
    try {
      socketFd = connect(path);
    } catch (err) {
      mountinfo.close();
      throw err;
    }
    const fds: number[] = [];
    try {
      const kinds = options.kinds?.length ? { kinds: [...options.kinds] } : {};
      sendWithFds(socketFd, encodeLine({ op: 'register', abi: Abi.ABI_VERSION, followChildren: options.followChildren !== false, ...kinds }));
      const reply = readReply(socketFd, fds, path);
      if (!reply.ok) throw new (ERRORS[reply.error] ?? VivariumError)(reply.message);
      if (!('slot' in reply)) throw new VivariumError(`vivarium: vivariumd's answer on ${path} is not a registration`);
      if (reply.abi !== Abi.ABI_VERSION)
        throw new AbiMismatchError(`vivarium: vivariumd speaks ABI ${reply.abi}, this client ABI ${Abi.ABI_VERSION} (run vivariumd from the same Vivarium version as the test packages)`);
      if (fds.length !== REPLY_FDS.length) throw new VivariumError(`vivarium: vivariumd sent ${fds.length} descriptors, expected ${REPLY_FDS.length} (${path})`);
      const [ringFd, controlFd, countersFd] = fds as [number, number, number];
      let ring: RingReader | undefined;
      let control: Mapping | undefined;
      try {
        ring = RingReader.map(ringFd, reply.ringSize);
        control = mapShared(controlFd, PAGE_SIZE, 0, true, 'the worker control');
        const counters = mapShared(countersFd, PAGE_SIZE, 0, false, 'the worker counters');
        return new Worker(socketFd, reply, ring, control, counters, mountinfo);
      } catch (err) {
        ring?.close();
        control?.unmap();
        throw err;
      }
    } catch (err) {
      closeFd(socketFd);
      mountinfo.close();
      throw err;
    } finally {
      // The mappings hold the maps now.
      for (const fd of fds) closeFd(fd);
    }
  }

  /** Kinds vivariumd could not attach uprobes for, for this worker, with the
   * reason (a deferred kind appears once asked for, if it could not be). */
  get unavailable(): Readonly<Record<string, string>> {
    return this.unattached;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  /** Starts a new observation window: events of work begun from now on carry the new epoch. */
  nextEpoch(): number {
    this.epoch++;
    ControlCodec.encode({ epoch: this.epoch, reserved: 0 }, new DataView(this.control.buffer));
    return this.epoch;
  }

  /**
   * Asks vivariumd for the deferred ones of `kinds` (uprobes, attached only
   * when asked: each traps every call on the machine and slows every fork of
   * a process mapping its file). Call before a window that judges them
   * begins: the window open now is reported blind to them. Kinds that are
   * not deferred cost nothing.
   */
  attach(kinds: readonly string[]): void {
    const asked = kinds.filter((kind) => this.deferred.has(kind));
    if (!asked.length || this.closed) return;
    const fds: number[] = [];
    let reply: Reply;
    try {
      sendWithFds(this.socketFd, encodeLine({ op: 'attach', kinds: asked }));
      reply = readReply(this.socketFd, fds, 'the registration socket');
    } finally {
      for (const fd of fds) closeFd(fd);
    }
    this.steadyUnavailable = undefined;
    for (const kind of asked) {
      this.deferred.delete(kind);
      this.attachedLate.add(kind);
    }
    if (!reply.ok) for (const kind of asked) this.unattached[kind] ??= reply.message;
    else Object.assign(this.unattached, reply.unavailable);
  }

  stats(): Counters {
    return this.readCounters();
  }

  /** Everything the kernel has written for this worker so far, and whether
   * its registration is still what the daemon made it. */
  drain(): DrainResult {
    const events: VivariumEvent[] = [];
    let undecodable = 0;
    // Calls that wrote Vivarium's own maps or took a writable fd of one: an
    // entry deleted and put back, or a bit cleared and set again through a
    // mapping, between two probes leaves no other trace.
    const reached = new Set<string>();
    this.ring.consume((view, offset, length) => {
      let event;
      try {
        event = decodeEvent(view, offset, length, this.http2);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        undecodable++; // counted as lost, never silently skipped
        return;
      }
      if (event.kind === 'dns_segment') {
        this.dnsStreams.frame(event, events);
        return;
      }
      if ((event as { fsView?: unknown }).fsView) this.mounts.placeEvent(event);
      if ('tampers' in event && event.tampers) reached.add(`pid ${event.pid} ${reachedBy(event)}`);
      this.rewrittenMemory.see(event);
      events.push(event);
    });
    const { changed, now } = this.probe();
    const tampered = [changed, ...reached].filter(Boolean).join('; ') || undefined;
    const dropped = Number(now.dropped - this.seen.dropped) + undecodable;
    const leftoverDropped = Number(now.droppedLeftover - this.seen.droppedLeftover);
    const unfollowed = Number(now.unfollowed - this.seen.unfollowed);
    this.seen = now;
    return { events, dropped, leftoverDropped, unfollowed, tampered, unavailable: this.unavailableNow() };
  }

  /** The kinds this worker cannot observe: those vivariumd could not attach,
   * those fed by uprobes while a process's code may have been rewritten, and
   * deferred ones not attached since the window began. */
  private unavailableNow(): Readonly<Record<string, string>> | undefined {
    const rewritten = this.rewrittenMemory.endWindow();
    if (!rewritten && !this.attachedLate.size) return (this.steadyUnavailable ??= { value: this.unavailableKinds() }).value;
    const value = this.unavailableKinds(rewritten);
    this.attachedLate.clear();
    return value;
  }

  private unavailableKinds(rewritten?: string): Readonly<Record<string, string>> | undefined {
    const notAsked = [...this.deferred, ...this.attachedLate];
    if (!rewritten && !notAsked.length) return Object.keys(this.unattached).length ? Object.freeze({ ...this.unattached }) : undefined;
    return Object.freeze({
      ...(rewritten ? Object.fromEntries(UPROBE_FED_KINDS.map((kind) => [kind, rewritten])) : {}),
      ...Object.fromEntries(notAsked.map((kind) => [kind, NOT_ASKED])),
      ...this.unattached,
    });
  }

  /** Stops observing: the daemon frees the slot when the connection ends. Safe to call twice. */
  unregister(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.close();
    this.control.unmap();
    this.counters.unmap();
    this.mountinfo.close();
    closeFd(this.socketFd);
  }

  private readCounters(): Counters {
    return CountersCodec.decode(this.countersView);
  }

  /** kill(own pid, 0): the kernel records what this worker's config_targets
   * entry says at that moment; anything but this worker's slot, flags and
   * window means someone removed or rewrote it. Returns what changed, if
   * anything, and the counters after the probe. */
  private probe(): { changed: string | undefined; now: Counters } {
    const before = this.readCounters().probes;
    process.kill(process.pid, 0);
    const now = this.readCounters();
    let changed: string | undefined;
    // An entry moved to another slot answers there: it reads as gone from here.
    if (now.probes === before) changed = "this worker's config_targets entry is gone or no longer sends its events here (the kernel no longer observes it)";
    else if (now.probeFlags !== this.targetFlags) changed = `this worker's config_targets flags changed from ${this.targetFlags} to ${now.probeFlags}`;
    else if (now.probeEpoch !== this.epoch) changed = `this worker's window was moved from ${this.epoch} to ${now.probeEpoch}`;
    return { changed, now };
  }
}

const BPF_OBJ_GET = 7;
const BPF_MAP_GET_FD_BY_ID = 14;

/** How a flagged call reached Vivarium's maps. */
function reachedBy(event: PrivilegedEvent): string {
  if (event.kind === 'pidfd_getfd') return "took a writable fd of Vivarium's own maps with pidfd_getfd()";
  const cmd = event.args[0];
  if (cmd === BPF_OBJ_GET || cmd === BPF_MAP_GET_FD_BY_ID) return "opened Vivarium's own maps for writing with bpf()";
  return "wrote Vivarium's own maps with bpf()";
}

function connect(path: string): number {
  try {
    return connectUnix(path, REPLY_TIMEOUT_MS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED')
      throw new DaemonNotRunningError(`vivarium: vivariumd is not running (nothing listens on ${path}; start it as root: npx vivariumd)`, { cause: err });
    if (code === 'EACCES' || code === 'EPERM')
      throw new AccessDeniedError(`vivarium: may not register with vivariumd: ${path} is ${code} for this user (${accessHint(path)})`, {
        cause: err,
      });
    throw new VivariumError(`vivarium: cannot reach vivariumd at ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** What to do about a socket this user may not connect to: its group says who may. */
function accessHint(path: string): string {
  let gid: number;
  try {
    gid = statSync(path).gid;
  } catch {
    return 'run as root, or start vivariumd --group GROUP and add this user to GROUP';
  }
  if (gid === 0) return `vivariumd lets root only register: run as root, or restart it with --group GROUP and add this user to GROUP`;
  const group = groupName(gid);
  return `vivariumd lets group ${group} register: sudo usermod -aG ${group} ${userInfo().username}, then log in again`;
}

function groupName(gid: number): string {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    if (line) return line.split(':')[0]!;
  } catch {
    // no /etc/group: the number will do
  }
  return `gid ${gid}`;
}

/** Reads one reply line; descriptors that came with it go to `fds`. */
function readReply(socketFd: number, fds: number[], path: string): Reply {
  let text = '';
  while (!text.includes('\n')) {
    const chunk = receiveWithFds(socketFd);
    fds.push(...chunk.fds);
    if (chunk.data.length === 0) throw new DaemonNotRunningError(`vivarium: vivariumd closed ${path} without answering (check its log)`);
    text += Buffer.from(chunk.data).toString('utf8');
    if (text.length > MAX_LINE) throw new VivariumError(`vivarium: vivariumd's answer on ${path} is not a protocol line`);
  }
  try {
    return JSON.parse(text.slice(0, text.indexOf('\n'))) as Reply;
  } catch (cause) {
    throw new VivariumError(`vivarium: vivariumd's answer on ${path} is not JSON`, { cause });
  }
}
