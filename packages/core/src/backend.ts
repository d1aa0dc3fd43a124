// The two kernel backends (bpf/syscalls.bpf.c, bpf/lsm.bpf.c).
import { BackendCode } from './abi.generated.js';

export type BackendName = 'syscalls' | 'lsm';

const NAMES = new Map<number, BackendName>([
  [BackendCode.SYSCALLS, 'syscalls'],
  [BackendCode.LSM, 'lsm'],
]);

export function backendName(code: number): BackendName | undefined {
  return NAMES.get(code);
}

export function backendCode(name: BackendName): number {
  return name === 'lsm' ? BackendCode.LSM : BackendCode.SYSCALLS;
}
