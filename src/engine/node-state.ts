/**
 * A read-only snapshot of one node's state for the viewer (`state` in the server protocol):
 * a switch's MAC table, a host's or router's neighbour (ARP/ND) caches and routes, the
 * connection tracking of its ports' firewalls or its NAT, its ports' security groups, a load
 * balancer's member health. A pure function of the simulator at its current virtual time: it
 * reads, never mutates (aged entries are left out, not removed), and allocates only when asked.
 */
import { formatMac } from '../address/mac.js';
import { PortFirewall } from '../firewall/port-firewall.js';
import { LbNode } from '../lb/lb-node.js';
import { flowProtoName } from '../packet/flow.js';
import { formatIpValue } from '../packet/ip-value.js';
import type { Route } from '../l3/route-table.js';
import { RouterNode } from '../routing/router.js';
import { SwitchNode } from '../switching/switch.js';
import type { Cloud } from '../topology/model.js';
import type { World } from './build-world.js';
import { HostNode } from './host.js';
import type { NeighborResolver } from '../l3/neighbors.js';
import type { PortFilter } from './port-filter.js';

/** What the snapshot reads: the Simulator satisfies it as it is. */
export interface SimulatorView {
  readonly cloud: Cloud;
  readonly world: World;
  readonly filters: ReadonlyMap<string, PortFilter>;
  /** Virtual time, µs. */
  readonly now: number;
}

export interface MacRow { readonly mac: string; readonly port: string; readonly age_us: number }
export interface NeighborRow { readonly port: string; readonly ip: string; readonly mac: string }
export interface RouteRow { readonly prefix: string; readonly nexthop: string | null; readonly port: string; readonly kind: Route['kind']; readonly text: string }
export interface ConntrackRow { readonly port: string; readonly flow: string; readonly opened_by: 'ingress' | 'egress'; readonly replied: boolean; readonly closing: boolean; readonly expires_in_us: number }
export interface NatRow { readonly proto: string; readonly original: string; readonly translated: string }
export interface PortGroupsRow { readonly port: string; readonly port_security: boolean; readonly groups: readonly { readonly name: string; readonly stateful: boolean; readonly rules: readonly string[] }[] }
export interface MemberRow { readonly pool: string; readonly member: string; readonly address: string; readonly health: 'up' | 'down'; readonly failures: number; readonly connections: number }

export interface NodeState {
  /** Graph node id, as in trace events. */
  readonly node: string;
  readonly kind: 'switch' | 'host' | 'router' | 'load_balancer';
  /** The virtual time the snapshot was taken at, µs. */
  readonly t: number;
  readonly mac_table: readonly MacRow[];
  readonly neighbors: readonly NeighborRow[];
  readonly routes: readonly RouteRow[];
  readonly conntrack: readonly ConntrackRow[];
  readonly nat: readonly NatRow[];
  readonly security_groups: readonly PortGroupsRow[];
  readonly members: readonly MemberRow[];
}

/** Node ids that have state to show (every simulated node), sorted: for "did you mean" and lists. */
export function stateNodes(sim: SimulatorView): string[] {
  return [...sim.world.nodes.keys()].sort();
}

/** The node's state now, or undefined when the simulator has no node of that id. */
export function nodeState(sim: SimulatorView, id: string): NodeState | undefined {
  const node = sim.world.nodes.get(id);
  if (!node) return undefined;
  const now = sim.now;
  const empty = { mac_table: [], neighbors: [], routes: [], conntrack: [], nat: [], security_groups: [], members: [] };
  if (node instanceof SwitchNode) {
    const rows = node.table.snapshot(now).map(([mac, e]) => ({ mac: formatMac(mac), port: e.port, age_us: now - e.seen }));
    return { ...empty, node: id, kind: 'switch', t: now, mac_table: rows.sort((a, b) => a.port.localeCompare(b.port) || a.mac.localeCompare(b.mac)) };
  }
  if (node instanceof HostNode) {
    const ports = [...node.interfaces.keys()];
    return { ...empty, node: id, kind: 'host', t: now, neighbors: neighborRows(node.neighbors), routes: node.routes.all.map(routeRow), conntrack: conntrackRows(sim, ports), security_groups: groupRows(sim, ports) };
  }
  if (node instanceof RouterNode) {
    const nat = (node.nat?.entries() ?? []).map((e) => ({ proto: flowProtoName(e.original.proto), original: e.original.endpoints, translated: e.translated.endpoints }));
    return { ...empty, node: id, kind: 'router', t: now, neighbors: neighborRows(node.neighbors), routes: node.routes.all.map(routeRow), nat };
  }
  if (node instanceof LbNode) {
    const members = [...node.balancer.pools.values()].flatMap((p) => p.members.map((m) => ({ pool: p.pool.name, member: m.member.instance, address: formatIpValue(m.address), health: m.health, failures: m.failures, connections: m.connections })));
    return { ...empty, node: id, kind: 'load_balancer', t: now, neighbors: neighborRows(node.neighbors), routes: node.routes.all.map(routeRow), members };
  }
  return { ...empty, node: id, kind: 'switch', t: now };
}

function routeRow(r: Route): RouteRow {
  return { prefix: `${formatIpValue(r.prefix.network)}/${r.prefix.length}`, nexthop: r.nexthop === null ? null : formatIpValue(r.nexthop), port: r.port, kind: r.kind, text: r.text };
}

function neighborRows(n: NeighborResolver): NeighborRow[] {
  const rows: NeighborRow[] = [];
  for (const [port, cache] of n.caches) for (const [ip, mac] of cache) rows.push({ port, ip: formatIpValue(ip), mac: formatMac(mac) });
  return rows;
}

function conntrackRows(sim: SimulatorView, ports: readonly string[]): ConntrackRow[] {
  const rows: ConntrackRow[] = [];
  for (const port of ports) {
    const fw = sim.filters.get(port);
    if (!(fw instanceof PortFirewall)) continue;
    for (const e of fw.conntrack.snapshot(sim.now)) rows.push({ port, flow: e.text, opened_by: e.openedBy, replied: e.replied, closing: e.closing, expires_in_us: e.expires - sim.now });
  }
  return rows;
}

function groupRows(sim: SimulatorView, ports: readonly string[]): PortGroupsRow[] {
  return ports.flatMap((id) => {
    const port = sim.cloud.ports.get(id);
    if (!port) return [];
    const groups = port.portSecurity ? port.securityGroups : [];
    return [{
      port: id,
      port_security: port.portSecurity,
      groups: groups.map((name) => {
        const g = sim.cloud.securityGroups.get(name);
        return { name, stateful: g?.stateful ?? true, rules: g?.rules.map((r) => r.text) ?? [] };
      }),
    }];
  });
}
