// BPF LSM programs can load and attach on a kernel that has the BPF LSM
// compiled in but not switched on (`lsm=` without `bpf`), and then never
// run. So besides the load probe, `bpf` must be among the active LSMs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LSM_LIST = '/sys/kernel/security/lsm';

function activeLsms(): string[] | undefined {
  try {
    return readFileSync(LSM_LIST, 'utf8').trim().split(',');
  } catch {
    try {
      execFileSync('mount', ['-t', 'securityfs', 'securityfs', '/sys/kernel/security'], { stdio: 'pipe' });
      return readFileSync(LSM_LIST, 'utf8').trim().split(',');
    } catch {
      return undefined; // cannot tell: the load probe decides
    }
  }
}

/** Why the lsm backend cannot observe anything here, or undefined if it may. */
export function inactiveLsmReason(): string | undefined {
  const lsms = activeLsms();
  return lsms && !lsms.includes('bpf') ? `bpf is not an active LSM (${lsms.join(',')}; boot with lsm=...,bpf)` : undefined;
}
