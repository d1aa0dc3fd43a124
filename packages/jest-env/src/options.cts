// `testEnvironmentOptions: { vivarium: { ... } }`, checked once per test file
// so a typo fails the suite with a message instead of being ignored.
export interface VivariumJestOptions {
  /** Where vivariumd pinned its maps (default: $VIVARIUM_BPF_PIN_DIR, else /sys/fs/bpf/vivarium). */
  pinDir?: string;
  /** A sandbox policy for the run: an object, or the path of a policy file. Default: vivarium.policy.json in rootDir. */
  policy?: unknown;
  /** Attribute every event to the JS call site and npm package that caused it (default: $VIVARIUM_PROVENANCE=1). */
  provenance?: boolean;
}

const KEYS: ReadonlyArray<keyof VivariumJestOptions> = ['pinDir', 'policy', 'provenance'];

/** A Jest configuration Vivarium cannot work with; fails the test file before it runs. */
export class VivariumConfigError extends Error {
  override name = 'VivariumConfigError';
}

export function readOptions(testEnvironmentOptions: Record<string, unknown> | undefined): VivariumJestOptions {
  const raw = testEnvironmentOptions?.vivarium;
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new VivariumConfigError(`vivarium: testEnvironmentOptions.vivarium must be an object (${KEYS.join(', ')}), got ${describe(raw)}`);
  const options = raw as Record<string, unknown>;
  const unknown = Object.keys(options).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length)
    throw new VivariumConfigError(`vivarium: unknown testEnvironmentOptions.vivarium key(s) ${unknown.join(', ')} (known: ${KEYS.join(', ')})`);
  if (options.pinDir !== undefined && (typeof options.pinDir !== 'string' || options.pinDir === ''))
    throw new VivariumConfigError(`vivarium: testEnvironmentOptions.vivarium.pinDir must be a directory path, got ${describe(options.pinDir)}`);
  if (options.provenance !== undefined && typeof options.provenance !== 'boolean')
    throw new VivariumConfigError(`vivarium: testEnvironmentOptions.vivarium.provenance must be true or false, got ${describe(options.provenance)}`);
  return options as VivariumJestOptions;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}
