/**
 * An instance's security groups as one nftables ruleset in its namespace (Neutron's semantics,
 * as its iptables and OVS firewall drivers implement them): input and output chains with
 * policy drop; replies and related ICMP errors of tracked connections pass; each rule of the
 * port's groups accepts (allow-only, a union: order never matters); remote groups are expanded
 * to their members' addresses of the rule's family; whatever is left meets a counted drop, so
 * that `vnet conform` can tell a drop from a timeout. Ports with port security off accept
 * everything. Neighbour discovery and MLD pass without a rule, as Neutron's drivers let them
 * (RFC 4861 needs them; vnet passes NS/NA before the groups, port-firewall.ts): NS, NA and MLD
 * queries in; router solicitations, NS, NA and MLD reports out.
 */
import type { Cidr } from '../address/cidr.js';
import { formatIp } from '../address/ip.js';
import { toPrefixValue, type PrefixValue } from '../packet/ip-value.js';
import type { Cloud, Port, SecurityGroupRule } from '../topology/model.js';
import { addressSetMatch, chainText, familyMatch, prefixMatch, protocolMatch, rule, withoutCovered, type Family } from './nft-match.js';

export const SG_TABLE = 'vnet_sg';
export const SG_DROP_COUNTERS = ['ingress_drop', 'egress_drop'] as const;
/**
 * ICMPv6 that passes without a rule, as in vnet's port firewall (src/firewall/port-firewall.ts,
 * Neutron's list): MLD query, NS, NA in (RA from the router is not realized) …
 */
const ND_IN = 'mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert';
/**
 * … and RS, NS, NA out; plus the MLD reports and done the kernel sends on its own (Neutron lets
 * them out from ::). vnet's hosts send none, and counting them as drops would make a probe that
 * timed out look dropped to conform.
 */
const ND_OUT = 'mld-listener-report, mld-listener-done, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report';

/** The ruleset text, or null when no port of the instance has port security. */
export function securityGroupRuleset(cloud: Cloud, ports: readonly { readonly port: Port; readonly ifname: string }[]): string | null {
  if (!ports.some((p) => p.port.portSecurity)) return null;
  const input: string[] = ['iif "lo" accept'];
  const output: string[] = ['oif "lo" accept'];
  for (const { port, ifname } of ports) {
    if (!port.portSecurity) {
      input.push(`iifname "${ifname}" accept comment "port security off"`);
      output.push(`oifname "${ifname}" accept comment "port security off"`);
      continue;
    }
    const groups = port.securityGroups.map((g) => cloud.securityGroups.get(g)!);
    input.push(`iifname "${ifname}" icmpv6 type { ${ND_IN} } accept comment "neighbour discovery"`);
    output.push(`oifname "${ifname}" icmpv6 type { ${ND_OUT} } accept comment "neighbour discovery"`);
    if (groups.some((g) => g.stateful)) {
      input.push(`iifname "${ifname}" ct state established,related accept`);
      output.push(`oifname "${ifname}" ct state established,related accept`);
      // Neutron drops conntrack's invalid before any rule (an echo reply that answers nothing), as vnet does.
      input.push(`iifname "${ifname}" ct state invalid counter name "ingress_drop" drop comment "connection tracking: invalid"`);
      output.push(`oifname "${ifname}" ct state invalid counter name "egress_drop" drop comment "connection tracking: invalid"`);
    }
    for (const group of groups) {
      for (const r of group.rules) {
        const line = ruleLine(cloud, r, ifname, `${group.name}#${r.index}`);
        if (line !== null) (r.direction === 'ingress' ? input : output).push(line);
      }
    }
  }
  input.push('counter name "ingress_drop" drop comment "no rule allows it"');
  output.push('counter name "egress_drop" drop comment "no rule allows it"');
  return [
    `table inet ${SG_TABLE} {`,
    '  counter ingress_drop { }',
    '  counter egress_drop { }',
    ...chainText('input', ['type filter hook input priority filter; policy drop;', ...input]),
    ...chainText('output', ['type filter hook output priority filter; policy drop;', ...output]),
    '}',
    '',
  ].join('\n');
}

/** One rule as an accepting nftables rule, or null when it can match nothing here. */
function ruleLine(cloud: Cloud, r: SecurityGroupRule, ifname: string, name: string): string | null {
  const family: Family = r.ethertype === 'IPv4' ? 4 : 6;
  const proto = protocolMatch(r.protocol, r.ports, r.icmpType, r.icmpCode, family);
  if (proto === null) return null;
  const ingress = r.direction === 'ingress';
  const field = ingress ? 'saddr' : 'daddr';
  let remote = '';
  if (r.remoteIpPrefix) {
    remote = prefixMatch(field, r.remoteIpPrefix.text);
  } else if (r.remoteGroup !== null) {
    const members = groupAddresses(cloud, r.remoteGroup, family);
    if (members.length === 0) return null;
    remote = addressSetMatch(field, members);
  }
  const iface = ingress ? `iifname "${ifname}"` : `oifname "${ifname}"`;
  return rule(iface, familyMatch(family), remote, proto, 'accept', `comment "${name}"`);
}

/**
 * Addresses of one family of every port in the group, and the prefixes of their allowed address
 * pairs (Neutron's remote_group expansion, as vnet's groupMembers): an element inside another
 * is left out, since an nftables set refuses overlapping intervals.
 */
export function groupAddresses(cloud: Cloud, group: string, family: Family = 4): string[] {
  const found: { text: string; prefix: PrefixValue }[] = [];
  const add = (text: string, cidr: Cidr) => {
    if (cidr.version === family && !found.some((f) => f.text === text)) found.push({ text, prefix: toPrefixValue(cidr) });
  };
  for (const p of cloud.ports.values()) {
    if (!p.securityGroups.includes(group)) continue;
    for (const f of p.fixedIps) add(f.address.text, { version: f.address.ip.version, network: f.address.ip.value, prefix: family === 4 ? 32 : 128 });
    for (const pair of p.allowedAddressPairs) add(pair.prefix.cidr.prefix === (family === 4 ? 32 : 128) ? formatIp({ version: family, value: pair.prefix.cidr.network }) : pair.prefix.text, pair.prefix.cidr);
  }
  return withoutCovered(found).map((f) => f.text);
}
