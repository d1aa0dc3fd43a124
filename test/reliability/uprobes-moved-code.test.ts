// A program that runs its code from a copy (node --use-largepages copies its
// text into anonymous huge pages at start): a uprobe on a function of the
// file cannot see calls made in that copy, and a breakpoint the uprobe had
// already written into the file's page is copied with the code, so the
// process dies with SIGTRAP when it reaches it (its first TLS write, with the
// uprobes on node's SSL_write). Uprobes are attached on demand: while none
// is in node such a worker registers, and asking for http tells it why it
// cannot be seen (env and load, in the C library, are seen); once they are, vivariumd refuses to register it with a
// message naming the fixes. With --uprobes env,load (no uprobe in node) it registers.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, eventually, pinDirFor, startDaemon, status, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('moved-code');
const ARGS = ['--rings', '2', '--ring-size', String(1 << 20), '--uprobes-idle', 'off'];
const LARGE_PAGES = ['--use-largepages=on'];
const skip = skipKernelTests();
const tlsSymbols = () => status(PIN_DIR).uprobes!.files.flatMap((f) => f.symbols).filter((s) => s.startsWith('SSL_'));

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

  test('registers while no breakpoint is in node; asking for http then says why it cannot be seen, attaching nothing in node', async () => {
    daemon = await startDaemon(PIN_DIR, ARGS);
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello, moved.hello.message).toMatchObject({ registered: true });
      const { unavailable } = await moved.worker.send<{ unavailable: Record<string, string> }>({ cmd: 'attach', kinds: ['env', 'load', 'http'] });
      expect(Object.keys(unavailable)).toEqual(['http']);
      expect(unavailable.http).toMatch(/runs .*node with its code copied out of the file \(node --use-largepages\), where uprobes on SSL_write.* cannot see its calls: run node without --use-largepages \(check NODE_OPTIONS\)$/);
      expect(tlsSymbols()).toEqual([]);
    } finally {
      await moved.worker.kill();
    }
  });

  test('is refused with the fixes named once a worker had them attached in node', async () => {
    const plain = await WorkerProcess.start(PIN_DIR);
    try {
      expect(plain.hello, JSON.stringify(plain.hello)).toMatchObject({ registered: true });
      expect(await plain.worker.send({ cmd: 'attach', kinds: ['env', 'load', 'http'] })).toEqual({ unavailable: {} });
      expect(tlsSymbols()).toContain('SSL_write');
    } finally {
      await plain.worker.kill();
    }
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello).toMatchObject({ registered: false, error: 'VivariumError' });
      expect(moved.hello.message).toMatch(/runs .*node with its code copied out of the file \(node --use-largepages\), where uprobes on SSL_write.* cannot see its calls and their copied breakpoints kill it/);
      expect(moved.hello.message).toMatch(/run node without --use-largepages \(check NODE_OPTIONS\), or vivariumd with --uprobes env,load$/);
      // Refused whole: no slot is left held for it.
      expect(status(PIN_DIR).slots.filter((s) => s.owner)).toEqual([]);
    } finally {
      await moved.worker.kill();
    }
  });

  test('a refused registration lets an idle daemon detach again', async () => {
    await daemon?.kill();
    daemon = await startDaemon(PIN_DIR, ['--rings', '2', '--ring-size', String(1 << 20), '--uprobes-idle', '1']);
    // http attached in node by a worker's ask, kept by the moved worker's refused registration, then idle.
    const plain = await WorkerProcess.start(PIN_DIR);
    await plain.worker.send({ cmd: 'attach', kinds: ['http'] });
    const moved = await WorkerProcess.start(PIN_DIR, { nodeFlags: LARGE_PAGES });
    try {
      expect(moved.hello).toMatchObject({ registered: false });
    } finally {
      await moved.worker.kill();
      await plain.worker.kill();
    }
    await eventually(() => status(PIN_DIR).uprobes?.idle, 15_000);
    expect(tlsSymbols()).toEqual([]);
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
