/**
 * `vnet show FILE [--json]`: the resolved cloud — subnets with used/free counts, every port
 * with its MAC and addresses, routers and routes, security groups, floating IPs, load
 * balancers — as tables on a terminal (grouped by project when the file has projects) or as
 * the JSON of topology/to-json.ts.
 */
import { formatIssue } from '../topology/issue.js';
import type { Cloud, Network } from '../topology/model.js';
import { cloudToJson } from '../topology/to-json.js';
import type { Io } from './io.js';
import { loadTopologyFile } from '../files/read-topology.js';
import { renderTable } from './table.js';

export function runShow(file: string, options: { json?: boolean }, io: Io): number {
  const result = loadTopologyFile(file);
  if (!result.ok) {
    for (const issue of result.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return 1;
  }
  if (options.json) {
    io.out(JSON.stringify(cloudToJson(result.cloud), null, 2));
    return 0;
  }
  for (const w of result.warnings) io.err(io.errStyle.yellow('warning: ') + formatIssue(w).replace(': warning: ', ': '));
  io.out(renderCloud(result.cloud, io));
  return 0;
}

export function renderCloud(cloud: Cloud, io: Io): string {
  const s = io.outStyle;
  const sections: string[] = [s.bold(s.cyan(`cloud ${cloud.name}`)) + s.dim(` (seed ${cloud.seed})`)];
  const section = (title: string, body: string) => sections.push(`\n${s.bold(title)}\n${body}`);
  if (cloud.externalNetworks.size) {
    section('External networks', renderTable(['name', 'cidr', 'gateway', 'pool', 'used', 'free'],
      [...cloud.externalNetworks.values()].map((e) => [
        e.name + (e.rbac.length ? s.dim(` (external to ${e.rbac.map((r) => r.project).join(', ')})`) : ''),
        e.cidr.text, e.gateway?.text ?? '-', e.pools.map((p) => `${p.start}-${p.end}`), String(e.used), e.free,
      ]), s));
  }
  // Without projects the page is what it always was; with them, each project's resources under its own heading.
  if (cloud.projects.size <= 1) renderProject(cloud, () => true, section, io, true);
  else {
    for (const p of cloud.projects.values()) {
      sections.push(`\n${s.bold(s.cyan(`project ${p.name}`))}${p.description ? s.dim(` (${p.description})`) : ''}`);
      const before = sections.length;
      renderProject(cloud, (r) => r.project === p.name, section, io, false);
      if (sections.length === before) sections.push(s.dim('(nothing)'));
    }
  }
  if (cloud.externalHosts.size) {
    section('External hosts', renderTable(['name', 'address', 'services'],
      [...cloud.externalHosts.values()].map((h) => [h.name, h.address.text, h.services.map((x) => x.text).join(', ')]), s));
  }
  return sections.join('\n');
}

/** One project's subnets, ports, routers, groups, ACLs, floating IPs and load balancers (those `mine` keeps). */
function renderProject(cloud: Cloud, mine: (r: { readonly project: string }) => boolean, section: (title: string, body: string) => void, io: Io, always: boolean): void {
  const s = io.outStyle;
  const pick = <T extends { readonly project: string }>(m: ReadonlyMap<string, T>) => [...m.values()].filter(mine);
  const sharing = (n: Network | undefined) => !n ? '' : n.shared ? ' (shared)' : n.rbac.length ? ` (shared with ${n.rbac.map((r) => r.project).join(', ')})` : '';
  const subnets = pick(cloud.subnets);
  if (subnets.length || always) {
    section('Subnets', renderTable(['subnet', 'network', 'cidr', 'gateway', 'allocation pools', 'used', 'free'],
      subnets.map((sub) => [
        sub.name, sub.network + s.dim(sharing(cloud.networks.get(sub.network))), sub.cidr.text + (sub.profile === 'aws' ? ' (aws)' : '') + (sub.ipv6AddressMode ? ` ${sub.ipv6AddressMode}` : ''),
        sub.gateway?.text ?? '-', sub.allocationPools.map((p) => `${p.start}-${p.end}`), String(sub.used), sub.free,
      ]), s));
  }
  const ports = pick(cloud.ports);
  if (ports.length || always) {
    section('Ports', renderTable(['port', 'network', 'mac', 'addresses', 'security groups'],
      ports.map((p) => [p.id, p.network, p.mac, p.fixedIps.map((f) => `${f.address.text} (${f.subnet})`), p.portSecurity ? p.securityGroups.join(', ') : 'port security off']), s));
  }
  const routers = pick(cloud.routers);
  if (routers.length) {
    section('Routers', renderTable(['router', 'interfaces', 'external gateway', 'routes'],
      routers.map((r) => [
        r.name,
        r.interfaces.map((id) => `${id.split('/')[1]} ${cloud.ports.get(id)?.fixedIps[0]?.address.text ?? ''}`),
        r.externalGateway ? `${r.externalGateway.address.text} on ${r.externalGateway.network}${r.externalGateway.snat ? ' (snat)' : ''}` : '-',
        r.routes.map((x) => `${x.destination.text} via ${x.nexthop.text}`),
      ]), s));
  }
  const groups = pick(cloud.securityGroups);
  if (groups.length || always) {
    section('Security groups', renderTable(['group', '#', 'rule'],
      groups.flatMap((g) => g.rules.map((r, i) => [i === 0 ? `${g.name}${g.stateful ? '' : ' (stateless)'}` : '', `#${r.index}`, r.text + (r.origin === 'default' ? s.dim(' (default)') : '')])), s));
  }
  const acls = pick(cloud.networkAcls);
  if (acls.length) {
    section('Network ACLs', renderTable(['acl', 'subnets', 'ingress', 'egress'],
      acls.map((a) => [a.name, a.subnets.join(', '), [...a.ingress.map((r) => r.text), '* deny all'], [...a.egress.map((r) => r.text), '* deny all']]), s));
  }
  const fips = pick(cloud.floatingIps);
  if (fips.length) {
    section('Floating IPs', renderTable(['name', 'address', 'maps to', 'router'],
      fips.map((f) => [f.name, f.address.text, f.port ? `${f.fixedAddress?.text ?? ''} (${f.port})` : f.portForwardings.map((p) => `${p.protocol}/${p.externalPort} → ${p.internalAddress.text}:${p.internalPort}`), f.router ?? '-']), s));
  }
  const lbs = pick(cloud.loadBalancers);
  if (lbs.length) {
    section('Load balancers', renderTable(['name', 'vip', 'listeners', 'members'],
      lbs.map((lb) => [
        `${lb.name} (${lb.mode})`, lb.vip.text,
        lb.listeners.map((l) => `${l.protocol}/${l.port} → ${l.pool}`),
        lb.pools.flatMap((p) => p.members.map((m) => `${p.name}: ${m.instance} ${m.address.text}:${m.protocolPort} w${m.weight}${m.adminStateUp ? '' : ' (admin down)'}`)),
      ]), s));
  }
}
