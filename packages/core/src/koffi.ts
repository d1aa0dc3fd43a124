// koffi, loaded from its prebuilt binary. Its own loader is three ES modules
// and a CommonJS package that reads node's ELF headers to tell glibc from
// musl: import('koffi') took 21-22 ms in a fresh process here, the binary
// alone 2-3 ms, and every Vitest test file is a fresh process (the loader
// cost the generated suite 0.02-0.06 of its plain time, BENCHMARKS.md).
// The binary is required from the path koffi's loader requires it from, so
// both share one instance (Node caches it by path) should anything else load
// koffi the usual way.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Koffi from 'koffi';

const require = createRequire(import.meta.url);

function prebuilt(): typeof Koffi | undefined {
  // glibc builds only (linux_<arch>); elsewhere koffi's loader decides.
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return undefined;
  try {
    const main = require.resolve('koffi');
    const { version } = JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8')) as { version: string };
    const platformPackage = createRequire(main).resolve(`@koromix/koffi-linux-${process.arch}/package.json`);
    const native = require(join(dirname(platformPackage), `linux_${process.arch}`, 'koffi.node')) as typeof Koffi;
    return native.version === version ? native : undefined;
  } catch {
    return undefined; // a musl system, a build from source, another layout: koffi's loader finds it
  }
}

export const koffi: typeof Koffi = prebuilt() ?? (require('koffi') as typeof Koffi);
