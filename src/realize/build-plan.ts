/**
 * Cloud → realization plan: the namespaces, links, addresses, routes, rulesets and listeners
 * that make the same cloud out of Linux network namespaces, in the order they must be made.
 * Pure and deterministic: the same cloud and prefix give the same plan, byte for byte.
 *
 * Layout. One `fabric` namespace holds every bridge (a Linux bridge per switch of a network,
 * one per external network; MAC learning for real) and the bridge side of every veth pair, so
 * nothing lands in the root namespace. Each instance, router, load balancer, external host and
 * the internet get a namespace of their own; a port is a veth pair whose inner end carries the
 * port's MAC and addresses from vnet's IPAM. The internet namespace owns every public address
 * (`local 0.0.0.0/0` and `local ::/0` routes, so closed ports refuse as in vnet), routes private
 * ranges and the cloud's own subnets nowhere, and reaches each external host over a /32 (/128)
 * link. IPv6 as vnet's IPAM allocated it: SLAAC (EUI-64) and DHCPv6 addresses are set statically
 * with `nodad`, every default route goes via the subnet's gateway, routers forward IPv6 as well;
 * nothing is learned from the wire (no DAD, router solicitations or autoconfiguration). The
 * fabric namespace has IPv6 off: its bridges only carry frames.
 */
import { prefixContains, toIpValue, toPrefixValue } from '../packet/ip-value.js';
import { parseCidr } from '../address/cidr.js';
import type { Cloud, Port } from '../topology/model.js';
import { balancerRuleset } from './balancer-ruleset.js';
import { downMembers } from './member-health.js';
import { interfaceName, namespaceName } from './names.js';
import { AGENT, type InterfaceEntry, type NamespaceEntry, type Plan, type Step } from './plan.js';
import { routerRuleset } from './router-ruleset.js';
import { securityGroupRuleset } from './security-group-ruleset.js';

/** Neighbour resolution gives up after 3 × 200 ms, inside a probe's 1 s timeout (Linux: 3 s). */
const NEIGH_RETRANS_MS = 200;
/** The internet's side of every external host's /32 link. */
const HOST_LINK_PEER = '169.254.0.1';
/** Ranges the internet does not route (vnet's engine/build-world.ts: private addresses). */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];
const PRIVATE_PREFIXES = PRIVATE_RANGES.map((r) => {
  const c = parseCidr(r);
  if (!c.ok) throw new Error(`bad private range ${r}`);
  return toPrefixValue(c.cidr);
});
/** The internet's side of every external host's IPv6 link (a link-local address, as routers use). */
const HOST_LINK_PEER6 = 'fe80::1';

