import { isIP } from 'node:net';

/**
 * Why an address must not be reached from a server that fetches URLs it was handed (SSRF), or `undefined` when
 * it is an ordinary public unicast address. IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
 * IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the IPv4 address inside; the
 * local-use NAT64 prefix `64:ff9b:1::/48`, whose translator is the operator's own, is private whatever it embeds.
 */
export type AddressProblem =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'carrier-grade NAT (shared)'
  | 'multicast'
  | 'reserved'
  | 'not an IP address';

export function classifyAddress(address: string): AddressProblem | undefined {
  const bare = stripBrackets(address);
  const family = isIP(bare);
  if (family === 4) return classifyV4(parseV4(bare)!);
  if (family === 6) {
    // Zone ids (fe80::1%eth0) are only meaningful for link-local addresses: judge what comes before the %.
    const hextets = parseV6(bare.replace(/%.*$/, ''));
    return hextets ? classifyV6(hextets) : 'not an IP address';
  }
  return 'not an IP address';
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** A canonical spelling, so `::FFFF:7f00:1`, `::ffff:127.0.0.1` and `[::ffff:127.0.0.1]` compare equal. */
export function canonicalAddress(address: string): string | undefined {
  const bare = stripBrackets(address.trim()).toLowerCase();
  const family = isIP(bare);
  if (family === 4) return parseV4(bare)!.join('.');
  if (family === 6) {
    const h = parseV6(bare.replace(/%.*$/, ''));
    return h ? h.map((x) => x.toString(16)).join(':') : undefined;
  }
  return undefined;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return out.every((n) => n >= 0 && n <= 255) ? out : undefined;
}

function classifyV4(o: number[]): AddressProblem | undefined {
  const [a = 0, b = 0, c = 0] = o;
  if (a === 0) return o.every((x) => x === 0) ? 'unspecified' : 'reserved'; // 0/8 "this network"
  if (a === 127) return 'loopback';
  if (a === 10) return 'private';
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 168) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'carrier-grade NAT (shared)';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // 240/4 and the broadcast address
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return 'reserved'; // IETF assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return 'reserved'; // benchmarking
  if (a === 198 && b === 51 && c === 100) return 'reserved'; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return 'reserved'; // TEST-NET-3
  return undefined;
}

/** Eight 16-bit groups, or undefined. Accepts `::` compression and a trailing dotted IPv4 part. */
function parseV6(s: string): number[] | undefined {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A trailing dotted IPv4 part stands for the last two groups.
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  const parse = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const headNums = head.map(parse);
  const restNums = rest.map(parse);
  if ([...headNums, ...restNums].some((n) => Number.isNaN(n))) return undefined;
  const missing = 8 - headNums.length - restNums.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...headNums, ...new Array<number>(missing).fill(0), ...restNums];
}

function classifyV6(h: number[]): AddressProblem | undefined {
  const [h0 = 0, h1 = 0, , , , h5 = 0, h6 = 0, h7 = 0] = h;
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && h7 === 1) return 'loopback';
  if (zeros(0, 5) && h5 === 0xffff) return classifyV4(v4(h6, h7)); // IPv4-mapped
  if (zeros(0, 6)) return classifyV4(v4(h6, h7)) ?? 'reserved'; // IPv4-compatible (deprecated)
  if (h0 === 0x64 && h1 === 0xff9b && zeros(2, 6)) return classifyV4(v4(h6, h7)); // NAT64 well-known prefix
  if (h0 === 0x2002) return classifyV4(v4(h1, h[2] ?? 0)); // 6to4
  if (h0 === 0x64 && h1 === 0xff9b && h[2] === 1) return 'private'; // 64:ff9b:1::/48, NAT64 for local use (RFC 8215)
  if ((h0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((h0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((h0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((h0 & 0xff00) === 0xff00) return 'multicast';
  if (h0 === 0x100 && zeros(1, 4)) return 'reserved'; // 100::/64 discard
  if (h0 === 0x2001 && h1 === 0xdb8) return 'reserved'; // documentation
  return undefined;
}
