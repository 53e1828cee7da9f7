/**
 * Port security (anti-spoofing): a frame leaving a port must carry the port's MAC, and its
 * IP (or ARP sender) address must be one of the port's fixed addresses or inside one of its
 * allowed address pairs (with that pair's MAC when it names one). Neutron's OVS firewall and
 * AWS's source/destination check behave this way; ARP and ND themselves are allowed.
 */
import { formatMac, type Mac } from '../address/mac.js';
import type { Frame } from '../packet/frame.js';
import { formatIpValue, prefixContains, type IpValue, type PrefixValue } from '../packet/ip-value.js';

export interface PortIdentity {
  readonly mac: Mac;
  readonly addresses: ReadonlySet<IpValue>;
  readonly pairs: readonly { readonly prefix: PrefixValue; readonly mac: Mac | null }[];
}

/** Undefined when the frame may leave; otherwise the reason it may not. */
export function spoofingReason(id: PortIdentity, frame: Frame): string | undefined {
  const p = frame.payload;
  const src: IpValue = p.kind === 'arp' ? p.senderIp : p.src;
  const mac = frame.src;
  if (mac !== id.mac && !id.pairs.some((pair) => pair.mac === mac)) return `source MAC ${formatMac(mac)} is not the port's (${formatMac(id.mac)})`;
  // ARP carries the sender's MAC twice (Ethernet source, ARP sender): both must agree.
  if (p.kind === 'arp' && p.senderMac !== mac) return `ARP sender MAC ${formatMac(p.senderMac)} differs from the frame's source ${formatMac(mac)}`;
  if (mac === id.mac && id.addresses.has(src)) return undefined;
  for (const pair of id.pairs) {
    if ((pair.mac ?? id.mac) === mac && prefixContains(pair.prefix, src)) return undefined;
  }
  return `source address ${formatIpValue(src)} is not one of the port's addresses or allowed address pairs`;
}
