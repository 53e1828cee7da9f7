/**
 * Building the ports' firewalls from a cloud (src/firewall/install.ts): a group's members (fixed
 * addresses; a single-address pair as an address, a wider one as a prefix, both families), a
 * port's rule union in group order, which ports get a firewall (instance ports with port
 * security, nothing else), each firewall's identity (MAC, addresses, pairs and their MACs) and
 * statefulness, and one matcher per distinct list of groups.
 */
import { describe, expect, it } from 'vitest';
import { PORT_TABLES } from '../../../src/engine/pipeline.js';
import { buildPortFirewalls, groupMembers, portRules } from '../../../src/firewall/install.js';
import { fieldsOf } from '../../../src/firewall/packet-fields.js';
import { prefixValue } from '../../../src/packet/ip-value.js';
import { cloudOf } from '../audit/helpers.js';

const cloud = cloudOf(`version: 1
name: install
networks:
  lan:
    subnets:
      lan-v4: { cidr: 10.0.0.0/24 }
      lan-v6: { cidr: 2001:db8::/64, ipv6_address_mode: dhcpv6-stateful }
routers:
  r:
    interfaces: [lan-v4]
security_groups:
  a:
    rules:
      - { direction: ingress, protocol: tcp, ports: 22 }
  b:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: udp, ports: 53 }
  ab:
    rules:
      - { direction: ingress, protocol: tcp, ports: 443 }
  quiet:
    stateful: false
    rules:
      - { direction: ingress, protocol: udp, ports: 123 }
instances:
  one:
    ports:
      - subnet: lan-v4
        ip: 10.0.0.10
        security_groups: [a, b]
        allowed_address_pairs: [10.0.0.50, 10.0.5.0/24, { ip_address: 2001:db8::50, mac_address: "fa:16:3e:00:00:99" }, 2001:db8:5::/64]
  two: { ports: [{ subnet: lan-v4, ip: 10.0.0.11, security_groups: [a, b] }] }
  three: { ports: [{ subnet: lan-v4, ip: 10.0.0.12, security_groups: [ab] }] }
  four: { ports: [{ subnet: lan-v4, ip: 10.0.0.13, security_groups: [quiet] }] }
  five: { ports: [{ subnet: lan-v4, ip: 10.0.0.14, port_security: false }] }
  six: { ports: [{ subnet: lan-v4, ip: 10.0.0.15, security_groups: [] }] }
load_balancers:
  lb:
    subnet: lan-v4
    vip: 10.0.0.100
    security_groups: [b]
    listeners: [{ protocol: tcp, port: 80, pool: p }]
    pools:
      p: { algorithm: round_robin, members: [two] }
`);

const portOf = (instance: string) => cloud.instances.get(instance)!.ports[0]!;

describe('groupMembers', () => {
  it('every fixed address of the group\'s ports; a pair of one address is an address, a wider pair a prefix, in both families', () => {
    const a = groupMembers(cloud).get('a')!;
    expect([...a.addresses].sort()).toEqual([0x0a00000a, 0x0a00000b, 0x0a000032, 0x20010db8000000000000000000000050n].sort());
    expect(a.prefixes).toEqual([prefixValue(0x0a000500, 24), prefixValue(0x20010db8000500000000000000000000n, 64)]);
    // A port in two groups counts in both (b also holds the VIP port); a group's members are only its own ports'.
    const b = groupMembers(cloud).get('b')!;
    expect([...b.addresses].sort()).toEqual([...a.addresses, 0x0a000064].sort());
    expect(b.prefixes).toEqual(a.prefixes);
    expect([...groupMembers(cloud).get('ab')!.addresses]).toEqual([0x0a00000c]);
    expect(groupMembers(cloud).get('ab')!.prefixes).toEqual([]);
  });
});

describe('portRules', () => {
  it('the groups\' rules in the order of the groups, numbered across the union; an unknown group adds none', () => {
    const rules = portRules(cloud, ['b', 'ghost', 'a']);
    const own = (g: string) => cloud.securityGroups.get(g)!.rules.filter((r) => r.direction === 'ingress').map((r) => r.text);
    expect(rules.filter((r) => r.direction === 'ingress').map((r) => [r.group, r.text])).toEqual([...own('b').map((t) => ['b', t]), ...own('a').map((t) => ['a', t])]);
    expect(rules.map((r) => r.order)).toEqual(rules.map((_, i) => i));
    expect(rules.map((r) => r.group)).toEqual([...cloud.securityGroups.get('b')!.rules.map(() => 'b'), ...cloud.securityGroups.get('a')!.rules.map(() => 'a')]);
  });
});

