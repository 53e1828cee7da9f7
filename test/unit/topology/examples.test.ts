/**
 * The bundled examples (topologies/*.yaml) are what users learn the format from: each must load
 * cleanly, and what their comments teach must be what the loader actually does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud, Port } from '../../../src/topology/model.js';

const DIR = 'topologies';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

function load(file: string): Cloud {
  const result = parseTopology(readFileSync(`${DIR}/${file}`, 'utf8'), `${DIR}/${file}`);
  if (!result.ok) throw new Error(`${file} does not load:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.cloud;
}

const port = (cloud: Cloud, id: string): Port => {
  const p = cloud.ports.get(id);
  if (!p) throw new Error(`no port ${id}; ports: ${[...cloud.ports.keys()].join(', ')}`);
  return p;
};
const addresses = (cloud: Cloud, id: string): string[] => port(cloud, id).fixedIps.map((f) => f.address.text);
const ipv4Value = (text: string): number => text.split('.').reduce((v, o) => v * 256 + Number(o), 0);

describe('every bundled example', () => {
  it('includes the examples the docs name', () => {
    expect(files).toEqual(expect.arrayContaining(['minimal.yaml', 'three-tier.yaml', 'dual-stack.yaml', 'aws-vpc.yaml', 'multi-router.yaml']));
  });

  it.each(files)('%s loads with no errors and no warnings', (file) => {
    const result = parseTopology(readFileSync(`${DIR}/${file}`, 'utf8'), `${DIR}/${file}`);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
    expect(result.ok && result.warnings.map(formatIssue)).toEqual([]);
  });

  it.each(files)('%s opens with a comment saying what it shows', (file) => {
    expect(readFileSync(`${DIR}/${file}`, 'utf8')).toMatch(/^# \S/);
  });

  it.each(files)('%s: MACs are Neutron fa:16:3e MACs, unique, and addresses are unique per subnet', (file) => {
    const cloud = load(file);
    const macs = [...cloud.ports.values()].map((p) => p.mac);
    for (const mac of macs) expect(mac).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(new Set(macs).size).toBe(macs.length);
    const taken = [...cloud.ports.values()].flatMap((p) => p.fixedIps.map((f) => `${f.subnet} ${f.address.text}`));
    expect(new Set(taken).size).toBe(taken.length);
  });
});

describe('three-tier.yaml', () => {
  const cloud = load('three-tier.yaml');

  it('instances take the lowest free pool addresses in file order; db-1 keeps its fixed IP', () => {
    expect(addresses(cloud, 'web-1/eth0')).toEqual(['10.0.0.2']);
    expect(addresses(cloud, 'web-2/eth0')).toEqual(['10.0.0.3']);
    expect(addresses(cloud, 'db-1/eth0')).toEqual(['10.0.1.21']);
  });

  it('router interfaces take each subnet\'s gateway, .1', () => {
    const edge = cloud.routers.get('edge')!;
    expect(edge.interfaces.map((id) => addresses(cloud, id))).toEqual([['10.0.0.1'], ['10.0.1.1']]);
    expect(cloud.subnets.get('web')!.gateway?.text).toBe('10.0.0.1');
    expect(cloud.subnets.get('db')!.gateway?.text).toBe('10.0.1.1');
  });

  it('default pools are the subnet less network, broadcast and gateway (Neutron: .2-.254, 253 addresses)', () => {
    const web = cloud.subnets.get('web')!;
    expect(web.allocationPools).toEqual([{ start: '10.0.0.2', end: '10.0.0.254' }]);
    expect(web.capacity).toBe('253');
  });

  it('the load balancer VIP is 10.0.0.100 and its members are the web servers on port 80', () => {
    const lb = cloud.loadBalancers.get('web-lb')!;
    expect(lb.vip.text).toBe('10.0.0.100');
    expect(addresses(cloud, lb.vipPort)).toEqual(['10.0.0.100']);
    expect(lb.pools[0]!.members.map((m) => `${m.instance} ${m.address.text}:${m.protocolPort}`)).toEqual(['web-1 10.0.0.2:80', 'web-2 10.0.0.3:80']);
  });

  it('MACs are handed out in port order from fa:16:3e:00:00:01', () => {
    expect(port(cloud, 'web-1/eth0').mac).toBe('fa:16:3e:00:00:01');
    expect(port(cloud, 'web-2/eth0').mac).toBe('fa:16:3e:00:00:02');
  });

  it('the router gateway and floating IPs come from the public pool 203.0.113.10-200', () => {
    const inPool = (ip: string) => ipv4Value(ip) >= ipv4Value('203.0.113.10') && ipv4Value(ip) <= ipv4Value('203.0.113.200');
    const gateway = cloud.routers.get('edge')!.externalGateway!;
    expect(gateway.address.text).toBe('203.0.113.10');
    const fips = [...cloud.floatingIps.values()];
    expect(fips.map((f) => f.address.text).every(inPool)).toBe(true);
    expect(inPool(gateway.address.text)).toBe(true);
    expect(new Set([gateway.address.text, ...fips.map((f) => f.address.text)]).size).toBe(fips.length + 1);
  });

  it('floating IPs map to their fixed addresses through router edge; lb-fip keeps its explicit address', () => {
    const web1 = cloud.floatingIps.get('web-1-fip')!;
    expect([web1.fixedAddress?.text, web1.router]).toEqual(['10.0.0.2', 'edge']);
    const lbFip = cloud.floatingIps.get('lb-fip')!;
    expect([lbFip.address.text, lbFip.fixedAddress?.text, lbFip.port]).toEqual(['203.0.113.80', '10.0.0.100', 'web-lb/vip']);
  });

  it('groups start with the two default egress rules; the implicit default group is added', () => {
    expect(cloud.securityGroups.get('db')!.rules.map((r) => r.text)).toEqual(['egress any to 0.0.0.0/0', 'egress any to ::/0', 'ingress tcp/5432 from group web']);
    expect(cloud.securityGroups.get('default')?.implicit).toBe(true);
  });
});

describe('dual-stack.yaml', () => {
  const cloud = load('dual-stack.yaml');

  it('a port on the dual-stack network gets a pool IPv4 address and its EUI-64 SLAAC address', () => {
    const p = port(cloud, 'web-1/eth0');
    expect(p.mac).toBe('fa:16:3e:00:00:01');
    // fa:16:3e:00:00:01 → f816:3eff:fe00:0001 (RFC 4291 appendix A: ff:fe inserted, U/L bit flipped).
    expect(addresses(cloud, 'web-1/eth0')).toEqual(['10.1.0.2', '2001:db8:1:0:f816:3eff:fe00:1']);
  });

  it('the DHCPv6-stateful subnet hands out pool addresses after its gateway, the subnet-router anycast address', () => {
    expect(cloud.subnets.get('back-v6')!.gateway?.text).toBe('2001:db8:2::');
    expect(addresses(cloud, 'db-1/eth0')).toEqual(['2001:db8:2::1']);
    expect(addresses(cloud, 'db-2/eth0')).toEqual(['2001:db8:2::20']);
  });

  it('the router sits on all three subnets; IPv6 rules infer ethertype IPv6', () => {
    expect(cloud.routers.get('edge')!.interfaces.flatMap((id) => addresses(cloud, id))).toEqual(['10.1.0.1', '2001:db8:1::', '2001:db8:2::']);
    const web = cloud.securityGroups.get('web')!.rules.filter((r) => r.origin === 'file');
    expect(web.map((r) => r.ethertype)).toEqual(['IPv4', 'IPv6', 'IPv6']);
    expect(cloud.externalHosts.get('client-v6')!.address.text).toBe('2001:db8:ffff::7');
  });
});

describe('aws-vpc.yaml', () => {
  const cloud = load('aws-vpc.yaml');

  it('AWS subnets reserve .0-.3 and the last address, so instances start at .4', () => {
    const pub = cloud.subnets.get('public')!;
    expect(pub.profile).toBe('aws');
    expect(pub.allocationPools).toEqual([{ start: '10.20.0.4', end: '10.20.0.254' }]);
    expect(addresses(cloud, 'bastion/eth0')).toEqual(['10.20.0.4']);
    expect(addresses(cloud, 'app-1/eth0')).toEqual(['10.20.1.4']);
    expect(addresses(cloud, 'igw/qr-public')).toEqual(['10.20.0.1']);
  });

  it('network ACLs are sorted by rule number and include the ephemeral return rules', () => {
    const acl = cloud.networkAcls.get('public-acl')!;
    expect(acl.ingress.map((r) => r.number)).toEqual([90, 100, 110]);
    expect(acl.ingress[0]!.action).toBe('deny');
    for (const name of ['public-acl', 'private-acl']) {
      const a = cloud.networkAcls.get(name)!;
      expect(a.ingress.some((r) => r.action === 'allow' && r.ports?.from === 1024 && r.ports.to === 65535)).toBe(true);
      expect(a.egress.some((r) => r.action === 'allow' && r.ports?.from === 1024 && r.ports.to === 65535)).toBe(true);
    }
    expect(cloud.subnets.get('private')!.networkAcl).toBe('private-acl');
  });

  it('the bastion has a floating IP through the router', () => {
    expect(cloud.floatingIps.get('bastion-eip')).toMatchObject({ router: 'igw', fixedAddress: { text: '10.20.0.4' } });
  });
});

describe('multi-router.yaml', () => {
  const cloud = load('multi-router.yaml');

  it('the transit subnet has no gateway; each router names its address on it', () => {
    expect(cloud.subnets.get('core')!.gateway).toBeNull();
    expect(addresses(cloud, 'edge/qr-core')).toEqual(['10.50.0.1']);
    expect(addresses(cloud, 'branch/qr-core')).toEqual(['10.50.0.2']);
  });

  it('each router routes through the other; only edge has an external gateway', () => {
    const routes = (r: string) => cloud.routers.get(r)!.routes.map((x) => `${x.destination.text} via ${x.nexthop.text}`);
    expect(routes('edge')).toEqual(['10.2.0.0/24 via 10.50.0.2']);
    expect(routes('branch')).toEqual(['0.0.0.0/0 via 10.50.0.1']);
    expect(cloud.routers.get('branch')!.externalGateway).toBeNull();
    expect(cloud.routers.get('edge')!.externalGateway?.snat).toBe(true);
  });
});
