// Jest gives each test file a copy of the environment (jest-util's
// createProcessEnv): reads of the copy never reach the C library's getenv,
// where vivariumd sees env events. The realm's process.env reads through to
// the process's own instead, so `process.env.X` in a test is one getenv, as
// in Node and under Vitest. Writes stay in the file's realm, as Jest keeps
// them (no other test file sees them): they change nothing the C library
// holds, so they are no env events.

/** A process.env for a test realm reading through to `real`. */
export function readThroughEnv(real: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  /** The realm's own writes: a value, or undefined for a deleted name. */
  const local = new Map<string, string | undefined>();
  // Always asked of the real one: a read of a name the realm wrote is a read too.
  const get = (key: string): string | undefined => {
    const value = real[key];
    return local.has(key) ? local.get(key) : value;
  };
  return new Proxy({} as NodeJS.ProcessEnv, {
    get: (_, key) => (typeof key === 'string' ? get(key) : undefined),
    set: (_, key, value) => {
      local.set(String(key), String(value));
      return true;
    },
    deleteProperty: (_, key) => {
      local.set(String(key), undefined);
      return true;
    },
    has: (_, key) => typeof key === 'string' && get(key) !== undefined,
    ownKeys: () => {
      const keys = new Set(Object.keys(real));
      for (const [key, value] of local) if (value === undefined) keys.delete(key);
      else keys.add(key);
      return [...keys];
    },
    getOwnPropertyDescriptor: (_, key) => {
      if (typeof key !== 'string') return undefined;
      const value = get(key);
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}
