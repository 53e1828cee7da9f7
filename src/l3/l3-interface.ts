/**
 * An L3 interface of a host, router or the internet: a port with a MAC and addresses. A
 * point-to-point interface (an external host's link to the internet) has no neighbour
 * resolution: frames go straight to the peer's MAC.
 */
import type { Mac } from '../address/mac.js';
import { prefixContains, type IpValue, type PrefixValue } from '../packet/ip-value.js';

export interface InterfaceAddress {
  readonly ip: IpValue;
  readonly prefix: PrefixValue;
}

export interface L3Interface {
  readonly port: string;
  readonly mac: Mac;
  readonly addrs: readonly InterfaceAddress[];
  readonly peerMac?: Mac;
  /** Addresses the interface answers ARP for without owning them (a router's floating IPs). */
  readonly proxyArp?: ReadonlySet<IpValue>;
}

export const ownsAddress = (iface: L3Interface, ip: IpValue): boolean => iface.addrs.some((a) => a.ip === ip);

/**
 * Address → the interface that holds it, built on first use (nodes get their interfaces after
 * construction) so the hot path asks one Map instead of scanning every interface.
 */
export class AddressIndex {
  private index: Map<IpValue, L3Interface> | undefined;

  constructor(private readonly interfaces: ReadonlyMap<string, L3Interface>) {}

  owner(ip: IpValue): L3Interface | undefined {
    if (!this.index) {
      this.index = new Map();
      for (const i of this.interfaces.values()) for (const a of i.addrs) if (!this.index.has(a.ip)) this.index.set(a.ip, i);
    }
    return this.index.get(ip);
  }
}

/** The interface's address to use as a source towards `dst`: on-link first, then same version. */
export function sourceFor(iface: L3Interface, dst: IpValue): IpValue | undefined {
  const v4 = typeof dst === 'number';
  let first: IpValue | undefined;
  for (const a of iface.addrs) {
    if ((typeof a.ip === 'number') !== v4) continue;
    if (prefixContains(a.prefix, dst)) return a.ip;
    first ??= a.ip;
  }
  return first;
}
