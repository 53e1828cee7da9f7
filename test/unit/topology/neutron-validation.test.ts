/**
 * Where vnet's IPAM and validation follow Neutron 21's own code (read in neutron/ipam/utils.py,
 * db/ipam_backend_mixin.py, db/ipam_pluggable_backend.py, db/db_base_plugin_v2.py and
 * neutron_lib's validators): each case asserts the issue's code, its path and its line.
 */
import { describe, expect, it } from 'vitest';
import { formatPath, type Issue } from '../../../src/topology/issue.js';
import type { Cloud } from '../../../src/topology/model.js';
import { loaded, refused } from './load-helpers.js';

const at = (issues: readonly Issue[]): [string, string, number | undefined][] =>
  issues.map((i) => [i.code, formatPath(i.path), i.line]);
/** The warnings this file is about (others, such as an unused group, are not its business). */
const hostBitWarnings = (warnings: readonly Issue[]) => at(warnings.filter((w) => w.code === 'cidr-host-bits'));

const addresses = (cloud: Cloud, port: string): string[] => cloud.ports.get(port)!.fixedIps.map((f) => f.address.text);

describe('a fixed IP on an IPv6 auto-address subnet (AllocationOnAutoAddressSubnet)', () => {
  const file = (mode: string, port: string) => `version: 1
networks:
  n:
    subnets:
      v6: { cidr: 2001:db8:1::/64, ipv6_address_mode: ${mode} }
instances:
  a: { ports: [${port}] }
`;

  it('is refused on slaac and dhcpv6-stateless, at the ip, in both port forms', () => {
    for (const mode of ['slaac', 'dhcpv6-stateless']) {
      expect(at(refused(file(mode, '{ subnet: v6, ip: "2001:db8:1::10" }'))))
        .toEqual([['fixed-ip-on-auto-address-subnet', 'instances.a.ports[0].ip', 7]]);
      expect(at(refused(file(mode, '{ fixed_ips: [{ subnet: v6, ip: "2001:db8:1::10" }] }'))))
        .toEqual([['fixed-ip-on-auto-address-subnet', 'instances.a.ports[0].fixed_ips[0].ip', 7]]);
    }
    const [issue] = refused(file('slaac', '{ subnet: v6, ip: "2001:db8:1::10" }'));
    expect(issue?.message).toContain('MAC');
  });

  it('leaves the EUI-64 address to a port that names only the subnet', () => {
    const { cloud } = loaded(file('slaac', '{ subnet: v6, mac: "fa:16:3e:00:00:01" }'));
    expect(addresses(cloud, 'a/eth0')).toEqual(['2001:db8:1:0:f816:3eff:fe00:1']);
  });

  it('is allowed on dhcpv6-stateful, and for a router interface on slaac (ROUTER_INTERFACE_OWNERS)', () => {
    expect(addresses(loaded(file('dhcpv6-stateful', '{ subnet: v6, ip: "2001:db8:1::10" }')).cloud, 'a/eth0')).toEqual(['2001:db8:1::10']);
    const { cloud } = loaded(`${file('slaac', 'v6')}routers:
  r: { interfaces: [{ subnet: v6, ip: "2001:db8:1::fe" }] }
`);
    expect(addresses(cloud, 'r/qr-v6')).toEqual(['2001:db8:1::fe']);
  });
});

describe('a /0 is not a subnet (_validate_subnet_cidr)', () => {
  it('0.0.0.0/0 and ::/0 are refused at the cidr, and on an external network too', () => {
    const subnets = (cidr: string) => `version: 1
networks:
  n:
    subnets:
      all: { cidr: "${cidr}" }
`;
    expect(at(refused(subnets('0.0.0.0/0')))).toEqual([['ipam-zero-prefix', 'networks.n.subnets.all.cidr', 5]]);
    expect(at(refused(subnets('::/0')))).toEqual([['ipam-zero-prefix', 'networks.n.subnets.all.cidr', 5]]);
    // Host bits and a zero prefix: the address is every address; still one error.
    expect(at(refused(subnets('10.0.0.0/0')))).toEqual([['ipam-zero-prefix', 'networks.n.subnets.all.cidr', 5]]);
    expect(at(refused(`version: 1
external_networks:
  public: { cidr: 0.0.0.0/0 }
`))).toEqual([['ipam-zero-prefix', 'external_networks.public.cidr', 3]]);
  });

  it('stays what a route or a rule means by "everywhere"', () => {
    const { warnings } = loaded(`version: 1
networks:
  n:
    subnets:
      s: { cidr: 10.0.0.0/24, host_routes: [{ destination: 0.0.0.0/0, nexthop: 10.0.0.9 }] }
security_groups:
  g:
    rules: [{ direction: ingress, remote_ip_prefix: "::/0" }]
`);
    expect(hostBitWarnings(warnings)).toEqual([]);
  });
});

