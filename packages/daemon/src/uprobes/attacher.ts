// Attaches the uprobe table (table.ts) to the files each registered worker
// runs, once per distinct file (dev:ino): uprobes live on an inode, and the
// programs keep to targets, so one attachment serves every worker and child
// using that file. A kind is attached only once a worker asks for it (a
// matcher of it, a policy, a reporter): a uprobe is a breakpoint in every
// process mapping the file, each getenv on the machine traps, and each fork
// copies the page tables of a probed file's text. Links are pinned under
// links/ (they outlive a daemon that dies, like the other programs; an
// adopting daemon reads what is attached from their names) and held here
// until the daemon stops.
//
// The programs come from a second load of the backend's object that reuses
// the pinned maps: a daemon that adopted the pins attaches new files the
// same way as the one that created them.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MAP_PINS, PIN, closeFd, koffi, openPin } from '@vivarium/core/kernel';
import { VivariumError, errnoName } from '@vivarium/core';
import { isNull, loadWithVerifierLog, objectApi, takeLibbpfLog } from '../libbpf-object.js';
import { linkPins } from '../pin-dir.js';
import { type BinaryFile, workerBinaries } from './binaries.js';
import { functionOffsets } from './elf-symbols.js';
import { LIBRARIES, UPROBE_KINDS, UPROBE_PROGRAMS, UPROBE_TABLE, type UprobeKind, type UprobeRow } from './table.js';

/** Kinds a worker cannot be observed for, with the reason (empty: all available). */
export type Unavailable = Partial<Record<UprobeKind, string>>;

/** What registering attached for a worker. */
export interface Attached {
  unavailable: Unavailable;
  /** On-demand kinds it did not ask for: attached when it does (attachAsked). */
  deferred: UprobeKind[];
}

/** What `vivariumd status` shows (state-file.ts writes it). */
export interface UprobeState {
  /** Why no uprobe can be attached at all, if so. */
  programs: string | null;
  files: Array<{ file: string; key: string; symbols: string[] }>;
  /** Per registered worker (host pid): kinds unavailable for it. */
  workers: Record<string, Unavailable>;
  /** Set while the uprobes are detached because no worker is registered (--uprobes-idle). */
  idle?: string;
  /** The kinds this daemon observes, each attached only once a worker asks for it. */
  onDemand?: UprobeKind[];
}

const PIN_PREFIX = 'uprobe-';

/** links/uprobe-<program>-<symbol>-<dev>-<ino> (bpffs refuses names with a '.'). */
function pinName(row: UprobeRow, file: BinaryFile): string {
  return `${PIN_PREFIX}${row.program}-${row.symbol}-${file.dev}-${file.ino}`.replace(/\./g, '_');
}

/** What a pin name says: the program, the symbol, and the file (its device and inode, and key dev:ino). */
function pinParts(name: string): { program: string; symbol: string; dev: string; ino: string; key: string } {
  const [, program, symbol, dev, ino] = name.split('-');
  return { program: program!, symbol: symbol!, dev: dev!, ino: ino!, key: `${dev}:${ino}` };
}

/** Removes a uprobe's pin: the link goes with its last descriptor. */
function unpin(pinDir: string, name: string): void {
  rmSync(join(pinDir, PIN.links, name), { force: true });
}

/** Why uprobes on `symbols` of `program` cannot see worker `pid`'s calls: it
 * runs its program's code from an anonymous copy (node --use-largepages). */
const codeMovedReason = (pid: number, program: string, symbols: readonly string[]) =>
  `pid ${pid} runs ${program} with its code copied out of the file (node --use-largepages), where uprobes on ${symbols.join(', ')} cannot see its calls`;

/** A worker whose code was copied while breakpoints were in its program's
 * file: they were copied with the code and kill it when reached (SIGTRAP). */
class CodeMovedError extends VivariumError {
  constructor(pid: number, program: string, symbols: readonly string[]) {
    super(
      `vivarium: ${codeMovedReason(pid, program, symbols)} and their copied breakpoints kill it (SIGTRAP): run node without --use-largepages (check NODE_OPTIONS), or vivariumd with --uprobes env,load`,
    );
  }
}