export function planRealization(cloud: Cloud, prefix: string): Plan {
  const b = new PlanBuilder(prefix);
  const fabric = b.namespace('fabric', 'fabric');
  const hasInternet = cloud.externalNetworks.size > 0 || cloud.externalHosts.size > 0;
  const internet = hasInternet ? b.namespace('internet', 'internet') : null;
  const routerNs = new Map([...cloud.routers.keys()].map((r) => [r, b.namespace(`router ${r}`, 'r', r)]));
  const lbNs = new Map([...cloud.loadBalancers.keys()].map((l) => [l, b.namespace(`load balancer ${l}`, 'lb', l)]));
  const instanceNs = new Map([...cloud.instances.keys()].map((i) => [i, b.namespace(`instance ${i}`, 'i', i)]));
  const hostNs = new Map([...cloud.externalHosts.keys()].map((h) => [h, b.namespace(`external host ${h}`, 'h', h)]));
  const forwarding = new Set([internet, ...routerNs.values(), ...lbNs.values()]);
  for (const ns of b.namespaces) b.prepare(ns.name, ns.name === fabric ? 'bridges' : forwarding.has(ns.name) ? 'forwards' : 'host');

  // Bridges: one per switch of each network, one per external network.
  const bridges = new Map<string, string>();
  const bridge = (key: string, of: string) => {
    const name = `${prefix}b${bridges.size}`;
    bridges.set(key, name);
    b.iface(fabric, name, of);
    b.step(['ip', '-n', fabric, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0'], `bridge for ${of}; floods multicast (neighbour discovery) as an OVN logical switch does`);
    b.step(['ip', '-n', fabric, 'link', 'set', name, 'up'], `bring up the bridge for ${of}`);
  };
  for (const net of cloud.networks.values()) for (const sw of net.switches) bridge(`switch:${sw}`, net.switches.length === 1 ? `network ${net.name}` : `switch ${sw} of ${net.name}`);
  for (const ext of cloud.externalNetworks.keys()) bridge(`external:${ext}`, `external network ${ext}`);
  for (const net of cloud.networks.values()) {
    net.links.forEach(([x, y], i) => {
      const [ex, ey] = [`${prefix}l${i}a`, `${prefix}l${i}b`];
      b.iface(fabric, ex, `link ${x}-${y}`);
      b.iface(fabric, ey, `link ${x}-${y}`);
      b.step(['ip', '-n', fabric, 'link', 'add', ex, 'type', 'veth', 'peer', 'name', ey], `link between switches ${x} and ${y}`);
      b.step(['ip', '-n', fabric, 'link', 'set', ex, 'master', bridges.get(`switch:${x}`)!, 'mtu', String(net.mtu), 'up'], `plug the link into ${x}`);
      b.step(['ip', '-n', fabric, 'link', 'set', ey, 'master', bridges.get(`switch:${y}`)!, 'mtu', String(net.mtu), 'up'], `plug the link into ${y}`);
    });
  }

  // Ports: a veth pair each, bridge side in the fabric, inner side in the owner's namespace.
  const ifnames = new Map<string, string>();
  let portIndex = 0;
  for (const port of cloud.ports.values()) {
    const ns = port.owner.kind === 'instance' ? instanceNs.get(port.owner.name)! : port.owner.kind === 'router' ? routerNs.get(port.owner.name)! : lbNs.get(port.owner.name)!;
    const inner = interfaceName(port.name, `p${portIndex}`);
    const outer = `${prefix}p${portIndex++}`;
    ifnames.set(port.id, inner);
    b.iface(ns, inner, port.id);
    b.iface(fabric, outer, `${port.id} (bridge side)`);
    const br = bridges.get(port.external ? `external:${port.network}` : `switch:${port.switch}`)!;
    const mtu = String(port.external ? 1500 : cloud.networks.get(port.network)!.mtu);
    b.step(['ip', '-n', fabric, 'link', 'add', outer, 'mtu', mtu, 'type', 'veth', 'peer', 'name', inner, 'netns', ns], `port ${port.id}`);
    b.step(['ip', '-n', fabric, 'link', 'set', outer, 'master', br, 'up'], `plug ${port.id} into ${port.external ? `external network ${port.network}` : `switch ${port.switch}`}`);
    b.step(['ip', '-n', ns, 'link', 'set', inner, 'address', port.mac, 'up'], `${port.id} has MAC ${port.mac}`);
    b.fastArp(ns, inner, port.fixedIps.some((f) => f.address.ip.version === 6));
    for (const f of port.fixedIps) {
      const subnet = cloud.subnets.get(f.subnet);
      const len = port.external ? cloud.externalNetworks.get(port.network)!.cidr.cidr.prefix : subnet!.cidr.cidr.prefix;
      if (f.address.ip.version === 4) {
        b.step(['ip', '-n', ns, 'addr', 'add', `${f.address.text}/${len}`, 'dev', inner], `${port.id} address on ${f.subnet}`);
      } else {
        const how = subnet?.gateway?.text === f.address.text ? 'the subnet\'s gateway'
          : subnet?.ipv6AddressMode === 'slaac' ? 'SLAAC (EUI-64 of its MAC)' : subnet?.ipv6AddressMode ?? 'fixed';
        b.step(['ip', '-n', ns, 'addr', 'add', `${f.address.text}/${len}`, 'dev', inner, 'nodad'], `${port.id} address on ${f.subnet}: ${how}, no duplicate address detection`);
      }
    }
  }
  const ifnameOf = (portId: string) => ifnames.get(portId)!;

  // Members vnet's health monitors take down are left out of every balance map, as Octavia does.
  const down = downMembers(cloud);
  for (const d of down) {
    const hm = cloud.loadBalancers.get(d.lb)!.pools.find((p) => p.name === d.pool)!.healthMonitor!;
    b.note(`load balancer ${d.lb} pool ${d.pool}: member ${d.member.instance} (${d.member.address.text}:${d.member.protocolPort}) left out: vnet's ${hm.type} health monitor marks it down (${d.failures} failed checks), and Octavia takes a failed member out of the pool`);
  }

  // Routers: floating IPs answered on the gateway port, default route, extra routes, rulesets.
  for (const router of cloud.routers.values()) {
    const ns = routerNs.get(router.name)!;
    const gw = router.externalGateway;
    if (gw) {
      for (const f of cloud.floatingIps.values()) {
        if (f.router !== router.name || f.address.ip.version !== 4) continue;
        b.step(['ip', '-n', ns, 'addr', 'add', `${f.address.text}/32`, 'dev', ifnameOf(gw.port)], `floating IP ${f.name}: the gateway port answers ARP for it`);
      }
      const extGw = cloud.externalNetworks.get(gw.network)!.gateway;
      if (extGw) b.step(['ip', '-n', ns, ...family(extGw.ip.version), 'route', 'add', 'default', 'via', extGw.text, 'dev', ifnameOf(gw.port)], `default route through external network ${gw.network}`);
    }
    for (const r of router.routes) {
      b.step(['ip', '-n', ns, ...family(r.destination.cidr.version), 'route', 'replace', r.destination.text, 'via', r.nexthop.text], `extra route ${r.destination.text} via ${r.nexthop.text}`);
    }
    b.ruleset(ns, routerRuleset(cloud, router, ifnameOf, down), `router ${router.name}: NAT, load-balancer listeners, network ACLs`);
  }

  // Instances: default routes through the first gateway of each family, host routes, groups.
  for (const inst of cloud.instances.values()) {
    const ns = instanceNs.get(inst.name)!;
    const ports = inst.ports.map((id) => cloud.ports.get(id)!);
    routeHost(cloud, b, ns, ports, ifnameOf);
    b.ruleset(ns, securityGroupRuleset(cloud, ports.map((port) => ({ port, ifname: ifnameOf(port.id) }))), `instance ${inst.name}: security groups`);
  }
  for (const lb of cloud.loadBalancers.values()) {
    const ns = lbNs.get(lb.name)!;
    routeHost(cloud, b, ns, [cloud.ports.get(lb.vipPort)!], ifnameOf);
    b.ruleset(ns, balancerRuleset(lb, down), `load balancer ${lb.name}: listeners`);
  }

  if (internet !== null) planInternet(cloud, b, prefix, fabric, internet, bridges, hostNs);

  // Services: one listener per namespace that declares any.
  for (const inst of cloud.instances.values()) b.listen(instanceNs.get(inst.name)!, inst.services.map((s) => s.text), `instance ${inst.name}`);
  for (const host of cloud.externalHosts.values()) b.listen(hostNs.get(host.name)!, host.services.map((s) => s.text), `external host ${host.name}`);
  return b.plan();
}

/** `-6` for IPv6 steps, so that `default` and link-local next hops read unambiguously. */
const family = (version: 4 | 6): string[] => (version === 6 ? ['-6'] : []);

function routeHost(cloud: Cloud, b: PlanBuilder, ns: string, ports: readonly Port[], ifnameOf: (portId: string) => string): void {
  const routed = new Set<number>();
  for (const port of ports) {
    for (const f of port.fixedIps) {
      const subnet = cloud.subnets.get(f.subnet)!;
      if (!routed.has(subnet.version) && subnet.gateway && subnet.gateway.text !== f.address.text) {
        b.step(['ip', '-n', ns, ...family(subnet.version), 'route', 'add', 'default', 'via', subnet.gateway.text, 'dev', ifnameOf(port.id)], `default route via ${subnet.name}'s gateway`);
        routed.add(subnet.version);
      }
      for (const r of subnet.hostRoutes) {
        b.step(['ip', '-n', ns, ...family(r.destination.cidr.version), 'route', 'replace', r.destination.text, 'via', r.nexthop.text, 'dev', ifnameOf(port.id)], `host route of ${subnet.name}`);
      }
    }
  }
}

function planInternet(cloud: Cloud, b: PlanBuilder, prefix: string, fabric: string, internet: string, bridges: ReadonlyMap<string, string>, hostNs: ReadonlyMap<string, string>): void {
  [...cloud.externalNetworks.values()].forEach((ext, i) => {
    if (!ext.gateway) {
      b.note(`external network ${ext.name} has no gateway: the internet is not attached to it`);
      return;
    }
    const v6 = ext.gateway.ip.version === 6;
    const outer = `${prefix}u${i}`;
    const inner = interfaceName(`x-${ext.name}`, `x${i}`);
    b.iface(fabric, outer, `uplink ${ext.name} (bridge side)`);
    b.iface(internet, inner, `uplink ${ext.name}`);
    b.step(['ip', '-n', fabric, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', internet], `the internet's uplink to ${ext.name}`);
    b.step(['ip', '-n', fabric, 'link', 'set', outer, 'master', bridges.get(`external:${ext.name}`)!, 'up'], `plug the uplink into ${ext.name}`);
    b.step(['ip', '-n', internet, 'link', 'set', inner, 'up'], `bring up the uplink to ${ext.name}`);
    b.fastArp(internet, inner, v6, !v6);
    b.step(['ip', '-n', internet, 'addr', 'add', `${ext.gateway.text}/${ext.cidr.cidr.prefix}`, 'dev', inner, ...(v6 ? ['nodad'] : [])], `${ext.name}'s gateway address`);
  });
  b.step(['ip', '-n', internet, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo'], 'the internet owns every public address (closed ports refuse)');
  b.step(['ip', '-n', internet, '-6', 'route', 'add', 'local', '::/0', 'dev', 'lo', 'table', 'main'],
    'the internet owns every public IPv6 address too (in main, where longer routes win: IPv6 consults the local table first, whole)');
  for (const range of PRIVATE_RANGES) b.step(['ip', '-n', internet, ...family(range.includes(':') ? 6 : 4), 'route', 'add', 'unreachable', range], 'the internet does not route private addresses');
  for (const subnet of cloud.subnets.values()) {
    if (PRIVATE_PREFIXES.some((p) => prefixContains(p, toIpValue({ version: subnet.cidr.cidr.version, value: subnet.cidr.cidr.network })))) continue;
    b.step(['ip', '-n', internet, ...family(subnet.version), 'route', 'add', 'unreachable', subnet.cidr.text], `subnet ${subnet.name} is the cloud's: the internet reaches it only through floating IPs and gateways`);
  }
  [...cloud.externalHosts.values()].forEach((host, i) => {
    const ns = hostNs.get(host.name)!;
    if (host.address.ip.version === 6) {
      planHost6(b, internet, ns, host.name, host.address.text, `h${i}`);
      return;
    }
    const side = `h${i}`;
    b.iface(internet, side, `link to ${host.name}`);
    b.iface(ns, 'eth0', `external host ${host.name}`);
    b.step(['ip', '-n', internet, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `external host ${host.name}'s link`);
    b.step(['ip', '-n', internet, 'link', 'set', side, 'up'], `bring up the link to ${host.name}`);
    b.step(['ip', '-n', internet, 'addr', 'add', `${HOST_LINK_PEER}/32`, 'dev', side], 'the internet\'s end of the /32 link');
    b.step(['ip', '-n', internet, 'route', 'add', `${host.address.text}/32`, 'dev', side], `${host.name} lives behind this link`);
    b.step(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'], `bring up ${host.name}'s link`);
    b.fastArp(ns, 'eth0');
    b.step(['ip', '-n', ns, 'addr', 'add', `${host.address.text}/32`, 'dev', 'eth0'], `${host.name}'s address`);
    b.step(['ip', '-n', ns, 'route', 'add', `${HOST_LINK_PEER}/32`, 'dev', 'eth0'], 'the internet is on-link');
    b.step(['ip', '-n', ns, 'route', 'add', 'default', 'via', HOST_LINK_PEER, 'dev', 'eth0'], 'everything else through the internet');
  });
}

/** An external host with an IPv6 address: a /128 on its side, the internet at fe80::1 on the other. */
function planHost6(b: PlanBuilder, internet: string, ns: string, name: string, address: string, side: string): void {
  b.iface(internet, side, `link to ${name}`);
  b.iface(ns, 'eth0', `external host ${name}`);
  b.step(['ip', '-n', internet, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `external host ${name}'s link`);
  b.step(['ip', '-n', internet, 'link', 'set', side, 'up'], `bring up the link to ${name}`);
  b.fastArp(internet, side, true, false);
  b.step(['ip', '-n', internet, 'addr', 'add', `${HOST_LINK_PEER6}/64`, 'dev', side, 'nodad'], 'the internet\'s end of the link');
  b.step(['ip', '-n', internet, '-6', 'route', 'add', `${address}/128`, 'dev', side], `${name} lives behind this link`);
  b.step(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'], `bring up ${name}'s link`);
  b.fastArp(ns, 'eth0', true, false);
  b.step(['ip', '-n', ns, 'addr', 'add', `${address}/128`, 'dev', 'eth0', 'nodad'], `${name}'s address`);
  b.step(['ip', '-n', ns, '-6', 'route', 'add', 'default', 'via', HOST_LINK_PEER6, 'dev', 'eth0'], 'everything else through the internet');
}

class PlanBuilder {
  readonly namespaces: NamespaceEntry[] = [];
  private readonly interfaces: InterfaceEntry[] = [];
  private readonly steps: Step[] = [];
  private readonly notes: string[] = [];
  private readonly prepared: Step[] = [];

  constructor(private readonly prefix: string) {}

  namespace(role: string, kind: string, name?: string): string {
    let ns = namespaceName(this.prefix, kind, name);
    for (let n = 2; this.namespaces.some((e) => e.name === ns); n++) ns = `${namespaceName(this.prefix, kind, name)}-${n}`;
    this.namespaces.push({ name: ns, role });
    return ns;
  }

  /**
   * Create the namespace and set its sysctls before any interface exists (they are templates):
   * no reverse-path filter; ARP without flux; IPv6 only as planned (no DAD, router solicitations, RAs or
   * autoconfiguration), or off in the fabric; forwarding with ICMP errors unthrottled (a probe
   * must see every unreachable, not one a second).
   */
  prepare(ns: string, kind: 'bridges' | 'forwards' | 'host'): void {
    const role = this.namespaces.find((e) => e.name === ns)!.role;
    this.prepared.push({ argv: ['ip', 'netns', 'add', ns], why: role });
    this.prepared.push({ argv: ['ip', '-n', ns, 'link', 'set', 'lo', 'up'], why: 'loopback' });
    const ipv6 = kind === 'bridges'
      ? ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']
      : ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.default.router_solicitations=0',
        'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0', 'net.ipv6.conf.all.autoconf=0', 'net.ipv6.conf.default.autoconf=0'];
    // ARP answered only on the interface that holds the address, from an address of that
    // interface, as vnet's nodes do and Neutron's L3 agent sets in its router namespaces: else a
    // router with two ports on one network answers for both on both (ARP flux), and traffic
    // enters by the wrong subnet's port and meets that subnet's network ACL.
    const arp = kind === 'bridges' ? [] : ['net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'];
    const sysctls = [
      ...ipv6,
      'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', ...arp,
      ...(kind === 'forwards' ? ['net.ipv4.ip_forward=1', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.icmp.ratelimit=0'] : []),
    ];
    const why = kind === 'bridges' ? 'bridges only: no IPv6 of its own; no reverse-path filter'
      : `addresses as planned, nothing learned from the wire${kind === 'forwards' ? ', forwarding IPv4 and IPv6' : ''}; no reverse-path filter; ARP only for the asking interface's own addresses`;
    this.prepared.push({ argv: ['ip', 'netns', 'exec', ns, 'sysctl', '-qw', ...sysctls], why });
  }

  /** ARP (and ND where IPv6 is used; only ND on an IPv6 link) on this interface gives up in 3 × 200 ms (a namespace has no neigh/default sysctl). */
  fastArp(ns: string, ifname: string, ipv6 = false, arp = true): void {
    if (arp) this.step(['ip', '-n', ns, 'ntable', 'change', 'name', 'arp_cache', 'dev', ifname, 'retrans', String(NEIGH_RETRANS_MS)], `ARP gives up in ${3 * NEIGH_RETRANS_MS} ms, inside a probe's timeout`);
    if (ipv6) this.step(['ip', '-n', ns, 'ntable', 'change', 'name', 'ndisc_cache', 'dev', ifname, 'retrans', String(NEIGH_RETRANS_MS)], `neighbour discovery gives up in ${3 * NEIGH_RETRANS_MS} ms, inside a probe's timeout`);
  }

  iface(namespace: string, name: string, of: string): void {
    this.interfaces.push({ namespace, name, of });
  }

  step(argv: string[], why: string): void {
    this.steps.push({ argv, why });
  }

  ruleset(ns: string, text: string | null, why: string): void {
    if (text !== null) this.steps.push({ argv: ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], stdin: text, why });
  }

  listen(ns: string, services: readonly string[], who: string): void {
    if (services.length === 0) return;
    this.steps.push({ argv: ['ip', 'netns', 'exec', ns, 'node', AGENT, 'listen', ...services], background: true, why: `${who} listens on ${services.join(', ')}` });
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  plan(): Plan {
    return { prefix: this.prefix, namespaces: this.namespaces, interfaces: this.interfaces, up: [...this.prepared, ...this.steps], notes: this.notes };
  }
}
