// What changes from run to run and machine to machine, and how `vivarium
// learn` and footprints (footprint/normalise.ts) write it so it does not:
// directories as tokens, a loopback server's port as *, and the default noise
// list left out.
import { relative } from 'node:path';
import { rulesOfLine, type ReportEvent } from '../event-lines.js';
import type { Endpoint } from '../sockaddr.js';
import { PolicyChecker } from './evaluate.js';
import type { TokenValues } from './tokens.js';
import type { RecordScope } from '../event-lines.js';

/** The path relative to dir ('' for dir itself), or undefined when dir does not hold it. '/' holds nothing. */
export function under(path: string, dir: string): string | undefined {
  if (!dir || dir === '/') return undefined;
  if (path === dir) return '';
  return path.startsWith(`${dir}/`) ? relative(dir, path) : undefined;
}

/** Whether a host name or address is this machine's loopback ('localhost', 127/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}

/** A loopback endpoint with any port ('127.0.0.1:*', '[::1]:*'): servers a
 * test starts listen on port 0. An IPv4-mapped address as IPv4, which matches it. */
export function anyPortOf(endpoint: Endpoint): string {
  if (endpoint.family === 'inet6' && endpoint.address.startsWith('::ffff:')) return `${endpoint.address.slice(7)}:*`;
  return endpoint.family === 'inet' ? `${endpoint.address}:*` : `[${endpoint.address}]:*`;
}

/** The rules noise lists allow for. */
const NOISE_RULES: ReadonlySet<string> = new Set(['read', 'write', 'env', 'load']);

/** Whether a line is all noise: under those rules only, every subject on the
 * default noise list (what Node and the runners do on their own). */
export function noiseFilter(tokens: TokenValues, scope?: RecordScope): (line: ReportEvent) => boolean {
  // Outside tests, also what module loading (a file) or a runner does on its own.
  const checker = new PolicyChecker({ allow: { read: [], write: [], env: [], load: [] } }, 'noise', tokens);
  const noise = scope === 'run' ? checker.forRun() : scope === 'file' ? checker.forFileOutsideTests('') : checker.forFile('');
  return (line) => {
    const rules = line.blind ? [] : rulesOfLine(line);
    return rules.length > 0 && rules.every((r) => NOISE_RULES.has(r)) && noise.check([line]).length === 0;
  };
}
