/**
 * Names a person writes → places in the cloud (src/engine/endpoints.ts): sources by instance or
 * external host name or by one of their addresses (never a router's, a VIP's or a floating
 * IP's), destinations by address or by the name of an instance (in a family, or its first
 * address), external host, load balancer or floating IP; each failure's code and message with
 * its "did you mean" among the names of its kind.
 */
import { describe, expect, it } from 'vitest';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import { nodeId } from '../../../src/topology/graph.js';
import { cloudOf } from '../audit/helpers.js';

const cloud = cloudOf(`version: 1
name: endpoints
external_networks:
  public: { cidr: 203.0.113.0/24, gateway: 203.0.113.1, pool: 203.0.113.10-203.0.113.200 }
networks:
  front:
    subnets:
      front-v4: { cidr: 10.1.0.0/24 }
      front-v6: { cidr: 2001:db8:1::/64, ipv6_address_mode: slaac }
  back:
    subnets:
      back-v6: { cidr: 2001:db8:2::/64, ipv6_address_mode: dhcpv6-stateful }
  mgmt:
    subnets:
      mgmt-v4: { cidr: 10.9.0.0/24 }
routers:
  edge:
    external_gateway: { network: public, snat: true }
    interfaces: [front-v4, front-v6, back-v6]
instances:
  web-1: { ports: [{ subnet: front-v4, ip: 10.1.0.11 }], services: [tcp/80] }
  db-1: { ports: [{ subnet: back-v6, ip: 2001:db8:2::20 }] }
  ops: { ports: [{ subnet: mgmt-v4, ip: 10.9.0.5 }] }
load_balancers:
  web-lb:
    subnet: front-v4
    vip: 10.1.0.100
    listeners: [{ protocol: tcp, port: 80, pool: web-pool }]
    pools:
      web-pool: { algorithm: round_robin, members: [web-1] }
floating_ips:
  web-1-fip: { network: public, port: web-1, ip: 203.0.113.50 }
external_hosts:
  client: { ip: 198.51.100.7 }
  client-v6: { ip: 2001:db8:ffff::7 }
`);

const WEB_1 = 0x0a01000b;
const DB_1 = 0x20010db8000200000000000000000020n;

/** web-1's SLAAC address on front-v6 (EUI-64 from its MAC), as the cloud assigned it. */
const web1V6 = (() => {
  const port = cloud.ports.get(cloud.instances.get('web-1')!.ports[0]!)!;
  const v6 = port.fixedIps.find((f) => f.address.ip.version === 6)!;
  return v6.address.ip.value;
})();

describe('resolveSource', () => {
  it('an instance or an external host by name: its node and name, no address', () => {
    expect(resolveSource(cloud, 'web-1')).toEqual({ ok: true, value: { node: nodeId.instance('web-1'), name: 'web-1' } });
    expect(resolveSource(cloud, 'client')).toEqual({ ok: true, value: { node: nodeId.host('client'), name: 'client' } });
  });

  it('by one of an instance\'s addresses, either family: its node and that address', () => {
    expect(resolveSource(cloud, '10.1.0.11')).toEqual({ ok: true, value: { node: nodeId.instance('web-1'), name: 'web-1', ip: WEB_1 } });
    expect(resolveSource(cloud, '2001:db8:2::20')).toEqual({ ok: true, value: { node: nodeId.instance('db-1'), name: 'db-1', ip: DB_1 } });
    expect(resolveSource(cloud, formatV6(web1V6))).toEqual({ ok: true, value: { node: nodeId.instance('web-1'), name: 'web-1', ip: web1V6 } });
  });

  it('by an external host\'s address, either family', () => {
    expect(resolveSource(cloud, '198.51.100.7')).toEqual({ ok: true, value: { node: nodeId.host('client'), name: 'client', ip: 0xc6336407 } });
    expect(resolveSource(cloud, '2001:db8:ffff::7')).toEqual({ ok: true, value: { node: nodeId.host('client-v6'), name: 'client-v6', ip: 0x20010db8ffff00000000000000000007n } });
  });

  it('an address nothing that sends owns (a router\'s interface, a VIP, a floating IP, nobody): unknown-source', () => {
    for (const text of ['10.1.0.1', '10.1.0.100', '203.0.113.50', '192.0.2.1']) {
      expect(resolveSource(cloud, text)).toEqual({ ok: false, code: 'unknown-source', message: 'no instance or external host has this address' });
    }
  });

  it('an unknown name: unknown-source, with the closest instance or external host name (not a load balancer\'s)', () => {
    expect(resolveSource(cloud, 'web-2')).toEqual({ ok: false, code: 'unknown-source', message: 'no instance or external host named "web-2"; did you mean "web-1"?' });
    expect(resolveSource(cloud, 'clent')).toMatchObject({ message: 'no instance or external host named "clent"; did you mean "client"?' });
    expect(resolveSource(cloud, 'web-1-fip')).toMatchObject({ message: 'no instance or external host named "web-1-fip"' });
    expect(resolveSource(cloud, 'zzzzzz')).toMatchObject({ message: 'no instance or external host named "zzzzzz"' });
  });
});

