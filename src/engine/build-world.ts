/**
 * Turns a resolved Cloud into the simulator's nodes and wires: a switch per network and per
 * external network, a host per instance and external host, a router per router, and the
 * internet, with each node's interfaces and route table. Nothing on the hot path parses text
 * afterwards. Instances, networks and routers are built the first time the simulator reaches
 * them (a trace in a cloud of 100,000 instances meets a few dozen nodes); a node is built the
 * same whenever that happens, so traces do not depend on it.
 */
import { toIpValue, toPrefixValue, formatIpValue, prefixContains, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { Mac } from '../address/mac.js';
import type { Cloud, Instance, Network, Port, Router } from '../topology/model.js';
import { RouterNat, type FloatingIpRule } from '../routing/nat.js';
import { Balancer } from '../lb/balancer.js';
import { LbNode } from '../lb/lb-node.js';
import { nodeId, INTERNET, switchNodeOf } from '../topology/graph.js';
import { RouterNode, type InterfaceAcl } from '../routing/router.js';
import { AclEvaluator } from '../firewall/network-acl.js';
import { SwitchNode } from '../switching/switch.js';
import { respond } from '../l3/host-stack.js';
import { HostNode } from './host.js';
import { HOST_IN_PIPELINE, LB_PIPELINE, ROUTER_PIPELINE, ROUTER_RECEIVE_PIPELINE, SWITCH_PIPELINE } from './pipeline.js';
import type { InterfaceAddress, L3Interface } from '../l3/l3-interface.js';
import type { FrameMeta, Sim, SimNode } from './node-contract.js';
import type { PortFirewall } from '../firewall/port-firewall.js';
import { LazyMap } from '../util/lazy-map.js';

export interface WireEnd {
  readonly node: string;
  readonly port: string;
}

export interface World {
  /** Node id → node; every id is listed, a node is built when first asked for. */
  readonly nodes: ReadonlyMap<string, SimNode>;
  /** Node → port → the other end of that link (two lookups, no string building per frame). */
  readonly wires: ReadonlyMap<string, ReadonlyMap<string, WireEnd>>;
  /** Port id → the device node that owns it (instances, routers, hosts, the internet). */
  readonly portOwner: ReadonlyMap<string, string>;
  /** The load balancers' nodes, in the cloud's order (built up front: their health monitors start at once). */
  readonly loadBalancers: readonly LbNode[];
}

/** MACs outside the cloud (the internet's side of links) use locally administered addresses. */
const INTERNET_MAC_BASE = 0x02_49_4e_00_00_00; // 02:49:4e ("IN")
const EXTERNAL_HOST_MAC_BASE = 0x02_45_48_00_00_00; // 02:45:48 ("EH")

const PRIVATE_V4: [number, number][] = [[0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16]];

/**
 * @param filters each instance port's filter (port security, security groups), installed in its
 * host when the host is built; none when the firewall is off
 */
export function buildWorld(cloud: Cloud, filters?: ReadonlyMap<string, PortFirewall>): World {
  const subnetPrefix = (name: string) => toPrefixValue(cloud.subnets.get(name)?.cidr.cidr ?? cloud.externalNetworks.get(name)!.cidr.cidr);
  const ifaceOf = (port: Port): L3Interface => ({
    port: port.id, mac: port.macValue,
    addrs: port.fixedIps.map((f): InterfaceAddress => ({ ip: toIpValue(f.address.ip), prefix: subnetPrefix(f.subnet) })),
  });
  const ownerOf = (p: Port): string => (p.owner.kind === 'instance' ? nodeId.instance(p.owner.name) : p.owner.kind === 'router' ? nodeId.router(p.owner.name) : nodeId.loadBalancer(p.owner.name));
  const linkName = (n: Network, a: string, b: string) => `${n.name}:${a}>${b}`;

  // Built up front: the internet and external hosts, the external networks' switches, the load
  // balancers (their health monitors start with the simulator, and routers' NAT serves their VIPs).
  const eager = new Map<string, SimNode>();
  const eagerWires = new Map<string, Map<string, WireEnd>>();
  const eagerOwner = new Map<string, string>();
  const wire = (a: WireEnd, b: WireEnd) => {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      let ports = eagerWires.get(x.node);
      if (!ports) eagerWires.set(x.node, (ports = new Map()));
      ports.set(x.port, y);
    }
  };
  for (const e of cloud.externalNetworks.values()) {
    eager.set(nodeId.external(e.name), new SwitchNode(nodeId.external(e.name), [...e.ports, `internet/${e.name}`], SWITCH_PIPELINE));
  }
  const balancers = buildLoadBalancers(cloud, eager, subnetPrefix);
  const loadBalancers = [...cloud.loadBalancers.values()].map((lb) => eager.get(nodeId.loadBalancer(lb.name)) as LbNode);
  const hasInternet = cloud.externalNetworks.size > 0 || cloud.externalHosts.size > 0;
  if (hasInternet) buildInternet(cloud, eager, wire, eagerOwner);

  const evaluators = new Map<string, AclEvaluator>();
  const evaluator = (name: string): AclEvaluator => {
    let e = evaluators.get(name);
    if (!e) evaluators.set(name, (e = new AclEvaluator(cloud.networkAcls.get(name)!)));
    return e;
  };

  const buildSwitch = (n: Network, sw: string): SwitchNode => {
    const responder = new Map<number, Mac>();
    if (n.arpResponder) {
      for (const id of n.ports) for (const f of cloud.ports.get(id)!.fixedIps) if (f.address.ip.version === 4) responder.set(Number(f.address.ip.value), cloud.ports.get(id)!.macValue);
    }
    // A fabric's switches are joined by links; each end is a port of its switch.
    const linkPorts: string[] = [];
    for (const [a, b] of n.links) {
      if (a === sw) linkPorts.push(linkName(n, a, b));
      if (b === sw) linkPorts.push(linkName(n, b, a));
    }
    const ports = [...n.ports.filter((id) => cloud.ports.get(id)!.switch === sw), ...linkPorts];
    return new SwitchNode(nodeId.switch(n, sw), ports, SWITCH_PIPELINE, responder);
  };

  const buildInstance = (inst: Instance): HostNode => {
    const ifaces = new Map<string, L3Interface>();
    const host = new HostNode(nodeId.instance(inst.name), ifaces, inst.services, HOST_IN_PIPELINE);
    const gateways = new Map<4 | 6, { port: string; ip: IpValue }>();
    for (const id of inst.ports) {
      const port = cloud.ports.get(id)!;
      ifaces.set(id, ifaceOf(port));
      for (const f of port.fixedIps) {
        const s = cloud.subnets.get(f.subnet)!;
        host.routes.add({ prefix: toPrefixValue(s.cidr.cidr), port: id, nexthop: null, kind: 'connected', text: `${s.cidr.text} dev ${port.name}` });
        for (const hr of s.hostRoutes) host.routes.add({ prefix: toPrefixValue(hr.destination.cidr), port: id, nexthop: toIpValue(hr.nexthop.ip), kind: 'host', text: `${hr.destination.text} via ${hr.nexthop.text} (host route of ${s.name})` });
        if (s.gateway && !gateways.has(s.version)) gateways.set(s.version, { port: id, ip: toIpValue(s.gateway.ip) });
      }
    }
    for (const [version, gw] of gateways) {
      const any = toPrefixValue({ version, network: 0n, prefix: 0 });
      host.routes.add({ prefix: any, port: gw.port, nexthop: gw.ip, kind: 'default', text: `default via ${formatIpValue(gw.ip)} dev ${cloud.ports.get(gw.port)!.name}` });
    }
    // Each filter sits on its instance's port: the host runs it on what it sends and receives.
    for (const id of inst.ports) {
      const fw = filters?.get(id);
      if (fw) host.installFilter(id, fw);
    }
    return host;
  };

  const buildRouter = (r: Router): RouterNode => {
    const ifaces = new Map<string, L3Interface>();
    const acls = new Map<string, InterfaceAcl>();
    for (const id of r.interfaces) {
      const subnet = cloud.ports.get(id)!.fixedIps[0]?.subnet;
      const aclName = subnet ? cloud.subnets.get(subnet)?.networkAcl : null;
      if (subnet && aclName) acls.set(id, { subnet, evaluator: evaluator(aclName) });
    }
    const nat = natFor(cloud, r, balancers);
    const router = new RouterNode(nodeId.router(r.name), ifaces, { acls, stages: ROUTER_PIPELINE, receive: ROUTER_RECEIVE_PIPELINE, ...(nat ? { nat } : {}) });
    const ports = [...r.interfaces, ...(r.externalGateway ? [r.externalGateway.port] : [])].map((id) => cloud.ports.get(id)!);
    for (const port of ports) {
      const base = ifaceOf(port);
      // The gateway port answers ARP for the router's floating IPs (Neutron's qg- device holds them).
      const iface = nat && port.id === r.externalGateway?.port ? { ...base, proxyArp: new Set(nat.floatingAddresses) } : base;
      ifaces.set(port.id, iface);
      for (const a of iface.addrs) {
        const cidr = port.fixedIps.find((f) => toIpValue(f.address.ip) === a.ip)!;
        router.routes.add({ prefix: a.prefix, port: port.id, nexthop: null, kind: 'connected', text: `${cloud.subnets.get(cidr.subnet)?.cidr.text ?? cloud.externalNetworks.get(cidr.subnet)!.cidr.text} connected via ${port.name}` });
      }
    }
    for (const route of r.routes) {
      const next = toIpValue(route.nexthop.ip);
      const out = router.routes.lookup(next);
      if (out) router.routes.add({ prefix: toPrefixValue(route.destination.cidr), port: out.port, nexthop: next, kind: 'static', text: `${route.destination.text} via ${route.nexthop.text} (static)` });
    }
    const gw = r.externalGateway && cloud.externalNetworks.get(r.externalGateway.network)!.gateway;
    if (r.externalGateway && gw) {
      router.routes.add({ prefix: toPrefixValue({ version: gw.ip.version, network: 0n, prefix: 0 }), port: r.externalGateway.port, nexthop: toIpValue(gw.ip), kind: 'default', text: `default via ${gw.text} (external gateway on ${r.externalGateway.network})` });
    }
    return router;
  };

  /** The network and switch of a switch node id (`network:app`, or `network:app/tor-1` in a fabric). */
  const switchAt = (id: string): [Network, string] | undefined => {
    const rest = id.slice('network:'.length);
    const whole = cloud.networks.get(rest);
    if (whole && whole.switches.length === 1) return [whole, whole.switches[0]!];
    const slash = rest.lastIndexOf('/');
    const n = slash > 0 ? cloud.networks.get(rest.slice(0, slash)) : undefined;
    const sw = rest.slice(slash + 1);
    return n && n.switches.length > 1 && n.switches.includes(sw) ? [n, sw] : undefined;
  };
  const named = <T>(id: string, prefix: string, m: ReadonlyMap<string, T>): T | undefined => (id.startsWith(prefix) ? m.get(id.slice(prefix.length)) : undefined);

  const makeNode = (id: string): SimNode | undefined => {
    const e = eager.get(id);
    if (e) return e;
    const inst = named(id, 'instance:', cloud.instances);
    if (inst) return buildInstance(inst);
    const r = named(id, 'router:', cloud.routers);
    if (r) return buildRouter(r);
    const at = id.startsWith('network:') ? switchAt(id) : undefined;
    return at ? buildSwitch(...at) : undefined;
  };
  // Every node id, in the order an eager build added them.
  const nodeIds = (): string[] => {
    const ids: string[] = [];
    for (const n of cloud.networks.values()) for (const sw of n.switches) ids.push(nodeId.switch(n, sw));
    for (const e of cloud.externalNetworks.values()) ids.push(nodeId.external(e.name));
    for (const i of cloud.instances.values()) ids.push(nodeId.instance(i.name));
    for (const lb of cloud.loadBalancers.values()) ids.push(nodeId.loadBalancer(lb.name));
    for (const r of cloud.routers.values()) ids.push(nodeId.router(r.name));
    for (const h of cloud.externalHosts.values()) ids.push(nodeId.host(h.name));
    if (hasInternet) ids.push(INTERNET);
    return ids;
  };

  // A node's wires: its own ports to the switches they plug into, a switch's ports to their owners.
  const makeWires = (id: string): ReadonlyMap<string, WireEnd> | undefined => {
    const out = new Map<string, WireEnd>();
    const toSwitch = (portId: string) => out.set(portId, { node: switchNodeOf(cloud, portId), port: portId });
    const toOwner = (portId: string) => out.set(portId, { node: ownerOf(cloud.ports.get(portId)!), port: portId });
    const inst = named(id, 'instance:', cloud.instances);
    const r = inst ? undefined : named(id, 'router:', cloud.routers);
    const lb = inst || r ? undefined : named(id, 'lb:', cloud.loadBalancers);
    const ext = inst || r || lb ? undefined : named(id, 'external:', cloud.externalNetworks);
    const at = inst || r || lb || ext || !id.startsWith('network:') ? undefined : switchAt(id);
    if (inst) inst.ports.forEach(toSwitch);
    else if (r) [...r.interfaces, ...(r.externalGateway ? [r.externalGateway.port] : [])].forEach(toSwitch);
    else if (lb) toSwitch(lb.vipPort);
    else if (ext) ext.ports.forEach(toOwner);
    else if (at) {
      const [n, sw] = at;
      for (const [a, b] of n.links) {
        if (a === sw) out.set(linkName(n, a, b), { node: nodeId.switch(n, b), port: linkName(n, b, a) });
        if (b === sw) out.set(linkName(n, b, a), { node: nodeId.switch(n, a), port: linkName(n, a, b) });
      }
      for (const p of n.ports) if (cloud.ports.get(p)!.switch === sw) toOwner(p);
    }
    // The internet's side (its links to external networks and hosts) was wired up front.
    for (const [port, end] of eagerWires.get(id) ?? []) out.set(port, end);
    return out.size > 0 ? out : undefined;
  };

  const portOwner = new LazyMap<string, string>(
    () => [...cloud.ports.keys(), ...eagerOwner.keys()],
    (port) => { const p = cloud.ports.get(port); return p ? ownerOf(p) : eagerOwner.get(port); },
  );
  return { nodes: new LazyMap(nodeIds, makeNode), wires: new LazyMap(nodeIds, makeWires), portOwner, loadBalancers };
}

