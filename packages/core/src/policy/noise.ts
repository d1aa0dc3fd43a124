// What Node and the test runners open on their own while a test runs:
// allowed by default under any policy (`"noise": false` turns it off).
// Documented in the README; keep it to things every project sees.
import { dirname } from 'node:path';
import type { PolicyAllow } from './policy.js';

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
    ],
    // Jest's transform cache, written when a test requires a module lazily.
    write: ['<tmp>/jest_*/**', '/dev/null', '/dev/tty', '/dev/pts/**'],
  };
}
