// koffi, loaded from its prebuilt binary. Its own loader is three ES modules
// and a CommonJS package that reads node's ELF headers to tell glibc from
// musl: import('koffi') took 21-22 ms in a fresh process here, the binary
// alone 2-3 ms, and every Vitest test file is a fresh process (the loader
// cost the generated suite 0.02-0.06 of its plain time, BENCHMARKS.md).
// The binary is required from the path koffi's loader requires it from, so
// both share one instance (Node caches it by its real path) should anything
// else load koffi the usual way.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Koffi from 'koffi';

const require = createRequire(import.meta.url);

function prebuilt(): typeof Koffi | undefined {
  // glibc builds only (linux_<arch>); elsewhere koffi's loader decides.
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return undefined;
  try {
    const koffiDir = packageDir('koffi', require.resolve.paths('koffi') ?? []);
    if (!koffiDir) return undefined;
    const { version } = JSON.parse(readFileSync(join(koffiDir, 'package.json'), 'utf8')) as { version: string };
    const platform = `@koromix/koffi-linux-${process.arch}`;
    const platformDir = packageDir(platform, createRequire(join(koffiDir, 'package.json')).resolve.paths(platform) ?? []);
    if (!platformDir) return undefined;
    const native = require(join(platformDir, `linux_${process.arch}`, 'koffi.node')) as typeof Koffi;
    return native.version === version ? native : undefined;
  } catch {
    return undefined; // a musl system, a build from source, another layout: koffi's loader finds it
  }
}

/** Where `name` is installed: the first of `lookup` (Node's own lookup paths,
 * require.resolve.paths) holding it, as its real path (pnpm links packages into
 * a store, where a package's own dependencies sit beside it). Only the package's directory:
 * require.resolve also resolved koffi's `exports`, which cost a fresh process
 * ~0.5 ms and told nothing wanted here. */
function packageDir(name: string, lookup: readonly string[]): string | undefined {
  for (const modules of lookup) {
    const dir = join(modules, name);
    if (statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile()) return realpathSync.native(dir);
  }
  return undefined;
}

export const koffi: typeof Koffi = prebuilt() ?? (require('koffi') as typeof Koffi);
