// A test file's process.env under @vivarium/jest: reads reach the process's
// own environment (where getenv is seen), writes stay in the file's realm.
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import type * as RealmEnvModule from '../src/realm-env.cjs';

const require = createRequire(import.meta.url);
const { readThroughEnv } = require('../dist/realm-env.cjs') as typeof RealmEnvModule;

test('reads go to the real environment, every time, even of a name the realm wrote', () => {
  const asked: string[] = [];
  const real = new Proxy({ HOME: '/root', PATH: '/bin' } as NodeJS.ProcessEnv, {
    get: (target, key) => (asked.push(String(key)), target[key as string]),
  });
  const env = readThroughEnv(real);
  expect(env.HOME).toBe('/root');
  env.HOME = '/elsewhere';
  expect(env.HOME).toBe('/elsewhere');
  expect(asked).toEqual(['HOME', 'HOME']);
});

test('writes and deletes stay in the realm; keys, in and spreading agree', () => {
  const real: NodeJS.ProcessEnv = { HOME: '/root', PATH: '/bin' };
  const env = readThroughEnv(real);
  env.TOKEN = 'x';
  delete env.PATH;
  expect(real).toEqual({ HOME: '/root', PATH: '/bin' });
  expect(Object.keys(env).sort()).toEqual(['HOME', 'TOKEN']);
  expect('PATH' in env).toBe(false);
  expect('TOKEN' in env).toBe(true);
  expect({ ...env }).toEqual({ HOME: '/root', TOKEN: 'x' });
  env.PATH = '/usr/bin';
  expect(env.PATH).toBe('/usr/bin');
});