export class Uprobes {
  private readonly programs = new Map<string, unknown>();
  /** Links this daemon attached, by pin name. */
  private readonly links = new Map<string, unknown>();
  /** Pin names of attached rows (ours and an earlier daemon's). */
  private readonly attached = new Set<string>();
  /** Per file key: symbol -> why it could not be attached. */
  private readonly failed = new Map<string, Map<string, string>>();
  private readonly shown = new Map<string, { file: string; symbols: Set<string> }>();
  private readonly workers = new Map<number, Unavailable>();
  /** Pending detach of an idle daemon, and why the uprobes are detached now. */
  private idleTimer: NodeJS.Timeout | undefined;
  private idleSince: string | undefined;

  private constructor(
    private readonly log: (line: string) => void,
    private readonly pinDir: string,
    private readonly obj: unknown,
    /** Why no program could be loaded, if so. */
    private readonly broken: string | null,
    /** The kinds to attach for (vivariumd --uprobes); the others are unavailable. */
    private readonly kinds: readonly UprobeKind[] = UPROBE_KINDS,
  ) {
    const detached = new Set<UprobeKind>();
    for (const name of linkPins(pinDir)) {
      if (!name.startsWith(PIN_PREFIX)) continue;
      // Attached by an earlier vivariumd: known by device and inode only.
      const { program, symbol, dev, ino, key } = pinParts(name);
      const kind = UPROBE_TABLE.find((r) => r.program === program)?.kind;
      if (kind && !kinds.includes(kind)) {
        // Not a kind this daemon observes: its uprobes (and their fork cost) go.
        unpin(pinDir, name);
        detached.add(kind);
        continue;
      }
      this.attached.add(name);
      const shown = this.shown.get(key) ?? { file: `device ${dev} inode ${ino} (attached by an earlier vivariumd)`, symbols: new Set<string>() };
      shown.symbols.add(symbol);
      this.shown.set(key, shown);
    }
    if (detached.size)
      log(`detached the ${[...detached].join(', ')} uprobes an earlier vivariumd attached: this one runs with ${kinds.length ? `--uprobes ${kinds.join(',')}` : '--no-uprobes'}`);
  }

  /** Loads the table's programs from `objectPath`, sharing the maps pinned in `pinDir`. */
  static load(objectPath: string, pinDir: string, log: (line: string) => void, kinds: readonly UprobeKind[] = UPROBE_KINDS): Uprobes {
    const api = objectApi();
    takeLibbpfLog();
    const obj = api.bpf_object__open_file(objectPath, null);
    if (isNull(obj) || api.libbpf_get_error(obj)) return new Uprobes(log, pinDir, null, `cannot open ${objectPath}`, kinds);
    const fds: number[] = [];
    try {
      const programs = new Map<string, unknown>();
      for (let prog = api.bpf_object__next_program(obj, null); !isNull(prog); prog = api.bpf_object__next_program(obj, prog)) {
        const name = api.bpf_program__name(prog);
        const wanted = UPROBE_PROGRAMS.includes(name);
        api.bpf_program__set_autoload(prog, wanted);
        if (wanted) programs.set(name, prog);
      }
      const missing = UPROBE_PROGRAMS.filter((p) => !programs.has(p));
      if (missing.length) throw new Error(`the BPF object has no program ${missing.join(', ')} (npm run build:bpf)`);
      for (let map = api.bpf_object__next_map(obj, null); !isNull(map); map = api.bpf_object__next_map(obj, map)) {
        const name = api.bpf_map__name(map);
        if (!(MAP_PINS as readonly string[]).includes(name)) continue;
        const fd = openPin(join(pinDir, name));
        fds.push(fd);
        if (api.bpf_map__reuse_fd(map, fd) < 0) throw new Error(`reusing the pinned map ${name} failed`);
      }
      const { ret, verifierTail } = loadWithVerifierLog(obj);
      if (ret < 0) throw new Error(`loading the uprobe programs failed: ${errnoName(ret)}${verifierTail.length ? ` (${verifierTail.at(-1)})` : ''}`);
      const uprobes = new Uprobes(log, pinDir, obj, null, kinds);
      for (const [name, prog] of programs) uprobes.programs.set(name, prog);
      return uprobes;
    } catch (err) {
      api.bpf_object__close(obj);
      return new Uprobes(log, pinDir, null, (err as Error).message, kinds);
    } finally {
      for (const fd of fds) closeFd(fd);
    }
  }

