/**
 * CIDR prefixes: parsing (netmask for IPv4, ip-num for IPv6), containment and overlap.
 * A CIDR with host bits set (10.0.0.5/24) either means its network (parseCidrLoose says so with
 * `hostBits`, as Neutron reads a subnet cidr or a remote_ip_prefix) or is refused with the
 * network it probably meant (parseCidr, as Neutron's validate_route_cidr does for routes).
 */
import { Netmask } from 'netmask';
import { bitsOf, formatIp, parseIp, type Ip, type IpVersion } from './ip.js';

export interface Cidr {
  readonly version: IpVersion;
  /** The network address (host bits zero). */
  readonly network: bigint;
  readonly prefix: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; problem: string };
/** `hostBits`: the text had host bits set, and `cidr` is its network. */
export type CidrParseLoose = { ok: true; cidr: Cidr; hostBits: boolean } | { ok: false; problem: string };

/** Strict: host bits are an error that names the network meant. */
export function parseCidr(text: string): CidrParse {
  const parsed = parseCidrLoose(text);
  if (!parsed.ok) return parsed;
  if (parsed.hostBits) return { ok: false, problem: `host bits are set; did you mean ${formatCidr(parsed.cidr)}?` };
  return { ok: true, cidr: parsed.cidr };
}

/** Lenient: a CIDR with host bits set is read as its network, and says it was. */
export function parseCidrLoose(text: string): CidrParseLoose {
  if (typeof text !== 'string') return { ok: false, problem: 'not a string' };
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, problem: 'no prefix length (write it as address/length)' };
  const ip = parseIp(text.slice(0, slash));
  if (!ip) return { ok: false, problem: `"${text.slice(0, slash)}" is not an IP address` };
  const lenText = text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (!(prefix >= 0 && prefix <= bitsOf(ip.version))) {
    return { ok: false, problem: `prefix length must be 0-${bitsOf(ip.version)}` };
  }
  const network = ip.version === 4 ? ipv4Base(text) : ip.value & maskOf(6, prefix);
  return { ok: true, cidr: { version: ip.version, network, prefix }, hostBits: network !== ip.value };
}

function ipv4Base(text: string): bigint {
  // netmask normalises the base address of an IPv4 block; ip-num has already validated the text.
  const parsed = parseIp(new Netmask(text).base);
  return parsed ? parsed.value : 0n;
}

export function maskOf(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(bitsOf(version));
  const hostBits = bits - BigInt(prefix);
  return ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
}

export const cidrSize = (c: Cidr): bigint => 1n << BigInt(bitsOf(c.version) - c.prefix);
export const cidrFirst = (c: Cidr): bigint => c.network;
export const cidrLast = (c: Cidr): bigint => c.network + cidrSize(c) - 1n;

export const cidrContains = (c: Cidr, ip: Ip): boolean =>
  ip.version === c.version && ip.value >= c.network && ip.value <= cidrLast(c);

export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  a.version === b.version && a.network <= cidrLast(b) && b.network <= cidrLast(a);

export const formatCidr = (c: Cidr): string => `${formatIp({ version: c.version, value: c.network })}/${c.prefix}`;
