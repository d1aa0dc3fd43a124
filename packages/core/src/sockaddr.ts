// struct sockaddr bytes (as a process passed them to connect/sendto) to an
// endpoint: '127.0.0.1:5432', '[::1]:53', 'unix:/run/x.sock', 'unix:@abstract'.
import { Layout } from './abi.generated.js';

const IN = Layout.sockaddr_in;
const IN6 = Layout.sockaddr_in6;
const UN = Layout.sockaddr_un;

export interface Endpoint {
  family: 'inet' | 'inet6' | 'unix' | 'unspec' | 'other';
  /** IP address, or socket path ('@name' for an abstract socket). */
  address: string;
  /** 0 for unix sockets. */
  port: number;
  /** The endpoint as matchers and messages show it. */
  text: string;
}

const AF_UNSPEC = 0;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

function ipv6(bytes: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // IPv4-mapped: ::ffff:a.b.c.d
  if (words.slice(0, 5).every((w) => w === '0') && words[5] === 'ffff')
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  // Compress the longest run of zero words.
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLength).join(':')}`;
}

export function decodeSockaddr(bytes: Uint8Array): Endpoint {
  if (bytes.length < IN.sin_family.size) return { family: 'other', address: '', port: 0, text: '(no address)' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Every sockaddr starts with its family, in host order; ports are in network order.
  const family = dv.getUint16(IN.sin_family.offset, true);
  if (family === AF_INET && bytes.length >= IN.sin_addr.offset + IN.sin_addr.size) {
    const address = [...bytes.subarray(IN.sin_addr.offset, IN.sin_addr.offset + IN.sin_addr.size)].join('.');
    const port = dv.getUint16(IN.sin_port.offset, false);
    return { family: 'inet', address, port, text: `${address}:${port}` };
  }
  if (family === AF_INET6 && bytes.length >= IN6.sin6_addr.offset + IN6.sin6_addr.size) {
    const address = ipv6(bytes.subarray(IN6.sin6_addr.offset, IN6.sin6_addr.offset + IN6.sin6_addr.size));
    const port = dv.getUint16(IN6.sin6_port.offset, false);
    return { family: 'inet6', address, port, text: `[${address}]:${port}` };
  }
  if (family === AF_UNIX) {
    const raw = bytes.subarray(UN.sun_path.offset);
    let address: string;
    if (raw.length > 0 && raw[0] === 0) address = `@${Buffer.from(raw.subarray(1)).toString('utf8')}`;
    else {
      const nul = raw.indexOf(0);
      address = Buffer.from(nul < 0 ? raw : raw.subarray(0, nul)).toString('utf8');
    }
    return { family: 'unix', address, port: 0, text: `unix:${address}` };
  }
  if (family === AF_UNSPEC) return { family: 'unspec', address: '', port: 0, text: '(disconnect)' };
  return { family: 'other', address: '', port: 0, text: `(address family ${family})` };
}

/** Whether the address is a loopback one (127/8, ::1, IPv4-mapped 127/8). */
export function isLoopback(endpoint: Pick<Endpoint, 'family' | 'address'>): boolean {
  if (endpoint.family === 'inet') return endpoint.address.startsWith('127.');
  return endpoint.family === 'inet6' && (endpoint.address === '::1' || endpoint.address.startsWith('::ffff:127.'));
}
