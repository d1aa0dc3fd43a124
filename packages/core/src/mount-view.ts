// Where a file is, as this worker sees it. The kernel reports a path within
// its filesystem when the acting task's view differs from the worker's (a
// bind mount of a directory, another mount namespace, a changed root): the
// worker places it through its own mountinfo. Of the mounts of that
// filesystem that hold the path, the one showing the most of it (the
// shortest root) wins: /etc/hostname read through a bind of /etc under the
// project is /etc/hostname. A filesystem the worker does not see at all
// cannot be placed: the event then fails closed (unresolved).
import { closeSync, openSync, readSync } from 'node:fs';
import type { FsView, VivariumEvent } from './events.js';

interface Mount {
  /** Kernel dev_t (major << 20 | minor), as the kernel reports s_dev. */
  dev: number;
  /** The directory of the filesystem the mount shows. */
  root: string;
  mountPoint: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    const [major, minor] = fields[2]!.split(':').map(Number);
    mounts.push({ dev: major! * 2 ** 20 + minor!, root: unescape(fields[3]!), mountPoint: unescape(fields[4]!) });
  }
  return mounts;
}

const within = (path: string, dir: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);

/** Reads /proc/self/mountinfo through an fd opened now: rereading it later
 * (pread from 0 regenerates it) opens nothing, so placing a test's events is
 * not itself an event of that test. */
export function mountinfoReader(): { read: () => string; close: () => void } {
  const fd = openSync('/proc/self/mountinfo', 'r');
  const read = () => {
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const chunk = Buffer.allocUnsafe(65536);
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      position += n;
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  return { read, close: () => closeSync(fd) };
}

export class MountView {
  private mounts: Mount[] | undefined;

  constructor(private readonly read: () => string) {}

  /** The path in this process's view of `fsPath` on filesystem `dev`, or undefined. */
  place(dev: number, fsPath: string): string | undefined {
    this.mounts ??= parseMountinfo(this.read());
    let placed = this.lookup(dev, fsPath);
    if (placed === undefined) {
      // A mount made since the table was read.
      this.mounts = parseMountinfo(this.read());
      placed = this.lookup(dev, fsPath);
    }
    return placed;
  }

  /** Rewrites the event's paths that are within their filesystem; unplaceable ones fail closed. */
  placeEvent(event: VivariumEvent & { fsView?: FsView | undefined }): void {
    const view = event.fsView;
    if (!view) return;
    event.fsView = undefined;
    const e = event as { path?: string; requestedPath?: string; requested?: string; to?: string; unresolved?: boolean };
    const place = (fsPath: string) => {
      const placed = this.place(view.dev, fsPath);
      if (placed === undefined) e.unresolved = true;
      return placed ?? `(filesystem ${view.dev >>> 20}:${view.dev & 0xfffff})${fsPath}`;
    };
    const within = e.path;
    if (view.path && within !== undefined) e.path = place(within);
    if (view.to && e.to !== undefined) e.to = place(e.to);
    if (e.requestedPath !== undefined) {
      // Told by where it led (decode.ts: a walked argument, a symlink's new link): the PATH itself;
      // a relative path argument: its directory's path (BASE) and the argument.
      if (view.path && e.requestedPath === within) e.requestedPath = e.path;
      else if (view.base && !e.requested?.startsWith('/')) e.requestedPath = place(e.requestedPath);
    }
  }

  private lookup(dev: number, fsPath: string): string | undefined {
    let best: Mount | undefined;
    for (const m of this.mounts!) if (m.dev === dev && within(fsPath, m.root) && (!best || m.root.length < best.root.length)) best = m;
    if (!best) return undefined;
    const rest = best.root === '/' ? fsPath : fsPath.slice(best.root.length);
    if (best.mountPoint === '/') return rest || '/';
    return `${best.mountPoint}${rest === '/' ? '' : rest}`;
  }
}
