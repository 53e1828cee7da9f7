/**
 * The endpoints of a reachability matrix and their equivalence classes. Two instances are
 * alike when every stage would treat them the same: the same security groups, port security,
 * services and floating-IP status, ports behind the same routers, and addresses that fall in
 * the same "significant" prefixes — every prefix a rule, ACL or route mentions. A subnet with a
 * network ACL keeps its instances in a class of their own (its boundary filters traffic).
 * One representative per class is probed and its verdicts stand for the class: this is what
 * keeps `vnet reach` to seconds on 10,000 instances. Load-balancer members stay individual.
 * Address spaces (probe/address-space.ts) are part of the class: an address means what it
 * means in the sender's space, so instances of two projects with the same CIDR never merge.
 */
import type { Cloud, Instance } from '../topology/model.js';
import { nodeId } from '../topology/graph.js';
import { ADMIN_PROJECT } from '../topology/projects.js';
import { spacesOfInstance } from '../probe/address-space.js';
import { prefixContains, toIpValue, toPrefixValue, type IpValue, type PrefixValue } from '../packet/ip-value.js';

export interface Endpoint {
  /** What the user calls it: an instance, an LB, a floating IP or an external host. */
  readonly name: string;
  readonly kind: 'instance' | 'load_balancer' | 'floating_ip' | 'external_host';
  /** The project that owns it (external hosts: admin). */
  readonly project: string;
  /** The node that sends when this endpoint is a source (instances and external hosts). */
  readonly node: string | null;
  readonly address: string;
  readonly services: readonly { readonly proto: 'tcp' | 'udp'; readonly port: number; readonly text: string }[];
  /** The class it belongs to and how many endpoints the class has. */
  readonly classKey: string;
}

interface ClassContext {
  readonly significant: readonly PrefixValue[];
  readonly routersOf: ReadonlyMap<string, string>;
}

function classContext(cloud: Cloud): ClassContext {
  const prefixes: PrefixValue[] = [];
  for (const g of cloud.securityGroups.values()) for (const r of g.rules) if (r.remoteIpPrefix && r.remoteIpPrefix.cidr.prefix > 0) prefixes.push(toPrefixValue(r.remoteIpPrefix.cidr));
  for (const a of cloud.networkAcls.values()) for (const r of [...a.ingress, ...a.egress]) if (r.cidr.cidr.prefix > 0) prefixes.push(toPrefixValue(r.cidr.cidr));
  for (const r of cloud.routers.values()) for (const x of r.routes) prefixes.push(toPrefixValue(x.destination.cidr));
  for (const s of cloud.subnets.values()) for (const x of s.hostRoutes) prefixes.push(toPrefixValue(x.destination.cidr));
  const routersOf = new Map<string, string>();
  for (const r of cloud.routers.values()) {
    for (const id of r.interfaces) for (const f of cloud.ports.get(id)!.fixedIps) routersOf.set(f.subnet, `${routersOf.get(f.subnet) ?? ''}${r.name},`);
  }
  return { significant: prefixes, routersOf };
}

function addressClass(ctx: ClassContext, cloud: Cloud, subnet: string, ip: IpValue): string {
  const s = cloud.subnets.get(subnet);
  const where = s?.networkAcl ? `subnet:${subnet}` : `routers:${ctx.routersOf.get(subnet) ?? `none:${s?.network ?? subnet}`}`;
  const inside = ctx.significant.map((p, i) => (prefixContains(p, ip) ? i : -1)).filter((i) => i >= 0).join('.');
  return `${where}@${typeof ip === 'number' ? 4 : 6}[${inside}]`;
}

function instanceClass(cloud: Cloud, inst: Instance, ctx: ClassContext): string {
  const ports = inst.ports.map((id) => {
    const p = cloud.ports.get(id)!;
    const addrs = p.fixedIps.map((f) => addressClass(ctx, cloud, f.subnet, toIpValue(f.address.ip))).join('+');
    return `${addrs}/${p.portSecurity ? [...p.securityGroups].sort().join('+') : 'open'}/${p.allowedAddressPairs.length}`;
  });
  const fip = [...cloud.floatingIps.values()].some((f) => f.port !== null && inst.ports.includes(f.port)) ? 'fip' : '';
  // Members of load balancers differ (health checks, selection), so each is its own class.
  const member = [...cloud.loadBalancers.values()].some((lb) => lb.pools.some((p) => p.members.some((m) => m.instance === inst.name))) ? `member:${inst.name}` : '';
  // Implied today by the routers and networks in the key; explicit so that no future merge
  // rule can put two address spaces (or projects, for --project) in one class.
  const spaces = [...spacesOfInstance(cloud, inst.name)].sort().join('+');
  return `instance|${inst.project}|${spaces}|${ports.join(',')}|${inst.services.map((s) => s.text).join(',')}|${fip}|${member}`;
}

const firstPort = (s: { from: number }) => s.from;

export function endpointsOf(cloud: Cloud): Endpoint[] {
  const out: Endpoint[] = [];
  const ctx = classContext(cloud);
  for (const inst of cloud.instances.values()) {
    const addr = inst.ports.map((id) => cloud.ports.get(id)!.fixedIps[0]?.address.text).find((a) => a !== undefined) ?? '';
    out.push({ name: inst.name, kind: 'instance', project: inst.project, node: nodeId.instance(inst.name), address: addr, services: inst.services.map((s) => ({ proto: s.protocol, port: firstPort(s), text: s.text })), classKey: instanceClass(cloud, inst, ctx) });
  }
  for (const lb of cloud.loadBalancers.values()) {
    out.push({ name: lb.name, kind: 'load_balancer', project: lb.project, node: null, address: lb.vip.text, services: lb.listeners.map((l) => ({ proto: l.protocol === 'udp' ? 'udp' as const : 'tcp' as const, port: l.port, text: `${l.protocol === 'udp' ? 'udp' : 'tcp'}/${l.port}` })), classKey: `lb|${lb.name}` });
  }
  for (const f of cloud.floatingIps.values()) {
    const target = f.port ? [...cloud.instances.values()].find((i) => i.ports.includes(f.port!)) : undefined;
    const lb = f.port ? [...cloud.loadBalancers.values()].find((l) => l.vipPort === f.port) : undefined;
    const services = target ? target.services.map((s) => ({ proto: s.protocol, port: firstPort(s), text: s.text }))
      : lb ? lb.listeners.map((l) => ({ proto: l.protocol === 'udp' ? 'udp' as const : 'tcp' as const, port: l.port, text: `${l.protocol === 'udp' ? 'udp' : 'tcp'}/${l.port}` }))
      : f.portForwardings.map((p) => ({ proto: p.protocol, port: p.externalPort, text: `${p.protocol}/${p.externalPort}` }));
    // A floating IP behaves as its target does, seen from outside: its class follows the target's.
    const classKey = target ? `fip|${instanceClass(cloud, target, ctx)}` : `fip|${f.name}`;
    out.push({ name: f.name, kind: 'floating_ip', project: f.project, node: null, address: f.address.text, services, classKey });
  }
  for (const h of cloud.externalHosts.values()) {
    out.push({ name: h.name, kind: 'external_host', project: ADMIN_PROJECT, node: nodeId.host(h.name), address: h.address.text, services: h.services.map((s) => ({ proto: s.protocol, port: firstPort(s), text: s.text })), classKey: `host|${h.name}` });
  }
  return out;
}
