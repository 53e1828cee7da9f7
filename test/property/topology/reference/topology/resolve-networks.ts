/**
 * Networks, their subnets and the external (provider) networks: parses each subnet's CIDR,
 * gateway and pools, plans it with IPAM and checks what IPAM cannot see alone:
 * subnet names unique in the file, no overlapping subnets on one network.
 */
import { formatCidr } from '../../../../../src/address/cidr.js';
import { planSubnet, type IpamError } from '../../../../../src/ipam/subnet-plan.js';
import { SubnetAllocator } from '../ipam/subnet-allocator.js';
import type { Path } from '../../../../../src/topology/issue.js';
import type { RouteEntry } from '../../../../../src/topology/model.js';
import { entries, type ResolveContext } from './resolve-context.js';
import type { PoolDoc } from '../../../../../src/topology/schema.js';
import { addressAt, prefixAt, rangeAt, type RangeValue } from '../../../../../src/topology/values.js';
import { suggestion } from '../../../../../src/topology/did-you-mean.js';
import { earliestOverlaps } from '../../../../../src/topology/overlaps.js';
import { ADMIN_PROJECT } from '../../../../../src/topology/projects.js';

export function resolveNetworks(ctx: ResolveContext): void {
  const { doc, issues } = ctx;
  const defaultProfile = doc.ipam_profile ?? 'openstack';
  const defaultAllocation = doc.allocation ?? 'lowest';
  for (const [netName, net] of entries(doc.networks)) {
    const fabric = resolveFabric(ctx, netName, net.switches, net.links);
    const state = {
      name: netName, project: ctx.projectOf('networks', netName), shared: net.shared ?? false, rbac: ctx.rbac.get(`networks/${netName}`) ?? [],
      subnets: [] as string[], arpResponder: net.arp_responder ?? false, mtu: net.mtu ?? 1500, ports: [] as string[], ...fabric };
    ctx.networks.set(netName, state);
    const cidrTexts: string[] = [];
    for (const [subName, sub] of entries(net.subnets)) {
      const path: Path = ['networks', netName, 'subnets', subName];
      const other = ctx.subnets.get(subName);
      if (other) {
        issues.error(path, 'duplicate-subnet', `subnet name "${subName}" is already used in network ${other.network}; subnet names must be unique in the file because ports refer to them by name`);
        continue;
      }
      const cidr = prefixAt(sub.cidr, [...path, 'cidr'], issues, 'normalise');
      if (!cidr) continue;
      const gateway = sub.gateway === undefined ? undefined : sub.gateway === null ? null : addressAt(sub.gateway, [...path, 'gateway'], issues);
      if (gateway === undefined && sub.gateway !== undefined) continue;
      const pools = rangesAt(sub.allocation_pools, [...path, 'allocation_pools'], ctx);
      if (pools === null) continue;
      const profile = sub.ipam_profile ?? defaultProfile;
      const ipv6AddressMode = sub.ipv6_address_mode ?? null;
      const planned = planSubnet({
        cidr: cidr.cidr,
        gateway: gateway === undefined ? undefined : gateway === null ? null : gateway.ip,
        pools: pools?.map((r) => ({ start: r.start.ip, end: r.end.ip })),
        profile,
        ...(ipv6AddressMode ? { ipv6AddressMode } : {}),
      });
      if (!planned.ok) {
        reportIpamErrors(planned.errors, path, ctx);
        continue;
      }
      const dns = (sub.dns ?? []).flatMap((d, i) => addressAt(d, [...path, 'dns', i], issues) ?? []);
      const hostRoutes = routesAt(sub.host_routes, [...path, 'host_routes'], ctx);
      ctx.subnets.set(subName, {
        name: subName, network: netName, path, plan: planned.plan, allocator: new SubnetAllocator(planned.plan),
        profile, allocation: sub.allocation ?? defaultAllocation, ipv6AddressMode, dns, hostRoutes,
        gatewayOwner: undefined, networkAcl: null,
      });
      state.subnets.push(subName);
      cidrTexts.push(cidr.text);
    }
    // One error per subnet that overlaps an earlier one (naming the earliest), not one per pair.
    const planned = state.subnets.map((n) => ctx.subnets.get(n)!);
    earliestOverlaps(planned.map((s) => s.plan.cidr)).forEach((first, i) => {
      if (first === undefined) return;
      const s = planned[i]!;
      const other = planned[first]!;
      issues.error([...s.path, 'cidr'], 'subnet-overlap', `${cidrTexts[i]!} overlaps subnet ${other.name} (${formatCidr(other.plan.cidr)}) on the same network ${netName}`);
    });
  }
  for (const [name, ext] of entries(doc.external_networks)) {
    const path: Path = ['external_networks', name];
    const cidr = prefixAt(ext.cidr, [...path, 'cidr'], issues, 'normalise');
    if (!cidr) continue;
    const gateway = ext.gateway === undefined || ext.gateway === null ? ext.gateway : addressAt(ext.gateway, [...path, 'gateway'], issues);
    if (gateway === undefined && ext.gateway !== undefined) continue;
    const poolDocs = ext.pool === undefined ? undefined : Array.isArray(ext.pool) ? ext.pool : [ext.pool];
    const poolPath: Path = Array.isArray(ext.pool) ? [...path, 'pool'] : [...path];
    const pools = Array.isArray(ext.pool) ? rangesAt(poolDocs, poolPath, ctx) : rangesAt(poolDocs, [...path], ctx, 'pool');
    if (pools === null) continue;
    const planned = planSubnet({
      cidr: cidr.cidr,
      gateway: gateway === undefined ? undefined : gateway === null ? null : gateway.ip,
      pools: pools?.map((r) => ({ start: r.start.ip, end: r.end.ip })),
      profile: 'openstack',
    });
    if (!planned.ok) {
      reportIpamErrors(planned.errors, path, ctx, 'pool', Array.isArray(ext.pool));
      continue;
    }
    ctx.externals.set(name, { name, project: ADMIN_PROJECT, rbac: ctx.rbac.get(`external_networks/${name}`) ?? [], path, plan: planned.plan, allocator: new SubnetAllocator(planned.plan) });
  }
}

