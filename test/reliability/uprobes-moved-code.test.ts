// A program that runs its code from a copy (node --use-largepages copies its
// text into anonymous huge pages at start): a uprobe on a function of the
// file cannot see calls made in that copy, and a breakpoint the uprobe had
// already written into the file's page is copied with the code, so the
// process dies with SIGTRAP when it reaches it (its first TLS write, with the
// uprobes on node's SSL_write). vivariumd refuses to register such a worker
// with a message naming the fixes, rather than observe it blind; with
// --uprobes env,load (no uprobe in node) it registers.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('moved-code');
const ARGS = ['--rings', '2', '--ring-size', String(1 << 20), '--uprobes-idle', 'off'];
const LARGE_PAGES = ['--use-largepages=on'];
const skip = skipKernelTests();

/** Whether `node --use-largepages=on` really runs from anonymous executable memory amid its own mappings here. */
function largePagesMoveCode(): boolean {
  const script = `const maps = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/));
const own = maps.filter((f) => f[5] === require('fs').realpathSync(process.execPath));
const [lo, hi] = [parseInt(own[0][0].split('-')[0], 16), parseInt(own.at(-1)[0].split('-')[1], 16)];
console.log(maps.some((f) => f[1]?.includes('x') && f[4] === '0' && !f[5] && parseInt(f[0].split('-')[0], 16) >= lo && parseInt(f[0].split('-')[1], 16) <= hi));`;
  const r = spawnSync(process.execPath, [...LARGE_PAGES, '-e', script], { encoding: 'utf8' });
  return r.stdout.trim() === 'true';
}

describe.skipIf(skip)('a worker whose code was copied out of its program file', () => {
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    await wipe(PIN_DIR);
  });

  afterAll(async () => {
    await daemon?.kill();
    await wipe(PIN_DIR);
  });

  test('node --use-largepages=on moves its code on this machine (what the next tests need)', () => {
    expect(largePagesMoveCode(), 'node --use-largepages=on left its code in the file: transparent huge pages disabled? (/sys/kernel/mm/transparent_hugepage/enabled)').toBe(true);
  });

  test('is refused with the fixes named; a worker running node as is registers', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello).toMatchObject({ registered: false, error: 'VivariumError' });
      expect(moved.hello.message).toMatch(/runs .*node with its code copied out of the file \(node --use-largepages\), where uprobes on SSL_write.* cannot see its calls/);
      expect(moved.hello.message).toMatch(/run node without --use-largepages \(check NODE_OPTIONS\), or vivariumd with --uprobes env,load$/);
      // Refused whole: no slot is left held for it.
      expect(status(PIN_DIR).slots.filter((s) => s.owner)).toEqual([]);
    } finally {
      await moved.worker.kill();
    }
    const plain = await WorkerProcess.start(PIN_DIR);
    try {
      expect(plain.hello, JSON.stringify(plain.hello)).toMatchObject({ registered: true });
    } finally {
      await plain.worker.kill();
    }
  });

  test('a refused registration does not keep the uprobes of an idle daemon attached', async () => {
    await daemon?.kill();
    daemon = await startDaemon(PIN_DIR, ['--rings', '2', '--ring-size', String(1 << 20), '--uprobes-idle', '1']);
    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello).toMatchObject({ registered: false });
    } finally {
      await moved.worker.kill();
    }
    // Attached again for it, then detached once its connection is gone.
    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
  });

  test('with no uprobe in node (--uprobes env,load) it registers', async () => {
    await daemon?.kill();
    daemon = await startDaemon(PIN_DIR, [...ARGS, '--uprobes', 'env,load']);
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello, moved.hello.message).toMatchObject({ registered: true });
    } finally {
      await moved.worker.kill();
    }
  });
});
