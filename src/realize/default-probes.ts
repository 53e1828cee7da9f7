/**
 * The probes `vnet conform` runs when no probes file is given: every instance and external host
 * to every service of every other one (by name: the fixed or public address; from the internet
 * only one such probe per family, since fixed addresses are unreachable from there), every floating IP
 * of an instance from every external host on that instance's services, and every load-balancer
 * listener from the first external host through the balancer's floating IP (one probe more than
 * it has members, to see the sequence wrap) and from an instance outside the VIP's subnet.
 * A destination named by an instance is probed on each family it has an address in (IPv4
 * first), from senders that have an address of that family.
 */
import { resolveProbe, type ResolvedProbe } from '../probe/probe.js';
import type { Cloud, Service } from '../topology/model.js';

export function defaultProbes(cloud: Cloud): ResolvedProbe[] {
  const out: ResolvedProbe[] = [];
  const families = (name: string): Set<4 | 6> => {
    const inst = cloud.instances.get(name);
    if (inst) return new Set(inst.ports.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.address.ip.version)));
    const host = cloud.externalHosts.get(name);
    return new Set(host ? [host.address.ip.version] : [4]);
  };
  const add = (from: string, to: string, proto: 'tcp' | 'udp' | 'icmp', port: number) => {
    const sending = families(from);
    for (const version of [4, 6] as const) {
      if (!sending.has(version) || (version === 6 && !cloud.instances.has(to) && !cloud.externalHosts.has(to))) continue;
      const r = resolveProbe(cloud, { from, to, proto, port, ipv6: version === 6, spoof: null });
      if (r.ok && (typeof r.probe.spec.to === 'bigint') === (version === 6)) out.push(r.probe);
    }
  };
  const senders = [...cloud.instances.keys(), ...cloud.externalHosts.keys()];
  const hosts = [...cloud.externalHosts.keys()];
  const servers: [string, readonly Service[]][] = [
    ...[...cloud.instances.values()].map((i) => [i.name, i.services] as [string, readonly Service[]]),
    ...[...cloud.externalHosts.values()].map((h) => [h.name, h.services] as [string, readonly Service[]]),
  ];
  const firstInstance = [...cloud.instances.values()].find((i) => i.services.length > 0);
  const firstOfFamily = new Set([4, 6].map((v) => hosts.find((h) => cloud.externalHosts.get(h)!.address.ip.version === v)));
  for (const from of senders) {
    for (const [to, services] of servers) {
      if (to === from) continue;
      // From the internet, fixed addresses are unreachable: one probe per family shows it.
      if (cloud.externalHosts.has(from) && cloud.instances.has(to) && (!firstOfFamily.has(from) || to !== firstInstance?.name)) continue;
      for (const s of services) add(from, to, s.protocol, s.from);
    }
  }
  for (const fip of cloud.floatingIps.values()) {
    const port = fip.port === null ? undefined : cloud.ports.get(fip.port);
    if (!port || port.owner.kind !== 'instance') continue;
    const services = cloud.instances.get(port.owner.name)!.services;
    for (const from of hosts) for (const s of services) add(from, fip.name, s.protocol, s.from);
  }
  for (const lb of cloud.loadBalancers.values()) {
    const front = [...cloud.floatingIps.values()].find((f) => f.port === lb.vipPort);
    const inside = [...cloud.instances.values()].find((i) => i.ports.every((id) => cloud.ports.get(id)!.fixedIps.every((f) => f.subnet !== lb.subnet)));
    for (const l of lb.listeners) {
      const proto = l.protocol === 'udp' ? 'udp' : 'tcp';
      const members = lb.pools.find((p) => p.name === l.pool)?.members.length ?? 0;
      if (front && hosts[0] !== undefined) for (let i = 0; i <= members; i++) add(hosts[0], front.name, proto, l.port);
      if (inside) add(inside.name, lb.name, proto, l.port);
    }
  }
  return out;
}