describe('a CIDR with host bits', () => {
  it('as a subnet cidr: normalised like Neutron, with a warning at the cidr naming the network', () => {
    const { cloud, warnings } = loaded(`version: 1
networks:
  n:
    subnets:
      s: { cidr: 192.168.1.77/24 }
      v6: { cidr: "2001:db8::77/64" }
instances:
  a: { ports: [s] }
`);
    expect(hostBitWarnings(warnings)).toEqual([
      ['cidr-host-bits', 'networks.n.subnets.s.cidr', 5],
      ['cidr-host-bits', 'networks.n.subnets.v6.cidr', 6],
    ]);
    expect(warnings[0]?.message).toContain('192.168.1.0/24');
    expect(warnings[1]?.message).toContain('2001:db8::/64');
    expect(cloud.subnets.get('s')!.cidr.text).toBe('192.168.1.0/24');
    expect(cloud.subnets.get('s')!.gateway?.text).toBe('192.168.1.1');
    expect(addresses(cloud, 'a/eth0')).toEqual(['192.168.1.2']);
  });

  it('as a remote_ip_prefix, an ACL cidr, an allowed address pair or an external cidr: normalised, with a warning at each', () => {
    const { cloud, warnings } = loaded(`version: 1
external_networks:
  public: { cidr: 203.0.113.9/24 }
networks:
  n:
    subnets:
      s: { cidr: 10.0.0.0/24 }
security_groups:
  g:
    rules: [{ direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 10.0.0.7/16 }]
network_acls:
  acl:
    subnets: [s]
    ingress: [{ rule: 100, action: allow, cidr: 172.16.5.5/12 }]
instances:
  a: { ports: [{ subnet: s, security_groups: [g], allowed_address_pairs: [10.0.0.77/28] }] }
`);
    expect(hostBitWarnings(warnings)).toEqual([
      ['cidr-host-bits', 'external_networks.public.cidr', 3],
      ['cidr-host-bits', 'security_groups.g.rules[0].remote_ip_prefix', 10],
      ['cidr-host-bits', 'network_acls.acl.ingress[0].cidr', 14],
      ['cidr-host-bits', 'instances.a.ports[0].allowed_address_pairs[0]', 16],
    ]);
    expect(cloud.externalNetworks.get('public')!.cidr.text).toBe('203.0.113.0/24');
    const rule = cloud.securityGroups.get('g')!.rules.find((r) => r.origin === 'file')!;
    expect(rule.remoteIpPrefix?.text).toBe('10.0.0.0/16');
    expect(rule.text).toBe('ingress tcp/22 from 10.0.0.0/16');
    expect(cloud.networkAcls.get('acl')!.ingress[0]!.cidr.text).toBe('172.16.0.0/12');
    expect(cloud.ports.get('a/eth0')!.allowedAddressPairs[0]!.prefix.text).toBe('10.0.0.64/28');
  });

  it('as a route destination: refused, as Neutron validate_route_cidr does, naming the network meant', () => {
    const issues = refused(`version: 1
networks:
  n:
    subnets:
      s: { cidr: 10.0.0.0/24, host_routes: [{ destination: 10.1.0.5/16, nexthop: 10.0.0.9 }] }
routers:
  r:
    interfaces: [s]
    routes: [{ destination: 172.16.0.1/12, nexthop: 10.0.0.9 }]
`);
    expect(at(issues)).toEqual([
      ['cidr', 'networks.n.subnets.s.host_routes[0].destination', 5],
      ['cidr', 'routers.r.routes[0].destination', 9],
    ]);
    expect(issues[1]?.message).toContain('did you mean 172.16.0.0/12');
  });
});

