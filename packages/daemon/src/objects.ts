// The BPF object of each backend: bpf/<backend>.bpf.o, shipped with this
// package, or from --object (a directory of such objects, or one object for
// the backend --backend names).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackendName, VivariumError } from '@vivarium/core';

export type BackendChoice = BackendName | 'auto';

const SHIPPED_OBJECTS = fileURLToPath(new URL('../bpf/', import.meta.url));

/** Where the object of `backend` is, or a one-line error naming the fix. */
export function objectFor(backend: BackendName, option: string | undefined): string {
  const base = option ?? SHIPPED_OBJECTS;
  const path = existsSync(base) && statSync(base).isDirectory() ? join(base, `${backend}.bpf.o`) : base;
  if (!existsSync(path))
    throw new VivariumError(`vivariumd: BPF object ${path} not found (${option ? 'check --object' : 'npm run build:bpf'})`);
  return path;
}

/** --object naming one file needs the backend it implements to be named too. */
export function checkObjectOption(option: string | undefined, backend: BackendChoice): void {
  if (option && backend === 'auto' && existsSync(option) && !statSync(option).isDirectory())
    throw new VivariumError(`vivariumd: --object ${option} is one backend's object: name it with --backend syscalls or --backend lsm (or give a directory of <backend>.bpf.o files)`);
}