describe('buildPortFirewalls', () => {
  const fws = buildPortFirewalls(cloud, 'auto', PORT_TABLES);

  it('one per instance port with port security: not a router\'s, a VIP\'s (even one with groups) or a port with security off', () => {
    expect(cloud.ports.get('lb/vip')?.portSecurity).toBe(true);
    expect(fws.get('lb/vip')).toBeUndefined();
    expect([...fws.keys()].sort()).toEqual(['one', 'two', 'three', 'four', 'six'].map(portOf).sort());
    expect(fws.get(portOf('five'))).toBeUndefined();
    for (const id of cloud.ports.keys()) if (![...fws.keys()].includes(id)) expect(fws.get(id)).toBeUndefined();
    expect(fws.get('no-such-port')).toBeUndefined();
  });

  it('a firewall\'s identity: the port\'s MAC, its fixed addresses, its pairs with their MAC (or none)', () => {
    const port = cloud.ports.get(portOf('one'))!;
    const c = fws.get(port.id)!.config;
    expect(c.port).toBe(port.id);
    expect(c.groups).toEqual(['a', 'b']);
    expect(c.identity.mac).toBe(port.macValue);
    expect([...c.identity.addresses]).toEqual(port.fixedIps.map((f) => (f.address.ip.version === 4 ? Number(f.address.ip.value) : f.address.ip.value)));
    expect(c.identity.pairs).toEqual([
      { prefix: prefixValue(0x0a000032, 32), mac: null },
      { prefix: prefixValue(0x0a000500, 24), mac: null },
      { prefix: prefixValue(0x20010db8000000000000000000000050n, 128), mac: 0xfa163e000099 },
      { prefix: prefixValue(0x20010db8000500000000000000000000n, 64), mac: null },
    ]);
  });

  it('stateful unless one of its groups is stateless; a port with no group is stateful', () => {
    expect(fws.get(portOf('one'))!.config.stateful).toBe(true);
    expect(fws.get(portOf('four'))!.config.stateful).toBe(false);
    expect(fws.get(portOf('six'))!.config.groups).toEqual([]);
    expect(fws.get(portOf('six'))!.config.stateful).toBe(true);
  });

  it('ports with the same groups share one matcher; other groups (even ones whose names run together) another', () => {
    const m = (i: string) => fws.get(portOf(i))!.config.matcher;
    expect(m('one')).toBe(m('two'));
    expect(m('three')).not.toBe(m('one'));
    // [a, b] and [ab] differ: tcp/443 is allowed by ab alone, tcp/22 by a alone.
    const syn = (dport: number) => fieldsOf({ kind: 'ip', version: 4, src: 0xc0000201, dst: 0x0a00000a, ttl: 64, l4: { proto: 'tcp', sport: 40000, dport, flags: 2 } });
    expect(m('three').match(syn(443), 'ingress')?.group).toBe('ab');
    expect(m('three').match(syn(22), 'ingress')).toBeUndefined();
    expect(m('one').match(syn(22), 'ingress')?.group).toBe('a');
    expect(m('one').match(syn(443), 'ingress')).toBeUndefined();
  });

  it('the compiled, linear and automatic matchers find the same rule', () => {
    const kinds = (['auto', 'compiled', 'linear'] as const).map((k) => buildPortFirewalls(cloud, k, PORT_TABLES).get(portOf('one'))!.config.matcher);
    for (const dport of [22, 53, 80, 443]) {
      const f = fieldsOf({ kind: 'ip', version: 4, src: 0xc0000201, dst: 0x0a00000a, ttl: 64, l4: { proto: 'tcp', sport: 40000, dport, flags: 2 } });
      const found = kinds.map((m) => m.match(f, 'ingress')?.text);
      expect(new Set(found).size).toBe(1);
    }
  });
});
