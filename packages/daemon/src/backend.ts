// Which programs belong to which backend, told by their ELF section.
import type { BackendName } from '@vivarium/core';

export type BackendChoice = BackendName | 'auto';

/** The backend a program belongs to, or 'shared' for the process hooks. */
export function programBackend(section: string): BackendName | 'shared' {
  if (section.startsWith('lsm/') || section.startsWith('lsm.s/') || section.startsWith('raw_tp/sys_')) return 'lsm';
  if (section.startsWith('tp_btf/sys_')) return 'syscalls';
  return 'shared';
}
