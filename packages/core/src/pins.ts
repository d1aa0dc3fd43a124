// Where the daemon pins its maps and what each pin is called.
export const DEFAULT_PIN_DIR = '/sys/fs/bpf/vivarium';

export const PIN = {
  configTargets: 'config_targets',
  rings: 'rings',
  ringOwner: 'ring_owner',
  stats: 'stats',
  meta: 'meta',
  /** Each slot's ring is also pinned on its own, so workers need no map-id lookups. */
  ring: (slot: number) => `ring_${slot}`,
  /** Attached programs, pinned so they outlive the daemon process. */
  linkDir: 'links',
} as const;

/** `--pin-dir`, then `VIVARIUM_BPF_PIN_DIR`, then the default. */
export function resolvePinDir(explicit?: string): string {
  return explicit ?? process.env.VIVARIUM_BPF_PIN_DIR ?? DEFAULT_PIN_DIR;
}
