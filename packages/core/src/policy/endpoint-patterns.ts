// Endpoint patterns for connect matchers:
//   '127.0.0.1:5432'  '[::1]:*'  '10.0.0.0/8:443'  '[fd00::/8]:*'  '*:443'
//   'localhost:*'      (loopback of either family: 127.0.0.0/8 and ::1)
//   'unix:/run/x.sock' 'unix:/run/*.sock' (globs)  'unix:@abstract-name'
import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import type { Endpoint } from '../sockaddr.js';
import { type SubjectPatterns, patternList } from './path-patterns.js';
import { type TokenValues, expandTokens } from './tokens.js';

type EndpointTest = (endpoint: Endpoint) => boolean;

// node:net loaded when an endpoint pattern is first compiled, not with every
// worker's @vivarium/core (with node:crypto, 2.7 ms of a Vitest test file's import).
let net: typeof import('node:net') | undefined;
const loadNet = () => (net ??= createRequire(import.meta.url)('node:net') as typeof import('node:net'));
const isIP = (input: string) => loadNet().isIP(input);

function bad(pattern: string, why: string): TypeError {
  return new TypeError(
    `vivarium: endpoint pattern '${pattern}' ${why} (use host:port such as '127.0.0.1:5432', '[::1]:*', 'localhost:*', '10.0.0.0/8:443', or 'unix:/path')`,
  );
}

/** The IPv4 inside an IPv4-mapped IPv6 address, so v4 rules apply to it. */
function unmapped(endpoint: Endpoint): { address: string; type: 'ipv4' | 'ipv6' } {
  if (endpoint.family === 'inet6' && endpoint.address.startsWith('::ffff:') && isIP(endpoint.address.slice(7)) === 4)
    return { address: endpoint.address.slice(7), type: 'ipv4' };
  return { address: endpoint.address, type: endpoint.family === 'inet' ? 'ipv4' : 'ipv6' };
}

function hostTest(pattern: string, host: string): EndpointTest {
  if (host === '*') return (e) => e.family === 'inet' || e.family === 'inet6';
  const list = new (loadNet().BlockList)();
  if (host === 'localhost') {
    list.addSubnet('127.0.0.0', 8, 'ipv4');
    list.addAddress('::1', 'ipv6');
  } else {
    const [address, prefix, extra] = host.split('/');
    const type = isIP(address!);
    if (!type || extra !== undefined) throw bad(pattern, `has no valid IP address, CIDR or 'localhost' in '${host}'`);
    const family = type === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address!, family);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (type === 4 ? 32 : 128)) throw bad(pattern, `has an invalid prefix length '/${prefix}'`);
      list.addSubnet(address!, bits, family);
    }
  }
  return (e) => {
    if (e.family !== 'inet' && e.family !== 'inet6') return false;
    const { address, type } = unmapped(e);
    return list.check(address, type);
  };
}

function compileOne(pattern: string, tokens: TokenValues): EndpointTest {
  if (pattern.startsWith('unix:')) {
    const path = expandTokens(pattern.slice(5), tokens)[0]!;
    if (path === '') throw bad(pattern, 'has an empty socket path');
    const test = picomatch.scan(path).isGlob ? picomatch(path, { dot: true }) : (p: string) => p === path;
    return (e) => e.family === 'unix' && test(e.address);
  }
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\*|\d{1,5})$/.exec(pattern);
  if (!match) throw bad(pattern, 'is not host:port or unix:path');
  const host = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!;
  const port = match[2] === '*' ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) throw bad(pattern, `has port ${port} above 65535`);
  const hostMatches = hostTest(pattern, host);
  return (e) => hostMatches(e) && (port === undefined || e.port === port);
}

/** `tokens` expands <tmp> etc. in unix socket paths ('unix:<tmp>/**'). */
export function compileEndpointPatterns(value: unknown, tokens: TokenValues, what: string): SubjectPatterns<Endpoint> {
  const patterns = patternList(value, what);
  const tests = patterns.map((pattern) => ({ pattern, test: compileOne(pattern, tokens) }));
  return {
    patterns,
    matching: (endpoint) => tests.filter((t) => t.test(endpoint)).map((t) => t.pattern),
  };
}