  /** vivariumd --no-uprobes: every kind the table feeds is unavailable, saying so, and
   * the uprobes an earlier daemon pinned here are detached. */
  static off(pinDir: string, log: (line: string) => void): Uprobes {
    return new Uprobes(log, pinDir, null, 'vivariumd runs with --no-uprobes', []);
  }

  /** Why uprobes cannot work at all here, or null. */
  get unusable(): string | null {
    return this.broken;
  }

  /**
   * Registers worker `pid` (host pid): attaches the kinds it asked for to
   * its files not attached yet, and says which kinds cannot be observed for
   * it and why, and which wait until it asks (deferred).
   */
  attachFor(pid: number, asked: readonly string[] = []): Attached {
    // A worker is coming: no idle detach under it (what it asks for is attached again).
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.idleSince = undefined;
    const deferred = this.broken ? [] : this.kinds.filter((k) => !asked.includes(k));
    const unavailable = this.attachKinds(pid, UPROBE_KINDS.filter((k) => !deferred.includes(k)), 'registering');
    this.workers.set(pid, unavailable);
    return { unavailable, deferred };
  }

  /** Worker `pid`, registered, asks for on-demand `kinds` before a check of
   * them: attaches them, and says which cannot be observed for it, and why. */
  attachAsked(pid: number, kinds: readonly string[]): Unavailable {
    const unavailable = this.attachKinds(pid, UPROBE_KINDS.filter((k) => kinds.includes(k)), 'registered');
    this.workers.set(pid, { ...this.workers.get(pid), ...unavailable });
    return unavailable;
  }

