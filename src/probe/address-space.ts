/**
 * Address spaces (routing domains): which subnets reach each other by their private addresses.
 * The subnets of one network share one, and a router's interfaces join theirs; an external
 * network joins nothing (what crosses it is translated). Two projects with the same CIDR
 * behind their own routers are two spaces, so an address means what it means in the sender's.
 * Pure; computed once per cloud and kept in a WeakMap.
 */
import { cidrContains } from '../address/cidr.js';
import { formatIp, type Ip } from '../address/ip.js';
import { nodeId } from '../topology/graph.js';
import type { Cloud, FixedIp, Network } from '../topology/model.js';
import { ADMIN_PROJECT } from '../topology/projects.js';
import type { ProbeTarget } from '../trace/verdict.js';

export interface AddressSpaces {
  /** Subnet name → its space (the smallest subnet name of the space, for stable ids). */
  readonly ofSubnet: ReadonlyMap<string, string>;
  /** Port id → the floating IPs that map to it. */
  readonly fipsOfPort: ReadonlyMap<string, readonly string[]>;
}

const cache = new WeakMap<Cloud, AddressSpaces>();

export function addressSpaces(cloud: Cloud): AddressSpaces {
  const hit = cache.get(cloud);
  if (hit) return hit;
  const parent = new Map<string, string>();
  const find = (a: string): string => {
    let r = a;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent.set(rb, ra);
    else if (rb < ra) parent.set(ra, rb);
  };
  for (const s of cloud.subnets.keys()) parent.set(s, s);
  for (const n of cloud.networks.values()) for (const s of n.subnets.slice(1)) union(n.subnets[0]!, s);
  for (const r of cloud.routers.values()) {
    const subnets = r.interfaces.flatMap((p) => cloud.ports.get(p)?.fixedIps.map((f) => f.subnet) ?? []);
    for (const s of subnets.slice(1)) union(subnets[0]!, s);
  }
  const ofSubnet = new Map<string, string>();
  for (const s of cloud.subnets.keys()) ofSubnet.set(s, find(s));
  const fipsOfPort = new Map<string, string[]>();
  for (const f of cloud.floatingIps.values()) {
    if (f.port === null) continue;
    const list = fipsOfPort.get(f.port) ?? [];
    list.push(f.name);
    fipsOfPort.set(f.port, list);
  }
  const out = { ofSubnet, fipsOfPort };
  cache.set(cloud, out);
  return out;
}

/** The fixed IPs of an instance, in port order. */
function fixedIpsOf(cloud: Cloud, instance: string): FixedIp[] {
  return (cloud.instances.get(instance)?.ports ?? []).flatMap((id) => cloud.ports.get(id)?.fixedIps ?? []);
}

/** The address spaces an instance's ports are in (none for an external host). */
export function spacesOfInstance(cloud: Cloud, instance: string): Set<string> {
  const spaces = addressSpaces(cloud).ofSubnet;
  return new Set(fixedIpsOf(cloud, instance).map((f) => spaces.get(f.subnet)!));
}

/**
 * The address of `target` (an instance) a probe from `sender` should use: of the family of
 * `fallback`, the first in an address space the sender shares; otherwise `fallback` (the
 * engine then shows what that address means from the sender).
 */
export function addressInSenderSpace(cloud: Cloud, sender: string, target: string, fallback: Ip): Ip {
  if (!cloud.instances.has(sender)) return fallback;
  const mine = spacesOfInstance(cloud, sender);
  const spaces = addressSpaces(cloud).ofSubnet;
  const hit = fixedIpsOf(cloud, target).find((f) => f.address.ip.version === fallback.version && mine.has(spaces.get(f.subnet)!));
  return hit ? hit.address.ip : fallback;
}

/**
 * The nodes that count as a load balancer taking a packet: the LB, its members, and (for a
 * `dnat` LB) the routers on its subnet, which serve its VIP and refuse there when no member is
 * healthy (as OVN's load balancers live in the router).
 */
const lbNodes = (cloud: Cloud, name: string): string[] => {
  const lb = cloud.loadBalancers.get(name);
  if (!lb) return [];
  const routers = lb.mode !== 'dnat' ? [] : [...cloud.routers.values()]
    .filter((r) => r.interfaces.some((p) => cloud.ports.get(p)?.fixedIps.some((f) => f.subnet === lb.subnet)))
    .map((r) => nodeId.router(r.name));
  return [nodeId.loadBalancer(name), ...lb.pools.flatMap((p) => p.members.map((m) => nodeId.instance(m.instance))), ...routers];
};

/** How a network lets a project in, for a hint: "shared network tools", "network ops (granted by RBAC)". */
function networkWords(net: Network | undefined, name: string): string {
  if (!net) return `network ${name}`;
  if (net.shared) return `shared network ${name}`;
  return net.rbac.length > 0 ? `network ${name} (shared by RBAC)` : `network ${name}`;
}

/**
 * What a probe from `sender` that names `to` is meant to reach, or undefined when `to` is an
 * address (it then names no node). `dst` is the address the probe carries.
 */
