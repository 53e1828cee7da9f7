/**
 * What the topology says of a node (the server's `details` answer: ports with MACs and
 * addresses, subnets, interfaces), then its state (the `state` answer) as tables: MAC table, ARP/ND cache, routes,
 * connection tracking, NAT, security groups and load-balancer members — whichever the node
 * has. Times are virtual ms, as everywhere on the page.
 */
import { el } from './dom.js';
import type { NodeState } from './types.js';

/** Virtual ms, the page's one unit of time. */
const seconds = (us: number): string => `${(us / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })} ms`;

function table(title: string, head: readonly string[], rows: readonly (readonly string[])[], empty: string): HTMLElement {
  return el('section', { class: 'state-section', 'data-section': title },
    el('h3', {}, title, el('span', { class: 'count' }, String(rows.length))),
    rows.length === 0
      ? el('p', { class: 'muted' }, empty)
      : el('table', { class: 'mini' }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))))),
  );
}

export function stateView(s: NodeState): HTMLElement {
  const parts: HTMLElement[] = [];
  if (s.kind === 'switch') parts.push(table('MAC table', ['MAC', 'port', 'age'], s.mac_table.map((r) => [r.mac, r.port, seconds(r.age_us)]), 'nothing learned yet'));
  if (s.kind !== 'switch') {
    parts.push(table('Routes', ['prefix', 'next hop', 'port', 'kind'], s.routes.map((r) => [r.prefix, r.nexthop ?? 'connected', r.port || '—', r.kind]), 'no routes'));
    parts.push(table('ARP / ND cache', ['IP', 'MAC', 'port'], s.neighbors.map((r) => [r.ip, r.mac, r.port]), 'empty: nothing resolved yet'));
  }
  if (s.kind === 'host') {
    parts.push(table('Connection tracking', ['flow', 'opened by', 'state', 'expires in'], s.conntrack.map((r) => [r.flow, r.opened_by, r.closing ? 'closing' : r.replied ? 'established' : 'new', seconds(r.expires_in_us)]), 'no tracked connections'));
    const groups = s.security_groups.flatMap((p) => (p.port_security ? p.groups.map((g) => [p.port, `${g.name}${g.stateful ? '' : ' (stateless)'}`, g.rules.join('\n')]) : [[p.port, 'port security off', '—']]));
    parts.push(table('Security groups', ['port', 'group', 'rules'], groups, 'no ports'));
  }
  if (s.kind === 'router') parts.push(table('NAT (connection tracking)', ['proto', 'original', 'translated'], s.nat.map((r) => [r.proto, r.original, r.translated]), 'no translations yet'));
  if (s.kind === 'load_balancer') parts.push(table('Members', ['pool', 'member', 'address', 'health', 'connections'], s.members.map((m) => [m.pool, m.member, m.address, m.health, String(m.connections)]), 'no members'));
  return el('div', { class: 'state-view', 'data-node': s.node },
    el('p', { class: 'muted', title: 'The simulation\'s own clock, which starts at 0 when the topology loads; health checks and earlier probes move it on' }, `${s.kind.replace('_', ' ')} at ${seconds(s.t)} on the virtual clock`),
    ...parts,
  );
}

type Json = Record<string, unknown>;
const text = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : Array.isArray(v) ? v.map(text).join(', ') : JSON.stringify(v));
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const addresses = (p: Json): string => list(p['fixed_ips']).map((f) => text(f['ip'])).join(', ');

/** The `details` answer as tables: the node as the topology file made it. */
export function detailsView(d: Json): HTMLElement {
  const parts: HTMLElement[] = [];
  const ports = (title: string, v: unknown) => table(title, ['port', 'MAC', 'addresses', 'groups'], list(v).map((p) => [text(p['id']), text(p['mac']), addresses(p), p['port_security'] === false ? 'port security off' : text(p['security_groups'])]), 'none');
  if (d['kind'] === 'instance') {
    parts.push(ports('Ports', d['ports']));
    if (list(d['floating_ips']).length > 0) parts.push(table('Floating IPs', ['name', 'address', 'to'], list(d['floating_ips']).map((f) => [text(f['name']), text(f['ip']), text(f['fixed_ip'])]), 'none'));
    parts.push(el('p', { class: 'muted' }, `services: ${text(d['services']) || 'none'}`));
  } else if (d['kind'] === 'network') {
    parts.push(table('Subnets', ['name', 'CIDR', 'gateway', 'used / capacity'], list(d['subnets']).map((x) => [text(x['name']), text(x['cidr']), text(x['gateway']), `${text(x['used'])} / ${text(x['capacity'])}`]), 'none'));
  } else if (d['kind'] === 'router') {
    parts.push(ports('Interfaces', d['interfaces']));
    const gw = d['external_gateway'] as Json | null | undefined;
    if (gw) parts.push(el('p', { class: 'muted' }, `gateway on ${text(gw['network'])}: ${text(gw['ip'])}${gw['snat'] ? ', SNAT on' : ''}`));
  } else {
    const rows = Object.entries(d).filter(([k, v]) => k !== 'kind' && (typeof v !== 'object' || v === null || (Array.isArray(v) && v.every((x) => typeof x !== 'object'))));
    if (rows.length > 0) parts.push(el('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, text(v))])));
  }
  return el('div', { class: 'details-view', 'data-kind': text(d['kind']) }, ...parts);
}