/** A load balancer node per LB (VIP port, health monitors) and its shared Balancer. */
function buildLoadBalancers(cloud: Cloud, nodes: Map<string, SimNode>, subnetPrefix: (s: string) => PrefixValue): Map<string, Balancer> {
  const out = new Map<string, Balancer>();
  for (const lb of cloud.loadBalancers.values()) {
    const vip = toIpValue(lb.vip.ip);
    const balancer = new Balancer(lb, vip, (m) => toIpValue(m.address.ip));
    const port = cloud.ports.get(lb.vipPort)!;
    const node = new LbNode(nodeId.loadBalancer(lb.name), { port: port.id, mac: port.macValue, addrs: [{ ip: vip, prefix: subnetPrefix(lb.subnet) }] }, balancer, LB_PIPELINE);
    const subnet = cloud.subnets.get(lb.subnet)!;
    node.routes.add({ prefix: subnetPrefix(lb.subnet), port: port.id, nexthop: null, kind: 'connected', text: `${subnet.cidr.text} dev vip` });
    if (subnet.gateway) node.routes.add({ prefix: toPrefixValue({ version: subnet.version, network: 0n, prefix: 0 }), port: port.id, nexthop: toIpValue(subnet.gateway.ip), kind: 'default', text: `default via ${subnet.gateway.text}` });
    nodes.set(node.id, node);
    out.set(lb.name, balancer);
  }
  return out;
}

