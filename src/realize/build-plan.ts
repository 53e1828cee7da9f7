/**
 * Cloud → realization plan: the namespaces, links, addresses, routes, rulesets and listeners
 * that make the same cloud out of Linux network namespaces, in the order they must be made.
 * Pure and deterministic: the same cloud and prefix give the same plan, byte for byte.
 *
 * Layout. One `fabric` namespace holds every bridge (a Linux bridge per switch of a network,
 * one per external network; MAC learning for real) and the bridge side of every veth pair, so
 * nothing lands in the root namespace. Each instance, router, load balancer, external host and
 * the internet get a namespace of their own; a port is a veth pair whose inner end carries the
 * port's MAC and addresses from vnet's IPAM. The internet namespace (internet-plan.ts) owns
 * every public address (`local 0.0.0.0/0` and `local ::/0` routes, so closed ports refuse as in
 * vnet), routes private ranges and the cloud's own subnets nowhere, and reaches each external
 * host over a /32 (/128) link. IPv6 as vnet's IPAM allocated it: SLAAC (EUI-64) and DHCPv6 addresses are set statically
 * with `nodad`, every default route goes via the subnet's gateway, routers forward IPv6 as well;
 * nothing is learned from the wire (no DAD, router solicitations or autoconfiguration). The
 * fabric namespace has IPv6 off: its bridges only carry frames.
 */
import type { Cloud, Port } from '../topology/model.js';
import { balancerRuleset } from './balancer-ruleset.js';
import { downMembers } from './member-health.js';
import { interfaceName } from './names.js';
import { portSecurityRuleset } from './port-security-ruleset.js';
import { planInternet } from './internet-plan.js';
import { family, PlanBuilder } from './plan-builder.js';
import type { Plan } from './plan.js';
import { routerRuleset } from './router-ruleset.js';
import { securityGroupRuleset } from './security-group-ruleset.js';

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
  const bridgeSides = new Map<string, string>();
  let portIndex = 0;
  for (const port of cloud.ports.values()) {
    const ns = port.owner.kind === 'instance' ? instanceNs.get(port.owner.name)! : port.owner.kind === 'router' ? routerNs.get(port.owner.name)! : lbNs.get(port.owner.name)!;
    const inner = interfaceName(port.name, `p${portIndex}`);
    const outer = `${prefix}p${portIndex++}`;
    ifnames.set(port.id, inner);
    bridgeSides.set(port.id, outer);
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
  // Port security on the switch side of every instance port, as Neutron's firewall does it.
  const instancePorts = [...cloud.ports.values()].filter((p) => p.owner.kind === 'instance');
  b.ruleset(fabric, portSecurityRuleset(instancePorts.map((port) => ({ port, bridgeSide: bridgeSides.get(port.id)! }))), 'port security: what an instance port sends carries its own MAC and addresses');

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
