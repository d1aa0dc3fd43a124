// Which recorded JS call caused each kernel event. Pure: the recorder
// (recorder.ts) gives the calls, the session gives the drained events.
//
//   child process     its own spawn: the fork the worker's main thread made
//                     during a spawn call names the child; its children inherit.
//   main thread       the synchronous call running when the event happened
//                     (events carry bpf_ktime_get_ns, the clock of process.hrtime).
//   any thread        the latest call started before the event whose request
//                     names it: the path (or a directory above it, for
//                     recursive calls), the endpoint's port or socket path, the
//                     host name of a DNS query. Thread-pool work (fs.promises,
//                     callback fs, dns.lookup) and connects that Node starts
//                     after the call returned are found this way.
//   thread pool       what getaddrinfo reads for a lookup (/etc/hosts, resolv.conf,
//                     NSS modules) and its resolver connects: the latest DNS call.
import { subjectsOf } from '../event-kinds.js';
import type { VivariumEvent } from '../events.js';
import { subjectPaths } from '../subjects.js';
import type { Origin } from './origin.js';

/** What a call asked for, to find its thread-pool and deferred work by. */
export interface CallKeys {
  /** Absolute paths it named. */
  paths?: string[];
  /** The port it connects to (0: none). */
  port?: number;
  /** A Unix socket path it connects to. */
  socketPath?: string;
  /** The host name it resolves. */
  host?: string;
}

export interface CallRecord {
  /** process.hrtime.bigint() at entry, as a number (ns, CLOCK_MONOTONIC). */
  start: number;
  /** At return for a synchronous call; Infinity for one whose work goes on. */
  end: number;
  /** A synchronous call: what the main thread did meanwhile is its. */
  sync: boolean;
  /** A spawn: the children the main thread forked meanwhile are its. */
  spawn?: boolean;
  /** Vivarium's own I/O (package.json, source maps): its events are nobody's. */
  own?: boolean;
  keys: CallKeys;
  origin: () => Origin;
}

/** Calls kept between two drains, of each sort. */
export const MAX_CALLS = 1 << 16;
const NSS_FILES = /^\/etc\/(?:hosts|resolv\.conf|nsswitch\.conf|host\.conf|gai\.conf)$|\/lib(?:nss_|resolv)[^/]*$/;
const DNS_PORT = 53;

export class Attribution {
  /** Synchronous calls by start: they run one at a time on the main thread, so their windows never overlap. */
  private sync: CallRecord[] = [];
  /** Calls whose work goes on after they return, by start. */
  private pending: CallRecord[] = [];
  private readonly children = new Map<number, CallRecord>();

  add(call: CallRecord): void {
    (call.sync ? this.sync : this.pending).push(call);
    // Memory stays bounded in a test making millions of calls between two drains: the oldest
    // calls are forgotten (their events then carry no origin), never the events.
    if (this.sync.length > MAX_CALLS) this.sync.splice(0, MAX_CALLS / 2);
    if (this.pending.length > MAX_CALLS) this.pending.splice(0, MAX_CALLS / 2);
  }

  get size(): number {
    return this.sync.length + this.pending.length;
  }

  /** Sets `origin` on the events it can attribute; returns the events minus
   * those of Vivarium's own I/O. */
  attribute<E extends VivariumEvent>(events: E[]): E[] {
    const kept: E[] = [];
    for (const event of events) {
      const call = this.callOf(event);
      if (call?.own) continue;
      if (call) lazyOrigin(event, call);
      if (event.kind === 'fork' && call) this.children.set(event.childPid, call);
      kept.push(event);
    }
    return kept;
  }

  /** Forgets synchronous calls that ended before `ns` (their events were
   * drained), and all but the last `keep` others. */
  forget(ns: number, keep = 1024): void {
    this.sync = this.sync.filter((call) => call.end >= ns);
    if (this.pending.length > keep) this.pending = this.pending.slice(-keep);
    if (this.children.size > 4 * keep) this.children.clear();
  }

  private callOf(event: VivariumEvent): CallRecord | undefined {
    if (event.child) return this.children.get(event.pid);
    if (event.tid === event.pid) {
      const sync = this.syncAt(event.timeNs);
      if (sync) return sync;
    }
    return this.keyed(event);
  }

  /** The synchronous call running at `ns`: the last one started by then, if it had not ended. */
  private syncAt(ns: number): CallRecord | undefined {
    let lo = 0;
    let hi = this.sync.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sync[mid]!.start <= ns) lo = mid + 1;
      else hi = mid;
    }
    const call = this.sync[lo - 1];
    return call && ns <= call.end ? call : undefined;
  }

  private keyed(event: VivariumEvent): CallRecord | undefined {
    const matches = matcherOf(event);
    if (!matches) return undefined;
    // A stream's open is Node's own fs.open, after the user's createReadStream: prefer the call with a user frame.
    let fallback: CallRecord | undefined;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const call = this.pending[i]!;
      if (call.start > event.timeNs || !matches(call.keys)) continue;
      if (call.origin().site) return call;
      fallback ??= call;
    }
    return fallback;
  }
}

/** `event.origin`, worked out when first read: printing a stack costs
 * microseconds, and most events are never shown (no reporter, no policy, a
 * passing matcher). It is an own property like any other (spread, JSON). */
function lazyOrigin(event: VivariumEvent, call: CallRecord): void {
  Object.defineProperty(event, 'origin', {
    configurable: true,
    enumerable: true,
    get() {
      const origin = call.origin();
      Object.defineProperty(event, 'origin', { value: origin, configurable: true, enumerable: true, writable: true });
      return origin;
    },
    set(value: Origin) {
      Object.defineProperty(event, 'origin', { value, configurable: true, enumerable: true, writable: true });
    },
  });
}

function matcherOf(event: VivariumEvent): ((keys: CallKeys) => boolean) | undefined {
  switch (event.kind) {
    case 'connect':
    case 'send': {
      const { family, address, port } = event.endpoint;
      if (family === 'unix') return (k) => k.socketPath === address;
      // A resolver asked by getaddrinfo on the thread pool.
      if (port === DNS_PORT && event.tid !== event.pid) return (k) => k.port === port || k.host !== undefined;
      return (k) => k.port === port;
    }
    case 'dns': {
      const name = event.name.toLowerCase().replace(/\.$/, '');
      return (k) => k.host !== undefined && (name === k.host || name.startsWith(`${k.host}.`));
    }
    default: {
      if (!('requestedPath' in event)) return undefined;
      const paths = [event.requestedPath, ...subjectPaths(subjectsOf(event))];
      const nss = event.tid !== event.pid && paths.some((p) => NSS_FILES.test(p));
      return (k) => (nss && k.host !== undefined) || (k.paths?.some((mine) => paths.some((p) => p === mine || p.startsWith(`${mine}/`))) ?? false);
    }
  }
}
