/**
 * The probes `vnet conform` runs when no probes file is given: every instance and external host
 * to every service of every other one (by name: the fixed or public address; from the internet
 * only one such probe, since fixed addresses are unreachable from there), every floating IP
 * of an instance from every external host on that instance's services, and every load-balancer
 * listener from the first external host through the balancer's floating IP (one probe more than
 * it has members, to see the sequence wrap) and from an instance outside the VIP's subnet.
 */
import { resolveDestination, resolveSource } from '../engine/endpoints.js';
import type { Probe } from '../audit/probes.js';
import type { Cloud, Service } from '../topology/model.js';

export function defaultProbes(cloud: Cloud): Probe[] {
  const out: Probe[] = [];
  const add = (from: string, to: string, proto: 'tcp' | 'udp' | 'icmp', port: number) => {
    const src = resolveSource(cloud, from);
    const dst = resolveDestination(cloud, to, 4);
    if (src.ok && dst.ok) out.push({ from, to, proto, port, ipv6: false, spec: { from: src.value.node, to: dst.value, proto, port } });
  };
  const senders = [...cloud.instances.keys(), ...cloud.externalHosts.keys()];
  const hosts = [...cloud.externalHosts.keys()];
  const servers: [string, readonly Service[]][] = [
    ...[...cloud.instances.values()].map((i) => [i.name, i.services] as [string, readonly Service[]]),
    ...[...cloud.externalHosts.values()].map((h) => [h.name, h.services] as [string, readonly Service[]]),
  ];
  const firstInstance = [...cloud.instances.values()].find((i) => i.services.length > 0);
  for (const from of senders) {
    for (const [to, services] of servers) {
      if (to === from) continue;
      // From the internet, fixed addresses are unreachable: one probe shows it.
      if (cloud.externalHosts.has(from) && cloud.instances.has(to) && (from !== hosts[0] || to !== firstInstance?.name)) continue;
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
