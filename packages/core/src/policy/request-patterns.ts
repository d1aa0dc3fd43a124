// HTTP request patterns for toRequest, toRequestOutside and the policy's
// `http` rule: an optional method, then scheme://host[:port][/path]:
//   'GET https://api.example.com/v1/**'   'https://*.example.com'
//   'POST https://127.0.0.1:*/upload'     '* https://[::1]:8443/**'
// The scheme is https, http or *; the host is a name with * (one label) and
// ** (any labels) as host patterns have, an IPv4 address or [IPv6]; no port
// means the scheme's own (443, 80), * any; no path means any path, and a path
// is a glob ('*' within a segment, '**' across). Requests are recorded
// without their query, so a pattern may not have one.
import picomatch from 'picomatch';
import { type HttpRequest, defaultPort } from '../http/request.js';
import { compileHostPattern } from './host-patterns.js';
import { type SubjectPatterns, patternList } from './path-patterns.js';
import type { TokenValues } from './tokens.js';

const SHAPE = /^(?:([A-Z]+|\*)\s+)?([a-z]+|\*):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#\s]+)(?::(\d{1,5}|\*))?(\/[^?#\s]*)?$/;

function bad(pattern: string, why: string): TypeError {
  return new TypeError(
    `vivarium: request pattern '${pattern}' ${why} (use [METHOD] scheme://host[:port][/path], such as 'GET https://api.example.com/v1/**' or 'https://127.0.0.1:*/**')`,
  );
}

function compileOne(pattern: string): (request: HttpRequest) => boolean {
  if (/[?#]/.test(pattern.replace(/^[^:]*:\/\//, ''))) throw bad(pattern, 'has a query or fragment: requests are recorded without them');
  const match = SHAPE.exec(pattern.trim());
  if (!match) throw bad(pattern, 'is not a request pattern');
  const [, method, scheme, host, port, path] = match as unknown as [string, string | undefined, string, string, string | undefined, string | undefined];
  if (scheme !== '*' && scheme !== 'https' && scheme !== 'http') throw bad(pattern, `has scheme '${scheme}' (https, http or *)`);
  const hostTest = host.startsWith('[') ? exact(host.slice(1, -1).toLowerCase()) : regexTest(compileHostPattern(host));
  const portTest = port === '*' ? () => true : port !== undefined ? exact(Number(port)) : undefined;
  const pathTest = path === undefined || path === '/**' ? () => true : picomatch(path, { dot: true, strictBrackets: true });
  return (r) =>
    !r.unknown &&
    (method === undefined || method === '*' || method === r.method) &&
    (scheme === '*' || scheme === r.scheme) &&
    hostTest(r.host) &&
    (portTest ? portTest(r.port) : r.port === defaultPort(r.scheme)) &&
    pathTest(r.path);
}

const exact =
  <V>(expected: V) =>
  (value: V) =>
    value === expected;
const regexTest = (re: RegExp) => (value: string) => re.test(value);

/** `_tokens`: request patterns have none; taken for the one argument order of every pattern compiler. */
export function compileRequestPatterns(value: unknown, _tokens: TokenValues, what: string): SubjectPatterns<HttpRequest> {
  const patterns = patternList(value, what);
  const tests = patterns.map((pattern) => {
    try {
      return { pattern, test: compileOne(pattern) };
    } catch (err) {
      // A host part that is no host name: say it in this pattern's words.
      if (err instanceof TypeError && !err.message.includes('request pattern')) throw bad(pattern, 'has no valid host');
      throw err;
    }
  });
  return { patterns, matching: (request) => tests.filter((t) => t.test(request)).map((t) => t.pattern) };
}
