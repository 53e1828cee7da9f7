/**
 * `vnet show FILE [--json]`: the resolved cloud — subnets with used/free counts, every port
 * with its MAC and addresses, routers and routes, security groups, floating IPs, load
 * balancers — as tables on a terminal or as the JSON of topology/to-json.ts.
 */
import { formatIssue } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
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
      [...cloud.externalNetworks.values()].map((e) => [e.name, e.cidr.text, e.gateway?.text ?? '-', e.pools.map((p) => `${p.start}-${p.end}`), String(e.used), e.free]), s));
  }
  section('Subnets', renderTable(['subnet', 'network', 'cidr', 'gateway', 'allocation pools', 'used', 'free'],
    [...cloud.subnets.values()].map((sub) => [
      sub.name, sub.network, sub.cidr.text + (sub.profile === 'aws' ? ' (aws)' : '') + (sub.ipv6AddressMode ? ` ${sub.ipv6AddressMode}` : ''),
      sub.gateway?.text ?? '-', sub.allocationPools.map((p) => `${p.start}-${p.end}`), String(sub.used), sub.free,
    ]), s));
  section('Ports', renderTable(['port', 'network', 'mac', 'addresses', 'security groups'],
    [...cloud.ports.values()].map((p) => [p.id, p.network, p.mac, p.fixedIps.map((f) => `${f.address.text} (${f.subnet})`), p.portSecurity ? p.securityGroups.join(', ') : 'port security off']), s));
  if (cloud.routers.size) {
    section('Routers', renderTable(['router', 'interfaces', 'external gateway', 'routes'],
      [...cloud.routers.values()].map((r) => [
        r.name,
        r.interfaces.map((id) => `${id.split('/')[1]} ${cloud.ports.get(id)?.fixedIps[0]?.address.text ?? ''}`),
        r.externalGateway ? `${r.externalGateway.address.text} on ${r.externalGateway.network}${r.externalGateway.snat ? ' (snat)' : ''}` : '-',
        r.routes.map((x) => `${x.destination.text} via ${x.nexthop.text}`),
      ]), s));
  }
  section('Security groups', renderTable(['group', '#', 'rule'],
    [...cloud.securityGroups.values()].flatMap((g) => g.rules.map((r, i) => [i === 0 ? `${g.name}${g.stateful ? '' : ' (stateless)'}` : '', `#${r.index}`, r.text + (r.origin === 'default' ? s.dim(' (default)') : '')])), s));
  if (cloud.networkAcls.size) {
    section('Network ACLs', renderTable(['acl', 'subnets', 'ingress', 'egress'],
      [...cloud.networkAcls.values()].map((a) => [a.name, a.subnets.join(', '), [...a.ingress.map((r) => r.text), '* deny all'], [...a.egress.map((r) => r.text), '* deny all']]), s));
  }
  if (cloud.floatingIps.size) {
    section('Floating IPs', renderTable(['name', 'address', 'maps to', 'router'],
      [...cloud.floatingIps.values()].map((f) => [f.name, f.address.text, f.port ? `${f.fixedAddress?.text ?? ''} (${f.port})` : f.portForwardings.map((p) => `${p.protocol}/${p.externalPort} → ${p.internalAddress.text}:${p.internalPort}`), f.router ?? '-']), s));
  }
  if (cloud.loadBalancers.size) {
    section('Load balancers', renderTable(['name', 'vip', 'listeners', 'members'],
      [...cloud.loadBalancers.values()].map((lb) => [
        `${lb.name} (${lb.mode})`, lb.vip.text,
        lb.listeners.map((l) => `${l.protocol}/${l.port} → ${l.pool}`),
        lb.pools.flatMap((p) => p.members.map((m) => `${p.name}: ${m.instance} ${m.address.text}:${m.protocolPort} w${m.weight}${m.adminStateUp ? '' : ' (admin down)'}`)),
      ]), s));
  }
  if (cloud.externalHosts.size) {
    section('External hosts', renderTable(['name', 'address', 'services'],
      [...cloud.externalHosts.values()].map((h) => [h.name, h.address.text, h.services.map((x) => x.text).join(', ')]), s));
  }
  return sections.join('\n');
}
