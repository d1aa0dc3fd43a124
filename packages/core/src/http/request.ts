// An HTTP request as Vivarium records it: method, scheme, host, port and
// path, never a query string, a body or any header but the host.

export interface HttpRequest {
  /** 'GET'; '' when it could not be read. */
  method: string;
  /** 'https' for requests seen in a TLS library. */
  scheme: string;
  /** Lower-case host name or address, without port or brackets. */
  host: string;
  port: number;
  /** The path, without query or fragment ('/v1/users'). */
  path: string;
  /** 'GET https://api.example.com/v1/users' (the port shown when not the scheme's default). */
  text: string;
  /** Why some part could not be read (a cut write, an HTTP/2 header table that
   * was not followed from the start): such a request matches no pattern, so
   * every check of it fails. */
  unknown?: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { https: 443, http: 80 };

export function defaultPort(scheme: string): number {
  return DEFAULT_PORTS[scheme] ?? 0;
}

/** The path of a request target, without query or fragment. */
export function pathOnly(target: string): string {
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

/** Host and port of an authority ('api.example.com:8443', '[::1]:443'); the
 * scheme's port when it names none. Undefined when it is not one. */
export function splitAuthority(authority: string, scheme: string): { host: string; port: number } | undefined {
  const at = authority.lastIndexOf('@');
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!match) return undefined;
  const port = match[2] === undefined ? defaultPort(scheme) : Number(match[2]);
  if (port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, ''), port };
}

/** The request's text form: 'GET https://host[:port]/path'. */
export function requestText(r: Pick<HttpRequest, 'method' | 'scheme' | 'host' | 'port' | 'path'>): string {
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  const port = r.port === defaultPort(r.scheme) ? '' : `:${r.port}`;
  return `${r.method || '?'} ${r.scheme}://${host || '?'}${port}${r.path || '/?'}`;
}

/** A request from its parts; any part missing makes it unknown, naming why. */
export function makeRequest(parts: { method?: string; scheme: string; authority?: string; target?: string }, unknown?: string): HttpRequest {
  const target = parts.target ?? '';
  let authority = parts.authority ?? '';
  let path = pathOnly(target);
  // Absolute form (a proxy's request line): the target names the host.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i.exec(path);
  if (absolute) {
    authority = absolute[1]!;
    path = absolute[2] || '/';
  }
  const hostPort = authority ? splitAuthority(authority, parts.scheme) : undefined;
  const why =
    unknown ??
    (!parts.method ? 'no method' : !path ? 'no path' : !authority ? 'no host' : !hostPort ? `host '${authority}' is not a host name` : undefined);
  const request = {
    method: parts.method ?? '',
    scheme: parts.scheme,
    host: hostPort?.host ?? '',
    port: hostPort?.port ?? defaultPort(parts.scheme),
    path,
  };
  return { ...request, text: requestText(request), ...(why ? { unknown: why } : {}) };
}