  /** Attaches `kinds` to the files of worker `pid`; returns those unavailable for it.
   * A registering worker whose code moved out of a program file holding breakpoints is refused. */
  private attachKinds(pid: number, kinds: readonly UprobeKind[], when: 'registering' | 'registered'): Unavailable {
    const unavailable: Unavailable = {};
    const mark = (kind: UprobeKind, reason: string) => {
      unavailable[kind] ??= reason;
    };
    if (this.broken) {
      for (const kind of kinds) mark(kind, `no uprobes: ${this.broken}`);
      return unavailable;
    }
    // Nothing to attach and no breakpoint to refuse a moved worker for: its files are not read
    // (/proc/<pid>/maps and a stat per library directory: 0.7 ms of each registration).
    if (!kinds.length && !this.attached.size) return unavailable;
    let binaries;
    try {
      binaries = workerBinaries(pid);
    } catch (err) {
      for (const kind of kinds) mark(kind, `vivariumd cannot read the files of pid ${pid}: ${(err as Error).message}`);
      return unavailable;
    }
    const program = binaries.program;
    const moved = binaries.codeMoved && typeof program !== 'string' ? program : undefined;
    if (moved && when === 'registering') {
      // Breakpoints in its program's file when it copied its code out are in the copy: it would die at one.
      const probed = [...new Set(UPROBE_TABLE.filter((r) => r.in === 'program' && this.attached.has(pinName(r, moved))).map((r) => r.symbol))];
      if (probed.length) throw new CodeMovedError(pid, moved.shown, probed);
    }
    for (const kind of kinds) {
      if (!this.kinds.includes(kind)) {
        mark(kind, `vivariumd runs with ${this.kinds.length ? `--uprobes ${this.kinds.join(',')}` : '--no-uprobes'}`);
        continue;
      }
      const rows = UPROBE_TABLE.filter((r) => r.kind === kind);
      const inProgram = rows.filter((r) => r.in === 'program');
      if (moved && inProgram.length) {
        // Breakpoints placed now are in no code it runs: its calls would go unseen.
        mark(kind, `${codeMovedReason(pid, moved.shown, [...new Set(inProgram.map((r) => r.symbol))])}: run node without --use-largepages (check NODE_OPTIONS)`);
        continue;
      }
      // oneOf rows: attached in some file the worker runs or maps, or the kind is unavailable.
      const oneOf = rows.filter((r) => r.oneOf);
      let oneOfSeen = false;
      const oneOfFailures: string[] = [];
      for (const where of new Set(rows.map((r) => r.in))) {
        const wanted = rows.filter((r) => r.in === where);
        const required = wanted.some((r) => !r.optional && !r.oneOf);
        let files: BinaryFile[];
        if (where === 'program') {
          if (typeof binaries.program === 'string') {
            if (required) mark(kind, binaries.program);
            continue;
          }
          files = [binaries.program];
        } else {
          files = binaries.libraries.get(where) ?? [];
          if (required && !files.some((f) => f.mapped)) {
            const exe = typeof binaries.program === 'string' ? `pid ${pid}` : binaries.program.shown;
            mark(kind, `${exe} maps no ${LIBRARIES[where].files[0]} (a statically linked program?): uprobes on ${wanted.map((r) => r.symbol).join(', ')} cannot see its calls`);
          }
        }
        for (const file of files) {
          const reason = this.attachRows(wanted, file);
          // Only the files the worker runs decide; others add coverage for children.
          if (reason && file.mapped && required) mark(kind, reason);
          if (file.mapped && oneOf.some((r) => r.in === where && this.attached.has(pinName(r, file)))) oneOfSeen = true;
          else if (reason && file.mapped && oneOf.some((r) => r.in === where)) oneOfFailures.push(reason);
        }
      }
      if (oneOf.length && !oneOfSeen) {
        const exe = typeof binaries.program === 'string' ? `pid ${pid}` : binaries.program.shown;
        const places = [...new Set(oneOf.map((r) => (r.in === 'program' ? 'its program' : LIBRARIES[r.in].files[0])))].join(' or ');
        const none = `${exe}: no ${[...new Set(oneOf.map((r) => r.symbol))].join(', ')} in ${places} to attach to (another TLS library?)`;
        mark(kind, oneOfFailures.find((f) => !f.includes(' defines none of ')) ?? none);
      }
    }
    return unavailable;
  }

  /** The worker `pid` left. */
  forget(pid: number): void {
    this.workers.delete(pid);
  }

  /**
   * Once `idle()` has held for `seconds` (no worker registered), detach every
   * uprobe (a breakpoint in every process mapping the file, which traps each
   * getenv on the machine and makes each fork of a Node process copy node's
   * page tables), then call `detached`. Asked again `seconds` later while a
   * worker is still registered. The next worker to ask for a kind attaches
   * it again before it is answered.
   */
  detachWhenIdle(seconds: number, idle: () => boolean, detached: () => void): void {
    clearTimeout(this.idleTimer);
    if (this.broken) return;
    const reason = `no worker registered for ${seconds} s: attached again when a worker asks`;
    this.idleTimer = setTimeout(() => {
      if (idle()) this.detachNext(reason, detached, 0);
      else this.detachWhenIdle(seconds, idle, detached);
    }, seconds * 1000).unref();
  }

  /** Detaches one uprobe per turn of the event loop: each waits ~0.1 s in the
   * kernel, and a worker that registers meanwhile is answered between two
   * (attachFor cancels the rest and attaches what is gone). */
  private detachNext(reason: string, detached: () => void, count: number): void {
    const name = this.attached.values().next().value;
    if (name === undefined) {
      this.failed.clear();
      this.idleSince = reason;
      if (count) this.log(`detached ${count} uprobe(s): ${reason}`);
      detached();
      return;
    }
    // The pin first: a pinned link outlives its last descriptor.
    unpin(this.pinDir, name);
    const link = this.links.get(name);
    this.links.delete(name);
    if (link !== undefined) objectApi().bpf_link__destroy(link);
    this.attached.delete(name);
    this.unshow(name);
    this.idleTimer = setTimeout(() => this.detachNext(reason, detached, count + 1), 0).unref();
  }

