/**
 * Checks that need the whole resolved cloud: static routes whose next hop the router cannot
 * reach (an error, as in Neutron), and warnings for what is legal but probably a mistake:
 * security groups no port uses, and islands (parts of the cloud nothing can reach).
 */
import { cidrContains, cidrsOverlap, formatCidr } from '../../../../../src/address/cidr.js';
import { buildGraph, components, INTERNET } from '../../../../../src/topology/graph.js';
import { isConnected } from '../../../../../src/topology/connected.js';
import type { Issue } from '../../../../../src/topology/issue.js';
import type { Cloud, Port, Router, SecurityGroup } from '../../../../../src/topology/model.js';
import type { ResolveContext, SubnetState } from './resolve-context.js';
import { suggestion } from '../../../../../src/topology/did-you-mean.js';

export function checkRouterRoutes(ctx: ResolveContext, routers: ReadonlyMap<string, Router>, ports: ReadonlyMap<string, Port>): void {
  for (const r of routers.values()) {
    const connected = r.interfaces.flatMap((id) => ports.get(id)?.fixedIps.map((f) => ctx.subnets.get(f.subnet)?.plan.cidr) ?? []);
    if (r.externalGateway) {
      const ext = ctx.externals.get(r.externalGateway.network);
      if (ext) connected.push(ext.plan.cidr);
    }
    r.routes.forEach((route, i) => {
      if (!connected.some((c) => c && cidrContains(c, route.nexthop.ip))) {
        ctx.issues.error(['routers', r.name, 'routes', i, 'nexthop'], 'route-nexthop', `nexthop ${route.nexthop.text} is not on any subnet router ${r.name} is attached to (Neutron: "the nexthop is not connected with router")`);
      }
    });
  }
}

/** A port's `switch` must be one of its network's fabric switches. */
export function checkPortSwitches(ctx: ResolveContext): void {
  for (const port of ctx.ports.values()) {
    if (port.switchName === undefined || port.external) continue;
    const net = ctx.networks.get(port.network);
    if (net && !net.switches.includes(port.switchName)) {
      ctx.issues.error([...port.path, 'switch'], 'unknown-switch', `no switch named "${port.switchName}" in network ${port.network}${suggestion(port.switchName, net.switches)}`);
    }
  }
}

/**
 * An instance with ports on overlapping subnets (two projects' 10.0.0.0/24, say) has two routes
 * to the same addresses: legal, but which port a packet leaves by is ambiguous. A warning at
 * the later port.
 */
export function checkInstanceOverlaps(ctx: ResolveContext, instancePorts: ReadonlyMap<string, readonly string[]>): void {
  for (const [inst, ids] of instancePorts) {
    // One port cannot overlap another of its instance's (nearly every instance has one).
    if (ids.length < 2) continue;
    const seen: { port: string; subnet: SubnetState }[] = [];
    for (const id of ids) {
      const port = ctx.ports.get(id)!;
      const subnets = new Set(port.fixedIps.map((f) => f.subnet));
      for (const name of ctx.pendingSubnetsOf(port)) subnets.add(name);
      for (const name of subnets) {
        const s = ctx.subnets.get(name)!;
        const other = seen.find((o) => o.port !== id && cidrsOverlap(o.subnet.plan.cidr, s.plan.cidr));
        if (other) {
          ctx.issues.warn(port.path, 'instance-overlap', `instance ${inst}: port ${port.name} is on subnet ${s.name} (${formatCidr(s.plan.cidr)}), which overlaps subnet ${other.subnet.name} (${formatCidr(other.subnet.plan.cidr)}) of its port ${other.port.split('/')[1]}: which port a packet to those addresses leaves by is ambiguous`);
        }
      }
      for (const name of subnets) seen.push({ port: id, subnet: ctx.subnets.get(name)! });
    }
  }
}

/** Neutron refuses a port whose groups mix stateful and stateless ones. */
export function checkStatefulMix(ctx: ResolveContext, groups: ReadonlyMap<string, SecurityGroup>): void {
  for (const port of ctx.ports.values()) {
    const stateful = (g: string) => groups.get(g)?.stateful ?? true;
    const first = port.securityGroups.length > 0 ? stateful(port.securityGroups[0]!) : true;
    if (port.securityGroups.some((g) => stateful(g) !== first)) {
      const list = port.securityGroups.map((g) => `${g} (${groups.get(g)?.stateful === false ? 'stateless' : 'stateful'})`).join(', ');
      ctx.issues.error([...port.path, 'security_groups'], 'stateful-mix', `a port cannot mix stateful and stateless security groups: ${list}`);
    }
  }
}

export function collectWarnings(cloud: Cloud): Issue[] {
  const out: Issue[] = [];
  const used = new Set<string>();
  for (const p of cloud.ports.values()) for (const g of p.securityGroups) used.add(g);
  for (const g of cloud.securityGroups.values()) {
    if (!g.implicit && !used.has(g.name)) {
      out.push({ severity: 'warning', code: 'unused-group', path: ['security_groups', g.name], message: `security group ${g.name} is used by no port` });
    }
  }
  // The graph is built only to name the islands, when there are some.
  if (isConnected(cloud) === true) return out;
  const graph = buildGraph(cloud);
  const comps = components(graph);
  if (comps.length > 1) {
    const main = comps.find((c) => c.includes(INTERNET)) ?? comps.reduce((a, b) => (b.length > a.length ? b : a));
    for (const c of comps) {
      if (c === main) continue;
      const names = (kind: string) => c.filter((n) => graph.getNodeAttribute(n, 'kind') === kind).map((n) => graph.getNodeAttribute(n, 'name'));
      const networks = names('network');
      const instances = names('instance');
      const first = networks[0];
      const what = [instances.length ? `instances ${instances.join(', ')}` : '', networks.length ? `networks ${networks.join(', ')}` : ''].filter(Boolean).join(' on ');
      out.push({
        severity: 'warning', code: 'island', path: first ? ['networks', first] : [],
        message: `${what || c.join(', ')} cannot reach ${main.includes(INTERNET) ? 'the internet' : 'the rest of the cloud'}: no router joins them to it`,
      });
    }
  }
  return out;
}
