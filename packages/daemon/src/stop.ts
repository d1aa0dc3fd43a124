// `vivariumd stop`: ask the serving daemon to detach, or clean up after a dead one.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockHolder } from './lock.js';
import { hasPins, removePins } from './pin-dir.js';

export async function stop(pinDir: string, socket: string, log: (line: string) => void): Promise<void> {
  const pid = lockHolder(pinDir);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && lockHolder(pinDir) === pid; i++) await sleep(50);
    if (lockHolder(pinDir) === pid) throw new Error(`vivariumd: pid ${pid} did not detach within 10 s (kill -9 ${pid}; vivariumd stop)`);
    log(`stopped vivariumd pid ${pid}; ${pinDir} unpinned`);
    return;
  }
  const pinned = hasPins(pinDir);
  removePins(pinDir);
  rmSync(socket, { force: true });
  log(pinned ? `no daemon was running; unpinned ${pinDir} (programs detached)` : `nothing pinned at ${pinDir}`);
}
