/**
 * A router's NAT, load-balancer listeners and network ACLs as one nftables ruleset in its
 * namespace, in the order Neutron's L3 agent (and OVN's router pipeline) applies them:
 * prerouting DNATs load-balancer listeners (OVN applies a VIP in the router, keeping the
 * client's address) and then floating IPs and port forwardings; postrouting SNATs a floating
 * IP's fixed address to it, everything else leaving by the gateway to the gateway address
 * (`snat: true`), and a flow sent to a floating IP from inside (hairpin) to the gateway address,
 * so replies come back through the router (the L3 agent's `--ctstate DNAT -j SNAT` rule); a
 * VIP's member on the client's own link to the router's address there (src/routing/nat.ts).
 * With `neutron_backend: ovn` the router SNAT and the hairpin SNAT to the gateway take only
 * sources in the subnets the router is attached to (`ip saddr`, OVN's snat rows) and only when
 * `snat` is on, and a balancer's floating IP is one of its VIPs (no floating-IP hairpin). One
 * OVN behaviour has no nftables form: a hairpin flow no row covers is not un-DNATed on its way
 * back in OVN (lr_out_undnat acts on the gateway port only), while the kernel's conntrack always
 * reverses its DNAT, so there the client gets its answer; the member sees the same source.
 * Network ACLs are stateless checks where traffic leaves a subnet (`iifname qr-…`) and enters
 * one (`oifname qr-…`), first match wins, then a counted implicit deny; a rule is for the family
 * of its CIDR, in IPv4 and IPv6 alike. IPv6 load-balancer VIPs and an IPv6 external gateway's
 * SNAT (vnet SNATs IPv6 too) go in an `ip6` table of their own; floating IPs are IPv4's.
 */
import type { AclRule, Cloud, LoadBalancer, Router } from '../topology/model.js';
import { memberMap } from './balance-map.js';
import { downIn, type DownMember } from './member-health.js';
import { chainText, familyMatch, forwardDispatchTable, prefixMatch, protocolMatch, rule, setOf } from './nft-match.js';

export const NAT_TABLE = 'vnet_nat';
export const ACL_TABLE = 'vnet_acl';
export const ACL_DROP_COUNTER = 'acl_drop';

/** The router's ruleset, or null when it has nothing to translate or filter. */
export function routerRuleset(cloud: Cloud, router: Router, ifnameOf: (portId: string) => string, down: readonly DownMember[] = []): string | null {
  const tables = [natTable(cloud, router, ifnameOf, down), nat6Table(cloud, router, ifnameOf, down), aclTable(cloud, router, ifnameOf)].filter((t) => t !== null);
  return tables.length === 0 ? null : tables.join('');
}

/** Load balancers in dnat mode with a VIP of the family on a subnet this router is attached to (the router serves their VIPs). */
export function routedBalancers(cloud: Cloud, router: Router, family: 4 | 6 = 4): LoadBalancer[] {
  const subnets = new Set(router.interfaces.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.subnet)));
  return [...cloud.loadBalancers.values()].filter((lb) => lb.mode === 'dnat' && subnets.has(lb.subnet) && lb.vip.ip.version === family);
}

/** A balancer's listeners as DNAT rules (prerouting), or rejects where no member can serve (forward). */
function listenerRules(lb: LoadBalancer, fronts: readonly string[], family: 4 | 6, down: readonly DownMember[], pre: string[], forward: string[]): void {
  const ip = family === 4 ? 'ip' : 'ip6';
  const daddr = `${ip} daddr ${setOf(fronts)}`;
  for (const l of lb.listeners) {
    const proto = l.protocol === 'udp' ? 'udp' : 'tcp';
    const pool = lb.pools.find((p) => p.name === l.pool)!;
    const map = memberMap(pool, downIn(down, lb, pool), family);
    if (map === null) {
      const reject = proto === 'tcp' ? 'reject with tcp reset' : 'reject';
      forward.push(rule(daddr, `${proto} dport ${l.port}`, reject, `comment "${lb.name}: no member can serve"`));
    } else {
      pre.push(rule(daddr, `${proto} dport ${l.port}`, `dnat ${ip} to ${map}`, `comment "${lb.name} ${proto}/${l.port} → ${l.pool}"`));
    }
  }
}

