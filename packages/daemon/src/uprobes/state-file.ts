// Where vivariumd leaves its uprobe state for `vivariumd status`: next to
// its socket (bpffs holds no plain files), root's, rewritten on each change.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { UprobeState } from './attacher.js';

function uprobeStatePath(socket: string): string {
  return `${socket.replace(/\.sock$/, '')}.uprobes.json`;
}

/** Writes `state` unless it is `written` (the text last written); returns the text written. */
export function writeUprobeState(socket: string, state: UprobeState, written?: string): string {
  const text = `${JSON.stringify(state)}\n`;
  if (text === written) return text;
  const path = uprobeStatePath(socket);
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
