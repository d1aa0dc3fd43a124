// HTTP/1.x request heads, as the kernel hands them over (bpf/lib/tls.bpf.h):
// the request line with its query already cut off, and the Host value.
import { type HttpRequest, makeRequest } from './request.js';

export interface Http1Head {
  /** 'HTTP/1.1' */
  protocol: string;
  request: HttpRequest;
}

/** A request line ('GET /v1/users HTTP/1.1') and Host value; `cut` says the
 * kernel's bounded copy cut the line or ended before the Host was found. */
export function decodeHttp1(line: string, host: string, cut: { line: boolean; host: boolean }, scheme = 'https'): Http1Head {
  const [method = '', target = '', protocol = ''] = line.split(' ');
  const unknown = cut.line ? 'its request line is longer than Vivarium reads' : cut.host && !host ? 'its Host header is beyond what Vivarium reads' : undefined;
  return { protocol: protocol || 'HTTP/1.x', request: makeRequest({ method, scheme, authority: host, target: cut.line ? '' : target }, unknown) };
}
