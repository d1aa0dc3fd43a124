// Processes whose memory was opened for writing (/proc/PID/mem). The uprobes
// that feed env, load and http are breakpoints written into the code of each
// process; plain JavaScript can put the original instructions back through
// that file (an fs.writeSync at getenv's address), after which the process's
// calls go unseen. The kernel sees only the open, so from then on, until the
// process exits, checks of those kinds cannot vouch for anything and fail
// saying why, in the window of the open and in every later one.
import type { VivariumEvent } from './events.js';

/** A process's memory file: /proc/PID/mem or /proc/PID/task/TID/mem, under
 * whatever directory procfs is mounted on (the kernel reports the path it
 * walked, /proc/self resolved). */
const MEMORY_FILE = /\/(\d+)(?:\/task\/\d+)?\/mem$/;
/** 'm', which ends every memory file's path: checked before the pattern. */
const LAST_CHAR = 0x6d;

export class RewrittenMemory {
  /** By pid of the process written into: why its breakpoints may be gone. */
  private readonly alive = new Map<number, string>();
  /** Reasons seen in the window being drained, for processes since gone too. */
  private window: string | undefined;

  /** Notes what one event of a drain says, in the order drained. */
  see(event: VivariumEvent): void {
    if (event.kind === 'exit') {
      this.alive.delete(event.pid);
      return;
    }
    if (event.kind !== 'file_open' || event.result < 0 || event.access === 'read') return;
    const target = event.path.charCodeAt(event.path.length - 1) === LAST_CHAR ? MEMORY_FILE.exec(event.path) : null;
    if (!target) return;
    const reason = `pid ${event.pid} opened ${event.path} for writing: what it writes there can remove the uprobes' breakpoints from the code of pid ${target[1]}, whose environment reads, library loads and TLS requests may then go unseen until it exits (read a process's memory, if at all, read-only)`;
    this.alive.set(Number(target[1]), reason);
    this.window ??= reason;
  }

  /** The reason, if any, the kinds fed by uprobes cannot be vouched for in
   * the window just drained; the next window starts. */
  endWindow(): string | undefined {
    const reason = this.window ?? this.alive.values().next().value;
    this.window = undefined;
    return reason;
  }
}