function natTable(cloud: Cloud, router: Router, ifnameOf: (portId: string) => string, down: readonly DownMember[]): string | null {
  const pre: string[] = [];
  const forward: string[] = [];
  const post: string[] = [];
  const fips = [...cloud.floatingIps.values()].filter((f) => f.router === router.name && f.address.ip.version === 4);
  for (const lb of routedBalancers(cloud, router)) {
    const fronts = [lb.vip.text, ...fips.filter((f) => f.fixedAddress?.text === lb.vip.text).map((f) => f.address.text)];
    listenerRules(lb, fronts, 4, down, pre, forward);
  }
  const gw = router.externalGateway;
  const qg = gw ? `"${ifnameOf(gw.port)}"` : null;
  const ovn = cloud.neutronBackend === 'ovn';
  for (const f of fips) {
    for (const pf of f.portForwardings) {
      pre.push(rule(`ip daddr ${f.address.text}`, `${pf.protocol} dport ${pf.externalPort}`, `dnat ip to ${pf.internalAddress.text}:${pf.internalPort}`, `comment "${f.name} port forwarding"`));
    }
  }
  for (const f of fips) {
    if (f.fixedAddress === null) continue;
    pre.push(rule(`ip daddr ${f.address.text}`, `dnat ip to ${f.fixedAddress.text}`, `comment "${f.name}"`));
  }
  if (qg !== null && gw && gw.address.ip.version === 4) {
    // Hairpin (the L3 agent's `--ctstate DNAT -j SNAT`): flows sent to a floating IP from inside.
    // Under OVN a balancer's floating IP is another VIP of its load balancer, not a hairpin.
    const vips = new Set(routedBalancers(cloud, router).map((lb) => lb.vip.text));
    const floating = fips.filter((f) => !(ovn && f.fixedAddress !== null && vips.has(f.fixedAddress.text))).map((f) => f.address.text);
    const sentToFloating = floating.length === 0 ? null : `ct original ip daddr ${setOf(floating)}`;
    for (const f of fips) {
      if (f.fixedAddress === null) continue;
      post.push(rule(`iifname != ${qg}`, `ip saddr ${f.fixedAddress.text}`, `oifname ${qg}`, `snat ip to ${f.address.text}`, `comment "${f.name} outbound"`));
      if (sentToFloating) post.push(rule(`iifname != ${qg}`, `oifname != ${qg}`, 'ct status dnat', sentToFloating, `ip saddr ${f.fixedAddress.text}`, `snat ip to ${f.address.text}`, `comment "${f.name} hairpin"`));
    }
    if (ovn) {
      // OVN's snat rows: one per attached subnet, and nothing without `snat`.
      const rows = snatRows(cloud, router, 4);
      if (gw.snat && rows !== null) {
        post.push(rule(`iifname != ${qg}`, `oifname ${qg}`, `ip saddr ${rows}`, `snat ip to ${gw.address.text}`, 'comment "ovn: snat rows of the attached subnets"'));
        if (sentToFloating) post.push(rule(`iifname != ${qg}`, `oifname != ${qg}`, 'ct status dnat', sentToFloating, `ip saddr ${rows}`, `snat ip to ${gw.address.text}`, 'comment "ovn hairpin: the client\'s snat row, before the egress loopback"'));
      }
    } else {
      if (gw.snat) post.push(rule(`iifname != ${qg}`, `oifname ${qg}`, `snat ip to ${gw.address.text}`, 'comment "router SNAT"'));
      if (sentToFloating) post.push(rule(`iifname != ${qg}`, `oifname != ${qg}`, 'ct status dnat', sentToFloating, `snat ip to ${gw.address.text}`, 'comment "hairpin: sent to a floating IP, DNATed back inside"'));
    }
  }
  post.push(...sameLinkHairpin(cloud, router, ifnameOf, 4));
  return natTableText(`ip ${NAT_TABLE}`, pre, forward, post);
}

/** The CIDRs of the router's attached subnets of a family as an nftables set (OVN's snat rows), or null. */
function snatRows(cloud: Cloud, router: Router, family: 4 | 6): string | null {
  const cidrs = [...new Set(router.interfaces.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.subnet)))]
    .map((name) => cloud.subnets.get(name)!).filter((s) => s.version === family).map((s) => s.cidr.text);
  return cidrs.length === 0 ? null : setOf(cidrs);
}

/**
 * A VIP's member on the link the client came from would answer the client directly: SNAT to the
 * router's address on that link (OVN's lb_force_snat_ip=router_ip). Clients elsewhere keep their
 * address; the member's replies come back through the router anyway.
 */
