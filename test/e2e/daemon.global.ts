// globalSetup of the e2e project: one real daemon for the whole run, and
// the evasion scenarios' helper program.
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { buildEvade } from '../helpers/evade.js';
import { skipKernelTests } from '../helpers/kernel.js';

export const E2E_PIN_DIR = process.env.VIVARIUM_E2E_PIN_DIR ?? '/sys/fs/bpf/vivarium-e2e';
let daemon: Daemon | undefined;

export async function setup(): Promise<void> {
  if (skipKernelTests()) return;
  process.env.VIVARIUM_EVADE = buildEvade();
  daemon = await startDaemon(E2E_PIN_DIR, ['--rings', '16', '--ring-size', String(1 << 22)]);
  process.env.VIVARIUM_BPF_PIN_DIR = E2E_PIN_DIR;
  process.env.VIVARIUM_E2E_BACKEND = daemon.backend;
}

export async function teardown(): Promise<void> {
  await daemon?.stop();
}
