// Where vivariumd leaves its uprobe state for `vivariumd status`: next to
// its socket (bpffs holds no plain files), root's, rewritten on each change.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { UprobeState } from './attacher.js';

function uprobeStatePath(socket: string): string {
  return `${socket.replace(/\.sock$/, '')}.uprobes.json`;
}

/** Writes `state` unless it is `written` (the text last written) and the
 * file is still there (a cleaned /run); returns the text written. */
export function writeUprobeState(socket: string, state: UprobeState, written?: string): string {
  const text = `${JSON.stringify(state)}\n`;
  const path = uprobeStatePath(socket);
  if (text === written && existsSync(path)) return text;
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return text;
}

export function readUprobeState(socket: string): UprobeState | null {
  try {
    return JSON.parse(readFileSync(uprobeStatePath(socket), 'utf8')) as UprobeState;
  } catch {
    return null;
  }
}

export function removeUprobeState(socket: string): void {
  rmSync(uprobeStatePath(socket), { force: true });
}