function natFor(cloud: Cloud, r: Router, balancers: Map<string, Balancer>): RouterNat | undefined {
  // The router serves the VIPs of load balancers on the subnets it is attached to.
  const attached = new Set(r.interfaces.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.subnet)));
  const served = new Map<IpValue, Balancer>();
  // `dnat` load balancers are applied in the router (client address kept, as OVN does); `proxy`
  // ones are not: their traffic goes to the LB node, which stands in for the client (amphora).
  for (const b of balancers.values()) if (attached.has(b.lb.subnet) && b.lb.mode === 'dnat') served.set(b.vip, b);
  if (!r.externalGateway) return served.size ? new RouterNat({ gatewayPort: null, gatewayIp: null, snat: false, floatingIps: [], balancers: served }) : undefined;
  const floatingIps: FloatingIpRule[] = [...cloud.floatingIps.values()].filter((f) => f.router === r.name).map((f) => ({
    name: f.name,
    floating: toIpValue(f.address.ip),
    fixed: f.fixedAddress ? toIpValue(f.fixedAddress.ip) : null,
    forwardings: f.portForwardings.map((pf) => ({ proto: pf.protocol, externalPort: pf.externalPort, internal: toIpValue(pf.internalAddress.ip), internalPort: pf.internalPort })),
  }));
  // ML2/OVN's snat rows: one per subnet attached to the router (the L3 agent needs none).
  const snatRows = cloud.neutronBackend === 'ovn' ? [...attached].map((name) => { const s = cloud.subnets.get(name)!; return { subnet: name, cidr: s.cidr.text, prefix: toPrefixValue(s.cidr.cidr) }; }) : undefined;
  return new RouterNat({ gatewayPort: r.externalGateway.port, gatewayIp: toIpValue(r.externalGateway.address.ip), snat: r.externalGateway.snat, floatingIps, balancers: served, backend: cloud.neutronBackend, snatRows });
}

