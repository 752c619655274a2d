/** An IP address as bytes: 4 for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6. */
export type IpBytes = Uint8Array;

function parseIpv4(text: string): IpBytes | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) {
    return null;
  }
  return Uint8Array.from(parts.map(Number));
}

function parseGroups(text: string): number[] | null {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (const [index, part] of parts.entries()) {
    const v4 = index === parts.length - 1 && part.includes(".") ? parseIpv4(part) : null;
    if (v4) groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    else if (/^[0-9a-f]{1,4}$/i.test(part)) groups.push(parseInt(part, 16));
    else return null;
  }
  return groups;
}

function parseIpv6(text: string): IpBytes | null {
  const halves = text.replace(/%.*$/, "").split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * Parses an IPv4 or IPv6 address (brackets and a zone are allowed); an IPv4-mapped IPv6 address is read as
 * the IPv4 address it maps.
 * @param text the address
 * @returns its bytes, or null when it is not an address
 */
export function parseIp(text: string): IpBytes | null {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (!bare.includes(":")) return parseIpv4(bare);
  const v6 = parseIpv6(bare);
  if (v6 && V4_MAPPED_PREFIX.every((byte, index) => v6[index] === byte)) return v6.slice(12);
  return v6;
}

/** A network: an address and how many leading bits of it count. */
export interface Cidr {
  bytes: IpBytes;
  prefix: number;
}

/**
 * Parses `address` or `address/prefix` (a single address is a network of one).
 * @returns the network, or null when the text is not one
 */
export function parseCidr(text: string): Cidr | null {
  const [address, prefixText, ...rest] = text.trim().split("/");
  const bytes = parseIp(address);
  if (!bytes || rest.length > 0) return null;
  const bits = bytes.length * 8;
  // An IPv4-mapped network counts its prefix over the 128 bits of IPv6.
  const mapped = address.includes(":") && bytes.length === 4 ? 96 : 0;
  const prefix = prefixText === undefined ? bits : Number(prefixText) - mapped;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  if (prefix < 0 || prefix > bits) return null;
  return { bytes, prefix };
}

/** True when `address` lies in `network`. */
export function cidrContains(network: Cidr, address: IpBytes): boolean {
  if (network.bytes.length !== address.length) return false;
  for (let bit = 0; bit < network.prefix; bit += 8) {
    const take = Math.min(8, network.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((network.bytes[bit / 8] & mask) !== (address[bit / 8] & mask)) return false;
  }
  return true;
}

/**
 * The key a client is throttled by: an IPv4 address as itself, an IPv6 address by its /64 (one host usually
 * holds a whole /64, so per-address throttling would not hold it back).
 */
export function throttleKey(address: IpBytes): string {
  if (address.length === 4) return address.join(".");
  const groups = [];
  for (let i = 0; i < 8; i += 2) groups.push(((address[i] << 8) | address[i + 1]).toString(16));
  return `${groups.join(":")}::/64`;
}
