import { parseCidr, type Cidr } from '../../../src/address/cidr.js';
import { formatIp, parseIp, type Ip } from '../../../src/address/ip.js';
import type { IpRange } from '../../../src/ipam/subnet-plan.js';

export function ip(text: string): Ip {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`test fixture: bad IP ${text}`);
  return parsed;
}

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`test fixture: bad CIDR ${text}: ${parsed.problem}`);
  return parsed.cidr;
}

export const range = (start: string, end: string): IpRange => ({ start: ip(start), end: ip(end) });

/** Pools as "start-end" text, the easiest form to read in an assertion. */
export const poolsText = (pools: readonly IpRange[]): string[] => pools.map((p) => `${formatIp(p.start)}-${formatIp(p.end)}`);
