/**
 * Port security (anti-spoofing) as a `bridge` table in the fabric namespace: on the switch side
 * of each instance port, where Neutron's OVS firewall sits, out of the instance's reach. What a
 * port sends must carry the port's MAC (or an allowed pair's), and its IP or ARP sender address
 * must be one of the port's or inside an allowed pair for that MAC, as src/firewall/
 * port-security.ts decides in vnet. The port's IPv6 link-local address (EUI-64 of its MAC) and
 * the unspecified address pass too: Linux sends neighbour discovery and MLD from them (vnet's
 * hosts use their global address), and Neutron allows them. Counted drops tell conform a drop.
 */
import { parseCidr } from '../address/cidr.js';
import { formatIp } from '../address/ip.js';
import { slaacAddress } from '../ipam/slaac.js';
import { toPrefixValue, type PrefixValue } from '../packet/ip-value.js';
import type { Port } from '../topology/model.js';
import { addressSetMatch, chainText, forwardDispatchTable, setOf, withoutCovered } from './nft-match.js';

export const PORT_SECURITY_TABLE = 'vnet_ps';
export const SPOOF_DROP_COUNTER = 'spoof_drop';

const LINK_LOCAL = (() => {
  const c = parseCidr('fe80::/64');
  if (!c.ok) throw new Error('fe80::/64');
  return c.cidr;
})();

/** The ruleset for these instance ports (their bridge-side interface names), or null when none has port security. */
export function portSecurityRuleset(ports: readonly { readonly port: Port; readonly bridgeSide: string }[]): string | null {
  const guarded = ports.filter((p) => p.port.portSecurity);
  if (guarded.length === 0) return null;
  const dispatch: string[] = [];
  const chains: string[] = [];
  guarded.forEach(({ port, bridgeSide }, i) => {
    const chain = `port${i}`;
    dispatch.push(`iifname "${bridgeSide}" jump ${chain} comment "${port.id}"`);
    const macs = [port.mac, ...port.allowedAddressPairs.map((p) => p.mac).filter((m): m is string => m !== null && m !== port.mac)];
    const byMac = [...new Set(macs)].map((mac, m) => ({ mac, chain: `${chain}_mac${m}`, allowed: allowedFor(port, mac) }));
    chains.push(...chainText(chain, [...byMac.map((b) => `ether saddr ${b.mac} jump ${b.chain}`), `counter name "${SPOOF_DROP_COUNTER}" drop comment "${port.id}: source MAC not the port's"`]));
    for (const b of byMac) {
      const lines = [`arp saddr ether != ${b.mac} counter name "${SPOOF_DROP_COUNTER}" drop comment "ARP sender MAC differs from the frame's"`];
      if (b.allowed.v4.length > 0) lines.push(`arp saddr ip ${setOf(b.allowed.v4)} accept`, `${addressSetMatch('saddr', b.allowed.v4)} accept`);
      if (b.allowed.v6.length > 0) lines.push(`${addressSetMatch('saddr', b.allowed.v6)} accept`);
      lines.push(`counter name "${SPOOF_DROP_COUNTER}" drop comment "${port.id}: source address not the port's"`);
      chains.push(...chainText(b.chain, lines));
    }
  });
  return forwardDispatchTable(`bridge ${PORT_SECURITY_TABLE}`, SPOOF_DROP_COUNTER, dispatch, chains);
}

/** Source addresses a frame with this MAC may carry from the port, per family, as nftables set elements. */
function allowedFor(port: Port, mac: string): { v4: string[]; v6: string[] } {
  const found: { text: string; prefix: PrefixValue; version: 4 | 6 }[] = [];
  const add = (text: string, prefix: PrefixValue, version: 4 | 6) => {
    if (!found.some((f) => f.text === text)) found.push({ text, prefix, version });
  };
  if (mac === port.mac) {
    for (const f of port.fixedIps) {
      const full = f.address.ip.version === 4 ? 32 : 128;
      add(f.address.text, toPrefixValue({ version: f.address.ip.version, network: f.address.ip.value, prefix: full }), f.address.ip.version);
    }
    const lla = slaacAddress(LINK_LOCAL, port.macValue);
    add(formatIp(lla), toPrefixValue({ version: 6, network: lla.value, prefix: 128 }), 6);
    add('::', toPrefixValue({ version: 6, network: 0n, prefix: 128 }), 6);
  }
  for (const pair of port.allowedAddressPairs) {
    if ((pair.mac ?? port.mac) !== mac) continue;
    const c = pair.prefix.cidr;
    const full = c.version === 4 ? 32 : 128;
    add(c.prefix === full ? formatIp({ version: c.version, value: c.network }) : pair.prefix.text, toPrefixValue(c), c.version);
  }
  const kept = withoutCovered(found);
  return { v4: kept.filter((f) => f.version === 4).map((f) => f.text), v6: kept.filter((f) => f.version === 6).map((f) => f.text) };
}
