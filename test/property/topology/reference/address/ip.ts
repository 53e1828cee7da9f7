/**
 * IP addresses in the compact form the core works with: a version and a bigint value.
 * Text is parsed once, here, with ip-num (strict: no octal octets, no zone ids), and
 * printed back in the canonical form of RFC 5952 for IPv6 so traces are byte-stable.
 */
// Only ip-num's validator and IPv6 expander: its IPNumber module builds tables of special
// ranges when loaded, which costs ~25 ms of every CLI start.
import { Validator } from 'ip-num/dist/src/Validator.js';
import { expandIPv6Number } from 'ip-num/dist/src/IPv6Utils.js';

export type IpVersion = 4 | 6;

export interface Ip {
  readonly version: IpVersion;
  readonly value: bigint;
}

export const bitsOf = (version: IpVersion): number => (version === 4 ? 32 : 128);

/** Parses a dotted-quad or an IPv6 address; undefined when the text is neither. */
export function parseIp(text: string): Ip | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    if (text.includes('%') || !Validator.isValidIPv6String(text)[0]) return undefined;
    return { version: 6, value: BigInt(`0x${expandIPv6Number(text).replace(/:/g, '')}`) };
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text) || !Validator.isValidIPv4String(text)[0]) return undefined;
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return { version: 4, value: BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d) };
}

export function formatIp(ip: Ip): string {
  return ip.version === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

function formatIpv4(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export const compareIp = (a: Ip, b: Ip): number =>
  a.version !== b.version ? a.version - b.version : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
