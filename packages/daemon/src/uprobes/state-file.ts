// Where vivariumd leaves its uprobe state for `vivariumd status`: next to
// its socket (bpffs holds no plain files), root's, rewritten on each change.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { UprobeState } from './attacher.js';

function uprobeStatePath(socket: string): string {
  return `${socket.replace(/\.sock$/, '')}.uprobes.json`;
}

export function writeUprobeState(socket: string, state: UprobeState): void {
  const path = uprobeStatePath(socket);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
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
