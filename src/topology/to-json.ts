/**
 * The resolved cloud as plain JSON (for `vnet show --json`, the server's /api/topology and the
 * viewer): every address as text, collections as arrays in file order. A stable contract:
 * golden tests pin it.
 */
import type { Cloud, SecurityGroupRule } from './model.js';

export function cloudToJson(cloud: Cloud) {
  const addr = (a: { text: string } | null) => (a ? a.text : null);
  return {
    name: cloud.name,
    seed: cloud.seed,
    projects: [...cloud.projects.values()].map((p) => ({ name: p.name, description: p.description })),
    external_networks: [...cloud.externalNetworks.values()].map((e) => ({
      name: e.name, project: e.project, rbac: e.rbac, cidr: e.cidr.text, gateway: addr(e.gateway), pools: e.pools, capacity: e.capacity, free: e.free, used: e.used, ports: e.ports,
    })),
    networks: [...cloud.networks.values()].map((n) => ({ name: n.name, project: n.project, shared: n.shared, rbac: n.rbac, subnets: n.subnets, arp_responder: n.arpResponder, mtu: n.mtu, switches: n.switches, links: n.links, ports: n.ports })),
    subnets: [...cloud.subnets.values()].map((s) => ({
      name: s.name, network: s.network, project: s.project, cidr: s.cidr.text, ip_version: s.version, gateway: addr(s.gateway),
      allocation_pools: s.allocationPools, reserved: s.reserved, ipam_profile: s.profile, allocation: s.allocation,
      ipv6_address_mode: s.ipv6AddressMode, dns: s.dns.map((d) => d.text),
      host_routes: s.hostRoutes.map((r) => ({ destination: r.destination.text, nexthop: r.nexthop.text })),
      capacity: s.capacity, free: s.free, used: s.used, network_acl: s.networkAcl,
    })),
    ports: [...cloud.ports.values()].map((p) => ({
      id: p.id, owner: p.owner, project: p.project, device_owner: p.deviceOwner, network: p.network, switch: p.switch, mac: p.mac,
      fixed_ips: p.fixedIps.map((f) => ({ subnet: f.subnet, ip: f.address.text })),
      security_groups: p.securityGroups, port_security: p.portSecurity,
      allowed_address_pairs: p.allowedAddressPairs.map((a) => ({ ip_address: a.prefix.text, mac_address: a.mac })),
    })),
    instances: [...cloud.instances.values()].map((i) => ({ name: i.name, project: i.project, ports: i.ports, services: i.services.map((s) => s.text) })),
    routers: [...cloud.routers.values()].map((r) => ({
      name: r.name, project: r.project, interfaces: r.interfaces,
      external_gateway: r.externalGateway ? { network: r.externalGateway.network, port: r.externalGateway.port, ip: r.externalGateway.address.text, snat: r.externalGateway.snat } : null,
      routes: r.routes.map((x) => ({ destination: x.destination.text, nexthop: x.nexthop.text })),
    })),
    security_groups: [...cloud.securityGroups.values()].map((g) => ({ name: g.name, project: g.project, stateful: g.stateful, implicit: g.implicit, rules: g.rules.map(ruleJson) })),
    network_acls: [...cloud.networkAcls.values()].map((a) => ({
      name: a.name, project: a.project, subnets: a.subnets, ingress: a.ingress.map((r) => r.text), egress: a.egress.map((r) => r.text),
    })),
    floating_ips: [...cloud.floatingIps.values()].map((f) => ({
      name: f.name, project: f.project, network: f.network, ip: f.address.text, port: f.port, fixed_ip: addr(f.fixedAddress), router: f.router,
      port_forwardings: f.portForwardings.map((p) => ({ protocol: p.protocol, external_port: p.externalPort, internal_ip: p.internalAddress.text, internal_port: p.internalPort })),
    })),
    load_balancers: [...cloud.loadBalancers.values()].map((lb) => ({
      name: lb.name, project: lb.project, subnet: lb.subnet, vip: lb.vip.text, vip_port: lb.vipPort, mode: lb.mode, listeners: lb.listeners,
      pools: lb.pools.map((p) => ({
        name: p.name, algorithm: p.algorithm,
        health_monitor: p.healthMonitor && { type: p.healthMonitor.type, interval: p.healthMonitor.interval, timeout: p.healthMonitor.timeout, retries: p.healthMonitor.retries, retries_down: p.healthMonitor.retriesDown, url_path: p.healthMonitor.urlPath },
        members: p.members.map((m) => ({ instance: m.instance, port: m.port, ip: m.address.text, protocol_port: m.protocolPort, weight: m.weight, admin_state_up: m.adminStateUp })),
      })),
    })),
    external_hosts: [...cloud.externalHosts.values()].map((h) => ({ name: h.name, project: h.project, ip: h.address.text, services: h.services.map((s) => s.text) })),
  };
}

function ruleJson(r: SecurityGroupRule) {
  return { index: r.index, origin: r.origin, text: r.text, direction: r.direction, ethertype: r.ethertype, protocol: r.protocol, ports: r.ports, type: r.icmpType, code: r.icmpCode, remote_ip_prefix: r.remoteIpPrefix?.text ?? null, remote_group: r.remoteGroup };
}
