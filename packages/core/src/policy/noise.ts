// What Node and the test runners open on their own while a test runs:
// allowed by default under any policy (`"noise": false` turns it off).
// Documented in the README; keep it to things every project sees.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { SOCKET_DIR, resolveSocket } from '../socket-path.js';
import type { PolicyAllow } from './policy.js';

/** Vitest keeps the modules it transformed in a directory of the system's
 * temp dir named by a 21-character nanoid. */
const VITEST_MODULE_CACHE = '?'.repeat(21);

/** Where the Vivarium packages are installed (node_modules/@vivarium, or a
 * workspace's packages/): their files are read when an error of theirs is
 * shown (source maps). Found through the package's own name, which holds
 * wherever this module is (dist/, or bundle/). Found when a policy first
 * needs it, not by every process that imports core (3.3 ms in a profile of
 * a fresh import, much of it the resolver's first run, which koffi's
 * resolution then pays instead). */
let vivariumPackages: string | undefined;
const vivariumPackagesDir = () => (vivariumPackages ??= dirname(dirname(createRequire(import.meta.url).resolve('@vivarium/core/package.json'))));

export function defaultNoise(): PolicyAllow {
  const nodePrefix = dirname(dirname(process.execPath)); // /usr/local for /usr/local/bin/node
  return {
    read: [
      '/proc/**',
      '/sys/**',
      '/dev/null',
      '/dev/urandom',
      '/dev/random',
      '/dev/tty',
      '/dev/pts/**',
      '/etc/ld.so.cache',
      '/etc/localtime',
      '/etc/nsswitch.conf',
      '/etc/host.conf',
      '/etc/resolv.conf',
      '/etc/hosts',
      '/etc/gai.conf',
      '/lib/**',
      '/lib64/**',
      '/usr/lib/**',
      '/usr/lib64/**',
      '/usr/share/zoneinfo/**',
      '/usr/share/locale/**',
      '/usr/share/ca-certificates/**',
      '/etc/ssl/**',
      `${nodePrefix}/lib/node_modules/**`,
      '<rootDir>/node_modules/**',
      '<rootDir>/**/package.json',
      '<tmp>/jest_*/**',
      `<tmp>/${VITEST_MODULE_CACHE}/**`,
      `${vivariumPackagesDir()}/**`,
    ],
    // Jest's transform cache, written when a test requires a module lazily.
    write: ['<tmp>/jest_*/**', '/dev/null', '/dev/tty', '/dev/pts/**'],
    // Read by the C library on its own: its resolver (every lookup by name,
    // Node's net.connect('localhost') included), its locale and time zone; by
    // Node's net module as it loads cluster support.
    env: ['LOCALDOMAIN', 'RES_OPTIONS', 'RESOLV_*', 'HOSTALIASES', 'TZ', 'LANG', 'LANGUAGE', 'LC_*', 'LOCPATH', 'NODE_CLUSTER_SCHED_POLICY', 'NODE_UNIQUE_ID'],
  };
}

/** What a test file does outside its tests on its own: loads its modules,
 * wherever the package manager put them (a monorepo hoists them above the
 * project), looking for package.json files up the tree. Allowed for a
 * file's record outside its tests and the runner's. */
export function moduleNoise(): PolicyAllow {
  // Environment variables: every name. Jest copies the whole environment
  // into each test file's realm as it sets the file up, and a runner hands
  // its whole environment to each worker it starts (measured: Jest 30 and
  // Vitest 4 read no variable inside a trivial test, so tests get no env noise).
  return { read: ['/**/node_modules/**', '/package.json', '/**/package.json'], env: ['*'] };
}

/** What a test runner's own process does on its own, besides loading
 * modules: starts its workers with Node (which read their own binary and
 * register with vivariumd), stops them, counts the CPUs (tinypool, Vitest 3's
 * pool: `cat /proc/cpuinfo | grep … | sort | uniq | wc -l` in a shell), keeps
 * Vite's and Vitest's caches (node_modules/.vite, the modules it
 * transformed). Allowed for the runner's own record only. */
export function runnerNoise(): PolicyAllow {
  return {
    // It lists the project to find test files.
    read: [...moduleNoise().read!, process.execPath, '<rootDir>', '<rootDir>/**'],
    env: moduleNoise().env!,
    // Vivarium's own reporter loads koffi, and koffi the C library.
    load: ['/**/node_modules/@koromix/**/*.node', '/**/node_modules/koffi/**/*.node', 'libc.so.6'],
    write: ['/**/node_modules/.vite', '/**/node_modules/.vite/**', `<tmp>/${VITEST_MODULE_CACHE}`, `<tmp>/${VITEST_MODULE_CACHE}/**`],
    exec: [process.execPath, '/**/bin/node', '/{usr/,}bin/{sh,dash,bash,cat,grep,sort,uniq,wc}'],
    connect: [`unix:${SOCKET_DIR}/*.sock`, `unix:${resolveSocket()}`],
    privileged: ['kill'],
  };
}