describe('resolveDestination', () => {
  it('any address, owned or not', () => {
    expect(resolveDestination(cloud, '192.0.2.1')).toEqual({ ok: true, value: 0xc0000201 });
    expect(resolveDestination(cloud, '2001:db8::1')).toEqual({ ok: true, value: 0x20010db8000000000000000000000001n });
  });

  it('an instance: IPv4 unless asked, IPv6 when asked; with no IPv4 address, its first one unless IPv4 was asked', () => {
    expect(resolveDestination(cloud, 'web-1')).toEqual({ ok: true, value: WEB_1 });
    expect(resolveDestination(cloud, 'web-1', 4)).toEqual({ ok: true, value: WEB_1 });
    expect(resolveDestination(cloud, 'web-1', 6)).toEqual({ ok: true, value: web1V6 });
    expect(resolveDestination(cloud, 'db-1')).toEqual({ ok: true, value: DB_1 });
    expect(resolveDestination(cloud, 'db-1', 6)).toEqual({ ok: true, value: DB_1 });
    expect(resolveDestination(cloud, 'db-1', 4)).toEqual({ ok: false, code: 'destination-family', message: 'the instance has no IPv4 address' });
    expect(resolveDestination(cloud, 'ops', 6)).toEqual({ ok: false, code: 'destination-family', message: 'the instance has no IPv6 address' });
  });

  it('an external host, a load balancer (its VIP) or a floating IP by name', () => {
    expect(resolveDestination(cloud, 'client')).toEqual({ ok: true, value: 0xc6336407 });
    expect(resolveDestination(cloud, 'web-lb')).toEqual({ ok: true, value: 0x0a010064 });
    expect(resolveDestination(cloud, 'web-1-fip')).toEqual({ ok: true, value: 0xcb007132 });
  });

  it('an unknown name: unknown-destination, with the closest name of any kind', () => {
    expect(resolveDestination(cloud, 'web-lbb')).toEqual({ ok: false, code: 'unknown-destination', message: 'no instance, external host, load balancer or floating IP named "web-lbb"; did you mean "web-lb"?' });
    expect(resolveDestination(cloud, 'web-1-fp')).toMatchObject({ message: expect.stringMatching(/did you mean "web-1-fip"\?$/) });
    expect(resolveDestination(cloud, 'clent')).toMatchObject({ message: expect.stringMatching(/did you mean "client"\?$/) });
    expect(resolveDestination(cloud, 'db-2')).toMatchObject({ message: expect.stringMatching(/did you mean "db-1"\?$/) });
    expect(resolveDestination(cloud, 'zzzzzz')).toMatchObject({ message: 'no instance, external host, load balancer or floating IP named "zzzzzz"' });
  });
});

/** An IPv6 address as full hex groups (parseIp reads it whatever the compression). */
function formatV6(v: bigint): string {
  return Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}
