// The files a worker's uprobes go on, as the daemon reaches them: paths
// through /proc/<pid>/ (the worker's program, the files it maps, its root),
// so a worker in its own mount namespace or container is attached to the
// very files it runs, not to the daemon's namesakes.
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { LIBRARIES, type LibraryName } from './table.js';

export interface BinaryFile {
  /** A path the daemon can open and the kernel resolves to the file. */
  path: string;
  /** What to call it in messages: the path as the worker sees it. */
  shown: string;
  /** dev:ino, the identity uprobes attach by (an inode, not a path). */
  key: string;
  dev: number;
  ino: number;
  /** The worker maps it (its own calls go through it), rather than only having it on disk. */
  mapped: boolean;
}

/** Standard library directories, searched in the worker's root for the
 * libraries its children may load later. */
const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'usr/lib64', 'lib', 'usr/lib'];

export interface WorkerBinaries {
  /** The worker's executable (its node), or the reason it cannot be reached. */
  program: BinaryFile | string;
  /** Executable memory backed by no file amid the program's own mappings:
   * the program copied its code out of the file (node --use-largepages), so
   * uprobes in the file cannot see calls there, and breakpoints already in
   * the file's pages when it copied them were copied too (SIGTRAP when hit). */
  codeMoved: boolean;
  /** Per library: the files of it the worker maps, then those in its root's library directories. */
  libraries: Map<LibraryName, BinaryFile[]>;
}

function fileAt(path: string, shown: string, mapped: boolean): BinaryFile | undefined {
  try {
    // Most library directories hold none of a library's names: no exception for those (each registration looks).
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    return { path, shown, key: `${st.dev}:${st.ino}`, dev: st.dev, ino: st.ino, mapped };
  } catch {
    return undefined;
  }
}

interface Mapping {
  range: string;
  executable: boolean;
  /** The file's path as the process sees it; '' for memory no file backs. */
  shown: string;
}

/** The mappings of process `pid` (/proc/<pid>/maps). */
function mappings(pid: number): Mapping[] {
  const all: Mapping[] = [];
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    // start-end perms offset dev inode [path]
    const m = /^([0-9a-f]+-[0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const file = m[3] !== '0' && m[4]!.startsWith('/');
    all.push({ range: m[1]!, executable: m[2]!.includes('x'), shown: file ? m[4]!.replace(/ \(deleted\)$/, '') : '' });
  }
  return all;
}

/** The executable file mappings: map_files path and the path it shows. */
function mappedFiles(pid: number, all: readonly Mapping[]): Array<{ path: string; shown: string }> {
  const seen = new Set<string>();
  const files: Array<{ path: string; shown: string }> = [];
  for (const m of all) {
    if (!m.executable || !m.shown || seen.has(m.shown)) continue;
    seen.add(m.shown);
    files.push({ path: `/proc/${pid}/map_files/${m.range}`, shown: m.shown });
  }
  return files;
}

/** Executable anonymous memory with a mapping of file `shown` on either side:
 * a hole punched into the file's code. (V8 maps part of node again elsewhere
 * for its builtins: mappings of the file are not one span.) */
function codeMovedOutOf(shown: string, all: readonly Mapping[]): boolean {
  return all.some((m, i) => m.executable && !m.shown && all[i - 1]?.shown === shown && all[i + 1]?.shown === shown);
}

/** Finds the program and the libraries of the table for worker `pid` (host pid). */
export function workerBinaries(pid: number): WorkerBinaries {
  const shownExe = readlinkSafe(`/proc/${pid}/exe`) ?? `/proc/${pid}/exe`;
  const program = fileAt(`/proc/${pid}/exe`, shownExe, true) ?? `its program (${shownExe}) cannot be opened from the daemon`;
  const libraries = new Map<LibraryName, BinaryFile[]>();
  const all = mappings(pid);
  const mapped = mappedFiles(pid, all);
  for (const [name, library] of Object.entries(LIBRARIES) as Array<[LibraryName, (typeof LIBRARIES)[LibraryName]]>) {
    const files: BinaryFile[] = [];
    const add = (file: BinaryFile | undefined) => {
      if (file && !files.some((f) => f.key === file.key)) files.push(file);
    };
    for (const m of mapped) if (library.mapped.test(basename(m.shown))) add(fileAt(m.path, m.shown, true));
    for (const dir of LIBRARY_DIRS) for (const file of library.files) add(fileAt(`/proc/${pid}/root/${dir}/${file}`, `/${dir}/${file}`, false));
    libraries.set(name, files);
  }
  return { program, codeMoved: codeMovedOutOf(shownExe.replace(/ \(deleted\)$/, ''), all), libraries };
}

function readlinkSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