/**
 * A network's switches and the links between them. One switch named after the network unless
 * the file declares a fabric; links must join declared switches into one tree: a loop would
 * make every flooded frame circle forever (vnet runs no spanning tree), so it is refused here.
 */
function resolveFabric(ctx: ResolveContext, net: string, switches: string[] | undefined, links: string[][] | undefined): { switches: string[]; links: [string, string][] } {
  const path: Path = ['networks', net];
  if (!switches || switches.length === 0) {
    if (links?.length) ctx.issues.error([...path, 'links'], 'fabric-links', 'links need a list of switches (switches: [a, b, ...])');
    return { switches: [net], links: [] };
  }
  const names: string[] = [];
  switches.forEach((s, i) => {
    if (names.includes(s)) ctx.issues.error([...path, 'switches', i], 'fabric-duplicate', `switch ${s} is listed twice`);
    else names.push(s);
  });
  // Union-find over switches: a link inside one component closes a loop.
  const parent = new Map(names.map((n) => [n, n]));
  const find = (n: string): string => { let r = n; while (parent.get(r) !== r) r = parent.get(r)!; return r; };
  const adjacency = new Map(names.map((n) => [n, [] as string[]]));
  const out: [string, string][] = [];
  (links ?? []).forEach((link, i) => {
    const [a, b] = link as [string, string];
    const lPath: Path = [...path, 'links', i];
    for (const [end, j] of [[a, 0], [b, 1]] as const) {
      if (!names.includes(end)) ctx.issues.error([...lPath, j], 'unknown-switch', `no switch named "${end}" in network ${net}${suggestion(end, names)}`);
    }
    if (!names.includes(a) || !names.includes(b)) return;
    if (a === b) { ctx.issues.error(lPath, 'fabric-loop', `switch ${a} is linked to itself`); return; }
    if (find(a) === find(b)) {
      const cycle = pathBetween(adjacency, a, b);
      ctx.issues.error(lPath, 'fabric-loop', `this link closes a loop (${[...cycle, a].join(' → ')}): flooded frames would circle forever; vnet runs no spanning tree, so fabrics must be trees`);
      return;
    }
    parent.set(find(a), find(b));
    adjacency.get(a)!.push(b);
    adjacency.get(b)!.push(a);
    out.push([a, b]);
  });
  const root = find(names[0]!);
  for (const n of names) {
    if (find(n) !== root) ctx.issues.error([...path, 'switches', switches.indexOf(n)], 'fabric-island', `switch ${n} is not linked to ${names[0]}: add a link so the network is one fabric`);
  }
  return { switches: names, links: out };
}

/** A path from a to b in a forest (there is one when they are connected). */
function pathBetween(adjacency: Map<string, string[]>, a: string, b: string): string[] {
  const prev = new Map<string, string | null>([[a, null]]);
  const queue = [a];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === b) break;
    for (const m of adjacency.get(n) ?? []) if (!prev.has(m)) { prev.set(m, n); queue.push(m); }
  }
  const out: string[] = [];
  for (let n: string | null | undefined = b; n; n = prev.get(n)) out.unshift(n);
  return out;
}

/** Parses a list of pools; undefined when absent, null when any is invalid (already reported). */
function rangesAt(docs: PoolDoc[] | undefined, path: Path, ctx: ResolveContext, singleKey?: string): RangeValue[] | undefined | null {
  if (docs === undefined) return undefined;
  const out: RangeValue[] = [];
  let bad = false;
  docs.forEach((d, i) => {
    const r = rangeAt(d, singleKey ? [...path, singleKey] : [...path, i], ctx.issues);
    if (r) out.push(r);
    else bad = true;
  });
  return bad ? null : out;
}

function routesAt(docs: { destination: string; nexthop: string }[] | undefined, path: Path, ctx: ResolveContext): RouteEntry[] {
  const out: RouteEntry[] = [];
  (docs ?? []).forEach((r, i) => {
    const destination = prefixAt(r.destination, [...path, i, 'destination'], ctx.issues, 'refuse');
    const nexthop = addressAt(r.nexthop, [...path, i, 'nexthop'], ctx.issues);
    if (!destination || !nexthop) return;
    if (destination.cidr.version !== nexthop.ip.version) {
      ctx.issues.error([...path, i, 'nexthop'], 'route-version', `nexthop ${nexthop.text} is not the same IP version as ${destination.text}`);
      return;
    }
    out.push({ destination, nexthop });
  });
  return out;
}
export { routesAt };

function reportIpamErrors(errors: readonly IpamError[], path: Path, ctx: ResolveContext, poolKey = 'allocation_pools', poolIsList = true): void {
  for (const e of errors) {
    let at: Path = path;
    if (e.field === 'gateway') at = [...path, 'gateway'];
    else if (e.field === 'cidr') at = [...path, 'cidr'];
    else if (e.field === 'ipv6_address_mode') at = [...path, 'ipv6_address_mode'];
    else if (e.field === 'pools') at = e.index === undefined || !poolIsList ? [...path, poolKey] : [...path, poolKey, e.index];
    ctx.issues.error(at, `ipam-${e.code}`, e.message);
  }
}
