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
  /** Per library: the files of it the worker maps, then those in its root's library directories. */
  libraries: Map<LibraryName, BinaryFile[]>;
}

function fileAt(path: string, shown: string, mapped: boolean): BinaryFile | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    return { path, shown, key: `${st.dev}:${st.ino}`, dev: st.dev, ino: st.ino, mapped };
  } catch {
    return undefined;
  }
}

/** The executable file mappings of process `pid`: map_files path and the path it shows. */
function mappedFiles(pid: number): Array<{ path: string; shown: string }> {
  const seen = new Set<string>();
  const files: Array<{ path: string; shown: string }> = [];
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    // start-end perms offset dev inode path
    const m = /^([0-9a-f]+-[0-9a-f]+) (\S+) \S+ \S+ (\d+)\s+(\/.*)$/.exec(line);
    if (!m || !m[2]!.includes('x') || m[3] === '0') continue;
    const shown = m[4]!.replace(/ \(deleted\)$/, '');
    if (seen.has(shown)) continue;
    seen.add(shown);
    files.push({ path: `/proc/${pid}/map_files/${m[1]}`, shown });
  }
  return files;
}

/** Finds the program and the libraries of the table for worker `pid` (host pid). */
export function workerBinaries(pid: number): WorkerBinaries {
  const shownExe = readlinkSafe(`/proc/${pid}/exe`) ?? `/proc/${pid}/exe`;
  const program = fileAt(`/proc/${pid}/exe`, shownExe, true) ?? `its program (${shownExe}) cannot be opened from the daemon`;
  const libraries = new Map<LibraryName, BinaryFile[]>();
  const mapped = mappedFiles(pid);
  for (const [name, library] of Object.entries(LIBRARIES) as Array<[LibraryName, (typeof LIBRARIES)[LibraryName]]>) {
    const files: BinaryFile[] = [];
    const add = (file: BinaryFile | undefined) => {
      if (file && !files.some((f) => f.key === file.key)) files.push(file);
    };
    for (const m of mapped) if (library.mapped.test(basename(m.shown))) add(fileAt(m.path, m.shown, true));
    for (const dir of LIBRARY_DIRS) for (const file of library.files) add(fileAt(`/proc/${pid}/root/${dir}/${file}`, `/${dir}/${file}`, false));
    libraries.set(name, files);
  }
  return { program, libraries };
}

function readlinkSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
