// `vivariumd stop`: ask the serving daemon to detach, or clean up after a dead one.
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { MAP_SPECS, PIN, PinnedMap, readMeta } from '@vivarium/core';
import { daemonAlive } from './daemon-state.js';
import { hasPins, removePins } from './pin-dir.js';

export async function stop(pinDir: string, log: (line: string) => void): Promise<void> {
  if (!hasPins(pinDir)) {
    removePins(pinDir);
    log(`nothing pinned at ${pinDir}`);
    return;
  }
  let pid = 0;
  try {
    const metaMap = PinnedMap.open(join(pinDir, PIN.meta), MAP_SPECS.meta);
    try {
      const meta = readMeta(metaMap);
      if (daemonAlive(meta)) pid = meta.daemonPid;
    } finally {
      metaMap.close();
    }
  } catch {
    // another ABI or a half-written dir: nobody to signal, just unpin
  }
  if (pid) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && hasPins(pinDir); i++) await sleep(50);
    if (hasPins(pinDir)) throw new Error(`vivariumd: pid ${pid} did not detach within 10 s (kill -9 ${pid}; vivariumd stop)`);
    log(`stopped vivariumd pid ${pid}; ${pinDir} unpinned`);
    return;
  }
  removePins(pinDir);
  log(`no daemon was running; unpinned ${pinDir} (programs detached)`);
}
