// The path walk's direct loads (bpf/lib/direct.bpf.h): where the kernel has
// bpf_rdonly_cast vivariumd walks paths by direct loads and says so; where the
// verifier refuses them it loads the same object walking by helper reads, and
// says why. Both walks must report the same paths: the same operations run
// under each (names on both sides of every 8-byte step of the direct copy,
// symlinks, other mounts, fds, a failed open, renames), and their events are
// compared, and checked against the paths expected.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { type Daemon, pinDirFor, startDaemon, wipe } from './lib/daemon.js';
import { FIXTURES } from './lib/worker.js';

const PIN_DIR = pinDirFor('direct');
const ARGS = ['--rings', '2', '--ring-size', String(1 << 22), '--no-uprobes', '--backend', 'syscalls'];
const REFUSED_OBJECT = join(REPO, 'bpf/build/refused-direct.bpf.o');
const skip = skipKernelTests();
/** The kernel's BTF names the kfunc (its string table holds every function's name). */
const kernelHasKfunc = () => readFileSync('/sys/kernel/btf/vmlinux').includes('\0bpf_rdonly_cast\0');

type Seen = Array<[kind: string, path: string, requestedPath: string, to: string | null, errno: string | null]>;

function walkPaths(dir: string): { seen: Seen; dropped: number } {
  const out = execFileSync(process.execPath, [join(FIXTURES, 'walk-paths.mjs'), PIN_DIR, dir], { encoding: 'utf8' });
  return JSON.parse(out) as { seen: Seen; dropped: number };
}

describe.skipIf(skip)('path walk by direct loads', () => {
  let daemon: Daemon | undefined;
  const dirs: string[] = [];
  const results: Record<'direct' | 'helper', Seen | undefined> = { direct: undefined, helper: undefined };

  beforeAll(async () => {
    await wipe(PIN_DIR);
    execFileSync('make', ['-s', '-C', join(REPO, 'bpf'), 'build/refused-direct.bpf.o'], { stdio: 'inherit' });
  });

  afterAll(async () => {
    await daemon?.stop();
    await wipe(PIN_DIR);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the daemon with `args`, runs the fixture in a fresh directory
   * (it writes it <dir>), stops the daemon: its log and the events seen. */
  async function walkUnder(args: string[]): Promise<{ log: string; seen: Seen }> {
    daemon = await startDaemon(PIN_DIR, args);
    const dir = mkdtempSync(join(tmpdir(), 'vivarium-direct-'));
    dirs.push(dir);
    const { seen, dropped } = walkPaths(dir);
    expect(dropped).toBe(0);
    const log = daemon.output();
    await daemon.stop();
    daemon = undefined;
    return { log, seen };
  }

  test('vivariumd says how it walks paths: by direct loads where the kernel has bpf_rdonly_cast', async () => {
    const { log, seen } = await walkUnder(ARGS);
    expect(log).toContain(kernelHasKfunc() ? 'paths: walked by direct loads (bpf_rdonly_cast)' : 'paths: walked by helper reads (this kernel has no bpf_rdonly_cast, 6.2+)');
    results.direct = seen;
  });

  test('where the verifier refuses a direct load, vivariumd walks by helper reads and says why', async () => {
    const { log, seen } = await walkUnder([...ARGS, '--object', REFUSED_OBJECT]);
    if (kernelHasKfunc()) expect(log).toMatch(/paths: walked by helper reads \(the kernel refused the direct loads: access beyond struct dentry at off \d+ size 8\)/);
    results.helper = seen;
  });

  test('both walks report the same paths, and the paths expected', () => {
    expect(results.direct).toBeDefined();
    expect(results.helper).toStrictEqual(results.direct);
    const seen = results.direct!;
    const name = (n: number) => `<dir>/a/b/c/${'n'.repeat(n - 1)}${n % 10}`;
    const opened = seen.filter(([kind]) => kind === 'file_open').map(([, path]) => path);
    for (const n of [1, 7, 8, 9, 16, 17, 56, 57, 63, 64, 65, 200, 255]) expect(opened).toContain(name(n));
    expect(seen).toContainEqual(['file_open', name(7), '<dir>/link/b/c/nnnnnn7', null, null]);
    expect(seen).toContainEqual(['file_open', '<dir>/missing/file', '<dir>/missing/file', null, 'ENOENT']);
    expect(opened).toContain('/dev/null');
    expect(seen).toContainEqual(['file_open', '/proc/<pid>/status', '/proc/self/status', null, null]);
    expect(seen).toContainEqual(['chmod', name(1), name(1), null, null]);
    expect(seen).toContainEqual(['chmod', '<dir>/a/b', '<dir>/link/b', null, null]);
    expect(seen).toContainEqual(['mkdir', '<dir>/a/b/c/made', '<dir>/a/b/c/made', null, null]);
    expect(seen).toContainEqual(['rename', '<dir>/a/b/c/made', '<dir>/a/b/c/made', '<dir>/moved', null]);
    expect(seen).toContainEqual(['rmdir', '<dir>/moved', '<dir>/moved', null, null]);
    expect(seen).toContainEqual(['unlink', name(8), name(8), null, null]);
  });
});
