// The one gate for tests that need the real kernel: outside CI they skip
// with the reason; in CI (CI=true) a missing prerequisite is a failure.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BPF_OBJECT = `${REPO}packages/daemon/bpf/syscalls.bpf.o`;

export function kernelUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root (kernel tests load BPF programs)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'no BTF at /sys/kernel/btf/vmlinux';
  if (!existsSync(BPF_OBJECT)) return `${BPF_OBJECT} missing (npm run build)`;
  return null;
}

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Throws in CI, returns true (skip) elsewhere, when the kernel cannot be used. */
export function skipKernelTests(): boolean {
  const reason = kernelUnavailableReason();
  if (!reason) return false;
  if (inCI) throw new Error(`kernel tests cannot run in CI: ${reason}`);
  console.warn(`skipping kernel tests: ${reason}`);
  return true;
}
