// The question of a DNS query message (RFC 1035 §4.1): which name, which type.
export interface DnsQuestion {
  name: string;
  type: string;
  id: number;
}

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY',
};

/** The fixed header of a DNS message (RFC 1035 §4.1.1), big-endian. */
const HEADER = { id: 0, qdcount: 4, size: 12 } as const;
/** After a question's name: QTYPE, then QCLASS. */
const QTYPE_SIZE = 2;

/**
 * The question of a DNS message, or undefined if it is not one question we
 * parse. A query asks one (RFC 9619); a second, never judged, could ride on
 * an allowed first, so a message of several asks nothing readable.
 */
export function decodeDnsQuestion(bytes: Uint8Array): DnsQuestion | undefined {
  if (bytes.length < HEADER.size) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint16(HEADER.qdcount, false) !== 1) return undefined;
  const labels: string[] = [];
  let at = HEADER.size;
  for (;;) {
    if (at >= bytes.length) return undefined;
    const length = bytes[at]!;
    if (length === 0) break;
    if (length > 63 || at + 1 + length > bytes.length) return undefined; // compression or truncation: not a query we parse
    labels.push(Buffer.from(bytes.subarray(at + 1, at + 1 + length)).toString('latin1'));
    at += 1 + length;
  }
  // `at` is the name's terminating zero label.
  const code = at + 1 + QTYPE_SIZE <= bytes.length ? dv.getUint16(at + 1, false) : 0;
  return { name: labels.join('.'), type: TYPES[code] ?? `TYPE${code}`, id: dv.getUint16(HEADER.id, false) };
}
