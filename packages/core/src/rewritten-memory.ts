// Processes whose memory was written from outside their own code: opened
// for writing (/proc/PID/mem), or written with ptrace (PTRACE_POKETEXT,
// PTRACE_POKEDATA) or process_vm_writev. The uprobes that feed env, load and
// http are breakpoints written into the code of each process; plain
// JavaScript can put the original instructions back through /proc/PID/mem
// (an fs.writeSync at getenv's address), and a tracer with PTRACE_POKETEXT,
// after which the process's calls go unseen. The kernel sees only the open
// or the call, so from then on, until the process exits, checks of those
// kinds cannot vouch for anything and fail saying why, in the window of the
// write and in every later one.
import type { VivariumEvent } from './events.js';

/** A process's memory file: /proc/PID/mem or /proc/PID/task/TID/mem, under
 * whatever directory procfs is mounted on (the kernel reports the path it
 * walked, /proc/self resolved). */
const MEMORY_FILE = /\/(\d+)(?:\/task\/\d+)?\/mem$/;
/** 'm', which ends every memory file's path: checked before the pattern. */
const LAST_CHAR = 0x6d;
/** The ptrace requests that write into the tracee's memory (code included). */
const POKES: Record<number, string> = { 4: 'PTRACE_POKETEXT', 5: 'PTRACE_POKEDATA' };
const BLINDS = (pid: number | string) =>
  `can remove the uprobes' breakpoints from the code of pid ${pid}, whose environment reads, library loads and TLS requests may then go unseen until it exits`;

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
    if (event.result < 0) return;
    if (event.kind === 'file_open') {
      if (event.access === 'read' || event.path.charCodeAt(event.path.length - 1) !== LAST_CHAR) return;
      const target = Number(MEMORY_FILE.exec(event.path)?.[1]);
      if (target) this.written(target, `pid ${event.pid} opened ${event.path} for writing: what it writes there ${BLINDS(target)} (read a process's memory, if at all, read-only)`);
    } else if (event.kind === 'ptrace') {
      const request = POKES[event.request];
      if (request) this.written(event.targetPid, `pid ${event.pid} wrote into the memory of pid ${event.targetPid} with ptrace (${request}): that ${BLINDS(event.targetPid)}`);
    } else if (event.kind === 'process_vm' && event.syscall === 'process_vm_writev') {
      const target = event.args[0]!;
      this.written(target, `pid ${event.pid} wrote into the memory of pid ${target} with process_vm_writev: that ${BLINDS(target)}`);
    }
  }

  private written(pid: number, reason: string): void {
    this.alive.set(pid, reason);
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
