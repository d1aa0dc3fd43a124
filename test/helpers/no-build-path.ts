// A PATH on which no build tool can be found — no clang, llc, llvm-*,
// bpftool, gcc, cc, ld, make — and everything else can: one directory of
// symlinks to the programs of the usual bin directories. What a machine
// that only installed Vivarium's packages (and libbpf1) looks like.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_TOOLS = /clang|llc|llvm|bpftool|gcc|g\+\+|^c\+\+|^cc$|^c89|^c99|^cpp|make|^ld(\.|$)|^as$/;
const BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Makes `dir` and returns it: a PATH of one directory, build tools left out. */
export function pathWithoutBuildTools(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  for (const bin of BIN_DIRS) {
    if (!existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      if (seen.has(name) || BUILD_TOOLS.test(name)) continue;
      seen.add(name);
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  return dir;
}

/** Which of `tools` a shell finds on `path` (none, for a PATH without build tools). */
export function found(path: string, tools: string[]): string[] {
  return tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: path }, stdio: 'ignore' }).status === 0);
}