describe('a fixed IP on the gateway address (Neutron accepts it while no router holds it)', () => {
  const file = (routers: string) => `version: 1
networks:
  n:
    subnets:
      web: { cidr: 10.0.0.0/24 }
${routers}instances:
  a: { ports: [{ subnet: web, ip: 10.0.0.1 }] }
  b: { ports: [web] }
`;

  it('is accepted: the port holds the gateway address, the pool is untouched', () => {
    const { cloud, warnings } = loaded(file(''));
    expect(at(warnings)).toEqual([]);
    expect(addresses(cloud, 'a/eth0')).toEqual(['10.0.0.1']);
    expect(addresses(cloud, 'b/eth0')).toEqual(['10.0.0.2']);
    const web = cloud.subnets.get('web')!;
    expect([web.gateway?.text, web.used, web.free]).toEqual(['10.0.0.1', 2, '252']);
  });

  it('then a router interface asking for the gateway is refused at the interface, naming the port', () => {
    const issues = refused(file('routers:\n  r: { interfaces: [web] }\n'));
    expect(at(issues)).toEqual([['gateway-taken', 'routers.r.interfaces[0]', 7]]);
    expect(issues[0]?.message).toContain('a/eth0');
  });

  it('a router interface with another address is fine', () => {
    const { cloud } = loaded(file('routers:\n  r: { interfaces: [{ subnet: web, ip: 10.0.0.254 }] }\n'));
    expect(addresses(cloud, 'r/qr-web')).toEqual(['10.0.0.254']);
  });

  it('two routers on one gateway: the second is refused, naming the first router', () => {
    const issues = refused(`version: 1
networks:
  n:
    subnets:
      web: { cidr: 10.0.0.0/24 }
routers:
  r1: { interfaces: [{ subnet: web, ip: 10.0.0.1 }] }
  r2: { interfaces: [web] }
`);
    expect(at(issues)).toEqual([['gateway-taken', 'routers.r2.interfaces[0]', 8]]);
    expect(issues[0]?.message).toContain('router r1');
  });

  it('the router that holds the gateway counts once in the subnet\'s used addresses', () => {
    const { cloud } = loaded(`version: 1
networks:
  n:
    subnets:
      web: { cidr: 10.0.0.0/24 }
routers:
  r: { interfaces: [web] }
instances:
  b: { ports: [web] }
`);
    const web = cloud.subnets.get('web')!;
    expect([web.used, web.free]).toEqual([2, '252']);
  });
});

describe('a /31 (check_gateway_invalid_in_subnet, check_subnet_ip)', () => {
  const file = (subnet: string, port: string) => `version: 1
networks:
  n:
    subnets:
      p2p: ${subnet}
instances:
  a: { ports: [${port}] }
`;

  it('refuses an explicit gateway on either address, at the gateway', () => {
    for (const gw of ['10.0.0.0', '10.0.0.1']) {
      expect(at(refused(file(`{ cidr: 10.0.0.0/31, gateway: ${gw} }`, 'p2p'))))
        .toEqual([['ipam-gateway-reserved', 'networks.n.subnets.p2p.gateway', 5]]);
    }
  });

  it('refuses a fixed IP on the network address, at the ip; the other address is fine', () => {
    expect(at(refused(file('{ cidr: 10.0.0.0/31 }', '{ subnet: p2p, ip: 10.0.0.0 }'))))
      .toEqual([['ip-reserved', 'instances.a.ports[0].ip', 7]]);
    expect(addresses(loaded(file('{ cidr: 10.0.0.0/31 }', '{ subnet: p2p, ip: 10.0.0.1 }')).cloud, 'a/eth0')).toEqual(['10.0.0.1']);
  });

  it('still hands out both addresses from its pool, lowest first (generate_pools)', () => {
    const { cloud } = loaded(`${file('{ cidr: 10.0.0.0/31 }', 'p2p')}  b: { ports: [p2p] }
`);
    expect([addresses(cloud, 'a/eth0'), addresses(cloud, 'b/eth0')]).toEqual([['10.0.0.0'], ['10.0.0.1']]);
  });
});