function sameLinkHairpin(cloud: Cloud, router: Router, ifnameOf: (portId: string) => string, family: 4 | 6): string[] {
  if (routedBalancers(cloud, router, family).length === 0) return [];
  const out: string[] = [];
  for (const portId of router.interfaces) {
    const own = cloud.ports.get(portId)!.fixedIps.find((f) => f.address.ip.version === family);
    if (!own) continue;
    const ifname = `"${ifnameOf(portId)}"`;
    out.push(rule(`iifname ${ifname}`, `oifname ${ifname}`, 'ct status dnat', `snat ${family === 4 ? 'ip' : 'ip6'} to ${own.address.text}`, 'comment "hairpin: VIP member on the client\'s link"'));
  }
  return out;
}

function natTableText(table: string, pre: readonly string[], forward: readonly string[], post: readonly string[]): string | null {
  if (pre.length + post.length + forward.length === 0) return null;
  const chain = (name: string, hook: string, lines: readonly string[]) => (lines.length === 0 ? [] : chainText(name, [`type ${hook};`, ...lines]));
  return [
    `table ${table} {`,
    ...chain('prerouting', 'nat hook prerouting priority dstnat; policy accept', pre),
    ...chain('forward', 'filter hook forward priority filter; policy accept', forward),
    ...chain('postrouting', 'nat hook postrouting priority srcnat; policy accept', post),
    '}',
    '',
  ].join('\n');
}

/** IPv6: load-balancer VIPs the router serves, and an external gateway with `snat: true` (vnet SNATs IPv6 too). */
function nat6Table(cloud: Cloud, router: Router, ifnameOf: (portId: string) => string, down: readonly DownMember[]): string | null {
  const pre: string[] = [];
  const forward: string[] = [];
  const post: string[] = [];
  for (const lb of routedBalancers(cloud, router, 6)) listenerRules(lb, [lb.vip.text], 6, down, pre, forward);
  const gw = router.externalGateway;
  if (gw && gw.snat && gw.address.ip.version === 6) {
    const qg = `"${ifnameOf(gw.port)}"`;
    if (cloud.neutronBackend !== 'ovn') post.push(rule(`iifname != ${qg}`, `oifname ${qg}`, `snat ip6 to ${gw.address.text}`, 'comment "router SNAT"'));
    else {
      const rows = snatRows(cloud, router, 6);
      if (rows !== null) post.push(rule(`iifname != ${qg}`, `oifname ${qg}`, `ip6 saddr ${rows}`, `snat ip6 to ${gw.address.text}`, 'comment "ovn: snat rows of the attached subnets"'));
    }
  }
  post.push(...sameLinkHairpin(cloud, router, ifnameOf, 6));
  return natTableText(`ip6 ${NAT_TABLE}6`, pre, forward, post);
}

function aclTable(cloud: Cloud, router: Router, ifnameOf: (portId: string) => string): string | null {
  const dispatch: string[] = [];
  const chains: string[] = [];
  for (const portId of router.interfaces) {
    const port = cloud.ports.get(portId)!;
    for (const f of port.fixedIps) {
      const aclName = cloud.subnets.get(f.subnet)?.networkAcl;
      if (!aclName) continue;
      const acl = cloud.networkAcls.get(aclName)!;
      const ifname = ifnameOf(portId);
      const out = `${f.subnet}_out`.replace(/[^A-Za-z0-9_]/g, '_');
      const inn = `${f.subnet}_in`.replace(/[^A-Za-z0-9_]/g, '_');
      dispatch.push(`iifname "${ifname}" jump ${out} comment "leaving subnet ${f.subnet}"`);
      dispatch.push(`oifname "${ifname}" jump ${inn} comment "entering subnet ${f.subnet}"`);
      chains.push(...aclChain(out, acl.egress, 'daddr', `${acl.name} egress`), ...aclChain(inn, acl.ingress, 'saddr', `${acl.name} ingress`));
    }
  }
  if (dispatch.length === 0) return null;
  return forwardDispatchTable(`inet ${ACL_TABLE}`, ACL_DROP_COUNTER, dispatch, chains);
}

function aclChain(name: string, rules: readonly AclRule[], field: 'saddr' | 'daddr', what: string): string[] {
  const lines: string[] = [];
  for (const r of rules) {
    const family = r.cidr.cidr.version;
    const proto = protocolMatch(r.protocol, r.ports, r.icmpType, r.icmpCode, family);
    if (proto === null) continue;
    lines.push(rule(familyMatch(family), prefixMatch(field, r.cidr.text), proto,
      r.action === 'allow' ? 'return' : `counter name "${ACL_DROP_COUNTER}" drop`, `comment "${what} rule ${r.number}"`));
  }
  lines.push(`counter name "${ACL_DROP_COUNTER}" drop comment "${what}: implicit deny"`);
  return chainText(name, lines);
}
