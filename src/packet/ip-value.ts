/**
 * The hot-path form of an IP address: an IPv4 address is a number (uint32), an IPv6 address a
 * bigint, so `typeof` tells the version and `===` compares without allocation. Converted from
 * the model's Ip once, when the simulator is built.
 */
import { formatIp, type Ip } from '../address/ip.js';
import type { Cidr } from '../address/cidr.js';

export type IpValue = number | bigint;

export const isV4 = (a: IpValue): a is number => typeof a === 'number';
export const toIpValue = (ip: Ip): IpValue => (ip.version === 4 ? Number(ip.value) : ip.value);
export const fromIpValue = (a: IpValue): Ip => (typeof a === 'number' ? { version: 4, value: BigInt(a) } : { version: 6, value: a });
/** Formatted IPv4 addresses, kept because traces print the same few over and over (bounded: cleared when full). */
const formattedV4 = new Map<number, string>();
const FORMATTED_MAX = 4096;

export function formatIpValue(a: IpValue): string {
  if (typeof a !== 'number') return formatIp(fromIpValue(a));
  let s = formattedV4.get(a);
  if (s === undefined) {
    s = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    if (formattedV4.size >= FORMATTED_MAX) formattedV4.clear();
    formattedV4.set(a, s);
  }
  return s;
}

/** A prefix in hot-path form: the network and a mask of the same type. */
export interface PrefixValue {
  readonly network: IpValue;
  readonly mask: IpValue;
  readonly length: number;
}

/** The mask of an IPv4 prefix length, as an unsigned 32-bit number. */
export const v4Mask = (length: number): number => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

const ALL_V6 = (1n << 128n) - 1n;

/** The prefix of the given length holding an address (host bits cleared). */
export function prefixValue(address: IpValue, length: number): PrefixValue {
  if (typeof address === 'number') {
    const mask = v4Mask(length);
    return { network: (address & mask) >>> 0, mask, length };
  }
  const mask = ALL_V6 ^ ((1n << BigInt(128 - length)) - 1n);
  return { network: address & mask, mask, length };
}

export const toPrefixValue = (c: Cidr): PrefixValue => prefixValue(c.version === 4 ? Number(c.network) : c.network, c.prefix);

export function prefixContains(p: PrefixValue, a: IpValue): boolean {
  if (typeof a === 'number') return typeof p.network === 'number' && ((a & (p.mask as number)) >>> 0) === p.network;
  return typeof p.network === 'bigint' && (a & (p.mask as bigint)) === p.network;
}

/** RFC 4291 §2.7.1: the solicited-node multicast address ND sends a solicitation to. */
const SOLICITED_NODE_PREFIX = (0xff02n << 112n) | (0x1ffn << 24n); // ff02::1:ff00:0/104
export const solicitedNode = (a: bigint): bigint => SOLICITED_NODE_PREFIX | (a & 0xffffffn);
/** RFC 2464 §7: IPv6 multicast maps to 33:33 + the low 32 bits. */
export const multicastMac = (a: bigint): number => 0x333300000000 + Number(a & 0xffffffffn);