function buildInternet(cloud: Cloud, nodes: Map<string, SimNode>, wire: (a: WireEnd, b: WireEnd) => void, portOwner: Map<string, string>): void {
  const ifaces = new Map<string, L3Interface>();
  const internet = new RouterNode(INTERNET, ifaces, { localDelivery: answerAsPublicHost, stages: ROUTER_PIPELINE, receive: ROUTER_RECEIVE_PIPELINE });
  let i = 0;
  for (const e of cloud.externalNetworks.values()) {
    const port = `internet/${e.name}`;
    const prefix = toPrefixValue(e.cidr.cidr);
    ifaces.set(port, { port, mac: INTERNET_MAC_BASE + ++i, addrs: e.gateway ? [{ ip: toIpValue(e.gateway.ip), prefix }] : [] });
    internet.routes.add({ prefix, port, nexthop: null, kind: 'connected', text: `${e.cidr.text} connected via ${e.name}` });
    portOwner.set(port, INTERNET);
    wire({ node: INTERNET, port }, { node: nodeId.external(e.name), port });
  }
  let j = 0;
  for (const h of cloud.externalHosts.values()) {
    const hostPort = `${h.name}/eth0`;
    const netPort = `internet/${h.name}`;
    const hostMac = EXTERNAL_HOST_MAC_BASE + ++j;
    const netMac = INTERNET_MAC_BASE + 0x8000 + j;
    const ip = toIpValue(h.address.ip);
    const hostPrefix = toPrefixValue({ version: h.address.ip.version, network: h.address.ip.value, prefix: h.address.ip.version === 4 ? 32 : 128 });
    ifaces.set(netPort, { port: netPort, mac: netMac, addrs: [], peerMac: hostMac });
    internet.routes.add({ prefix: hostPrefix, port: netPort, nexthop: null, kind: 'host', text: `${h.address.text} via link to ${h.name}` });
    const hostIfaces = new Map<string, L3Interface>([[hostPort, { port: hostPort, mac: hostMac, addrs: [{ ip, prefix: hostPrefix }], peerMac: netMac }]]);
    const host = new HostNode(nodeId.host(h.name), hostIfaces, h.services, HOST_IN_PIPELINE);
    host.routes.add({ prefix: toPrefixValue({ version: h.address.ip.version, network: 0n, prefix: 0 }), port: hostPort, nexthop: null, kind: 'default', text: `default dev ${hostPort} (link to the internet)` });
    nodes.set(host.id, host);
    portOwner.set(hostPort, host.id);
    portOwner.set(netPort, INTERNET);
    wire({ node: host.id, port: hostPort }, { node: INTERNET, port: netPort });
  }
  for (const version of [4, 6] as const) {
    internet.routes.add({ prefix: toPrefixValue({ version, network: 0n, prefix: 0 }), port: '', nexthop: null, kind: 'default', text: 'the rest of the internet' });
  }
  nodes.set(INTERNET, internet);
  // Addresses of the cloud's own subnets: the internet reaches them only through the external
  // networks (floating IPs, gateways), never by answering for them itself.
  const cloudPrefixes = [...cloud.subnets.values()].map((s) => ({ name: s.name, prefix: toPrefixValue(s.cidr.cidr) }));

  function answerAsPublicHost(sim: Sim, p: import('../packet/frame.js').IpPacket, meta: FrameMeta): void {
    const inCloud = cloudPrefixes.find((c) => prefixContains(c.prefix, p.dst));
    if (inCloud) {
      const reason = `${formatIpValue(p.dst)} is inside subnet ${inCloud.name} of the cloud, which the internet has no route to`;
      sim.trace(INTERNET, null, 'drop', 'drop', p, meta, { reason });
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: INTERNET, stage: 'router.route', reason } });
      return;
    }
    if (isPrivate(p.dst)) {
      sim.trace(INTERNET, null, 'drop', 'drop', p, meta, { reason: `${formatIpValue(p.dst)} is a private address, not routed on the internet` });
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: INTERNET, stage: 'router.route', reason: `${formatIpValue(p.dst)} is a private address: the internet does not route it` } });
      return;
    }
    if (p.l4.proto === 'icmp' && p.l4.quoted) return;
    const d = respond(p, []);
    sim.trace(INTERNET, null, 'host.receive', d.kind, p, meta, { reason: `${d.reason} (an undeclared public host: declare it in external_hosts to give it services)` });
    if (meta.dir === 'forward' && (d.kind === 'accept' || d.kind === 'refuse')) {
      sim.report(meta, { kind: 'observed', packet: p });
      sim.report(meta, { kind: 'outcome', outcome: { kind: d.kind === 'accept' ? 'delivered' : 'refused', node: INTERNET, stage: 'host.receive', reason: d.reason } });
    }
    if ((d.kind === 'accept' || d.kind === 'refuse') && d.reply) internet.forward(sim, d.reply, { probe: meta.probe, dir: 'reply' }, null);
  }
}

function isPrivate(a: IpValue): boolean {
  if (typeof a === 'bigint') return (a >> 121n) === 0x7en || (a >> 118n) === 0x3fan; // fc00::/7, fe80::/10
  return PRIVATE_V4.some(([net, len]) => ((a & ((0xffffffff << (32 - len)) >>> 0)) >>> 0) === net);
}