export function probeTarget(cloud: Cloud, sender: string, to: string, dst: Ip): ProbeTarget | undefined {
  const senderProject = cloud.instances.get(sender)?.project ?? ADMIN_PROJECT;
  const inst = cloud.instances.get(to);
  if (inst) return { name: to, nodes: [nodeId.instance(to)], sender, hint: instanceHint(cloud, sender, senderProject, to, dst) };
  const lb = cloud.loadBalancers.get(to);
  if (lb) return { name: to, nodes: lbNodes(cloud, to), sender, hint: projectHint(cloud.instances.has(sender), sender, senderProject, to, lb.project, lbWays(cloud, sender, to)) };
  const fip = cloud.floatingIps.get(to);
  if (fip) {
    const port = fip.port === null ? undefined : cloud.ports.get(fip.port);
    let nodes: string[];
    if (port?.owner.kind === 'instance') nodes = [nodeId.instance(port.owner.name)];
    else if (port?.owner.kind === 'load_balancer') nodes = lbNodes(cloud, port.owner.name);
    else {
      // Port forwarding only: the instances that own the forwarded addresses.
      const inner = new Set(fip.portForwardings.map((f) => f.internalAddress.text));
      nodes = [...cloud.ports.values()].filter((p) => p.owner.kind === 'instance' && p.fixedIps.some((f) => inner.has(f.address.text))).map((p) => nodeId.instance(p.owner.name));
    }
    return { name: to, nodes, sender, hint: `${to} is a floating IP on ${fip.network}, which every project reaches through its router's gateway` };
  }
  if (cloud.externalHosts.has(to)) return { name: to, nodes: [nodeId.host(to)], sender, hint: `${to} is an external host, reached through a router's gateway` };
  return undefined;
}

/** "b-vm1 is in project beta, reachable from alpha by its floating IP b-fip" (or why not at all). */
function instanceHint(cloud: Cloud, sender: string, senderProject: string, target: string, dst: Ip): string {
  const senderInst = cloud.instances.get(sender);
  if (senderInst) {
    // A sender with two ports whose subnets both hold the address: its routing table, not the
    // address, decides which one it means.
    const holders = senderInst.ports.flatMap((id) => (cloud.ports.get(id)?.fixedIps ?? []).filter((f) => {
      const s = cloud.subnets.get(f.subnet);
      return s !== undefined && s.version === dst.version && cidrContains(s.cidr.cidr, dst);
    }).map((f) => `${f.subnet} on ${id}`));
    if (holders.length > 1) {
      const on = fixedIpsOf(cloud, target).filter((f) => f.address.ip.version === dst.version && f.address.ip.value === dst.value).map((f) => f.subnet);
      return `${sender} has ports on ${holders.length} subnets that hold ${formatIp(dst)} (${holders.join(', ')}) and sends by the first route that matches; ${target} (project ${cloud.instances.get(target)!.project}) is on ${on.join(', ')}`;
    }
  }
  const targetProject = cloud.instances.get(target)!.project;
  const ways = instanceWays(cloud, sender, target);
  if (senderInst && [...spacesOfInstance(cloud, target)].some((s) => spacesOfInstance(cloud, sender).has(s))) {
    return `${target} (project ${targetProject}) is in ${sender}'s address space${ways.length > 0 ? `, reachable by ${ways.join(' or ')}` : ''}`;
  }
  return projectHint(cloud.instances.has(sender), sender, senderProject, target, targetProject, ways);
}

/** The ways `sender` can reach instance `target`: its floating IPs, its addresses in the sender's spaces. */
function instanceWays(cloud: Cloud, sender: string, target: string): string[] {
  const { ofSubnet, fipsOfPort } = addressSpaces(cloud);
  const mine = cloud.instances.has(sender) ? spacesOfInstance(cloud, sender) : new Set<string>();
  const ways: string[] = [];
  for (const id of cloud.instances.get(target)?.ports ?? []) {
    const port = cloud.ports.get(id);
    if (!port) continue;
    for (const f of fipsOfPort.get(id) ?? []) ways.push(`its floating IP ${f}`);
    for (const f of port.fixedIps) {
      if (mine.has(ofSubnet.get(f.subnet)!)) ways.push(`its address ${f.address.text} on ${networkWords(cloud.networks.get(port.network), port.network)}`);
    }
  }
  return ways;
}

/** The ways `sender` can reach load balancer `name`: its floating IPs, its VIP when in the sender's space. */
function lbWays(cloud: Cloud, sender: string, name: string): string[] {
  const lb = cloud.loadBalancers.get(name)!;
  const { ofSubnet, fipsOfPort } = addressSpaces(cloud);
  const ways = (fipsOfPort.get(lb.vipPort) ?? []).map((f) => `its floating IP ${f}`);
  if (cloud.instances.has(sender) && spacesOfInstance(cloud, sender).has(ofSubnet.get(lb.subnet)!)) ways.push(`its VIP ${lb.vip.text}`);
  return ways;
}

function projectHint(fromInstance: boolean, sender: string, senderProject: string, target: string, targetProject: string, ways: readonly string[]): string {
  const where = !fromInstance ? `${target} is on a private network of project ${targetProject}`
    : targetProject === senderProject ? `${target} is in another address space of project ${targetProject}` : `${target} is in project ${targetProject}`;
  if (ways.length > 0) return `${where}, reachable from ${senderProject} by ${ways.join(' or ')}`;
  return `${where}, not reachable from ${sender}'s address space (no floating IP, shared network or route leads there)`;
}