  /** Drops a detached uprobe from what status shows. */
  private unshow(name: string): void {
    const { symbol, key } = pinParts(name);
    const shown = this.shown.get(key);
    if (!shown) return;
    const still = [...this.attached].some((other) => {
      const parts = pinParts(other);
      return parts.symbol === symbol && parts.key === key;
    });
    if (!still) shown.symbols.delete(symbol);
    if (!shown.symbols.size) this.shown.delete(key);
  }

  /** Attaches `rows` to `file`; returns why one it defines failed, or why none is defined. */
  private attachRows(rows: readonly UprobeRow[], file: BinaryFile): string | undefined {
    const api = objectApi();
    const failed = this.failed.get(file.key) ?? new Map<string, string>();
    this.failed.set(file.key, failed);
    const todo = rows.filter((r) => !this.attached.has(pinName(r, file)) && !failed.has(r.symbol));
    let offsets = new Map<string, number>();
    if (todo.length) {
      try {
        offsets = functionOffsets(file.path, todo.map((r) => r.symbol));
      } catch (err) {
        for (const r of todo) failed.set(r.symbol, `cannot read its symbols: ${(err as Error).message}`);
      }
    }
    for (const row of todo) {
      if (failed.has(row.symbol)) continue;
      const offset = offsets.get(row.symbol);
      if (offset === undefined) {
        failed.set(row.symbol, 'not defined');
        continue;
      }
      takeLibbpfLog();
      const link = api.bpf_program__attach_uprobe_opts(this.programs.get(row.program), -1, file.path, offset, {
        sz: koffi.sizeof('vivarium_uprobe_opts'),
        ref_ctr_offset: 0,
        bpf_cookie: row.cookie,
        retprobe: row.retprobe === true,
        func_name: null,
      });
      const err = isNull(link) ? -1 : api.libbpf_get_error(link);
      if (err) {
        failed.set(row.symbol, `attaching failed: ${errnoName(err)}`);
        continue;
      }
      const name = pinName(row, file);
      this.links.set(name, link);
      // Unpinnable (an old kernel's perf link): still attached while we run.
      const pinned = api.bpf_link__pin(link, join(this.pinDir, PIN.links, name));
      if (pinned < 0) this.log(`uprobe ${name}: pinning failed (${errnoName(pinned)}): it stays attached while this daemon runs`);
      this.attached.add(name);
      const shown = this.shown.get(file.key) ?? { file: file.shown, symbols: new Set<string>() };
      shown.symbols.add(row.symbol);
      this.shown.set(file.key, shown);
    }
    const attached = rows.filter((r) => this.attached.has(pinName(r, file)));
    const broken = rows.map((r) => [r.symbol, failed.get(r.symbol)] as const).filter(([, why]) => why && why !== 'not defined');
    if (broken.length) return `vivariumd could not attach uprobes to ${file.shown} (${broken.map(([s, why]) => `${s}: ${why}`).join('; ')})`;
    if (!attached.length) return `${file.shown} defines none of ${rows.map((r) => r.symbol).join(', ')}`;
    return undefined;
  }

  state(): UprobeState {
    return {
      programs: this.broken,
      files: [...this.shown].map(([key, { file, symbols }]) => ({ file, key, symbols: [...symbols] })),
      workers: Object.fromEntries([...this.workers].filter(([, u]) => Object.keys(u).length).map(([pid, u]) => [String(pid), u])),
      ...(this.idleSince ? { idle: this.idleSince } : {}),
      onDemand: this.broken ? [] : [...this.kinds],
    };
  }

  /** Lets go of what this daemon attached and frees the programs. Call just
   * before the pins are removed: the pinned links hold the uprobes until then,
   * and `vivariumd stop` returns once the pin dir is gone. */
  close(): void {
    clearTimeout(this.idleTimer);
    const api = objectApi();
    for (const link of this.links.values()) api.bpf_link__destroy(link);
    this.links.clear();
    if (this.obj) api.bpf_object__close(this.obj);
  }
}
