/**
 * Neutron behaviours that tempest's network API tests check and the CLI never does: a floating
 * IP's fixed address on a port with several, bulk port creation, a router interface port's
 * fixed_ips, integer and legacy protocols of security group rules, SLAAC subnet deletion.
 * Each case asserts Neutron's status and exception type, and that the change reaches the model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Doc } from '../../../src/api/store.js';
import { publicAndPrivate, testApi } from './helpers.js';

const N = '/network/v2.0';

describe('floating IP on a port with several fixed IPs (fixed_ip_address)', () => {
  it('maps the address asked for, moves with an update, and refuses one the port lacks', () => {
    const api = testApi();
    const { call, store } = api;
    const { pub, net } = publicAndPrivate(api, { router: true });
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.20' }, { ip_address: '10.0.0.30' }] } }).body.port;
    // Neutron: with two IPv4 addresses and none named, the association is ambiguous (400).
    const ambiguous = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.id } });
    expect([ambiguous.status, ambiguous.body.NeutronError.type]).toEqual([400, 'BadRequest']);
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.id, fixed_ip_address: '10.0.0.30' } });
    expect([fip.status, fip.body.floatingip.fixed_ip_address]).toEqual([201, '10.0.0.30']);
    // The model (what the engine NATs to) agrees with what the API shows.
    const key = store.all('floatingip').find((m) => m.id === fip.body.floatingip.id)!.key;
    expect(store.cloud.floatingIps.get(key)!.fixedAddress?.text).toBe('10.0.0.30');
    const moved = call('PUT', `${N}/floatingips/${fip.body.floatingip.id}`, { floatingip: { port_id: port.id, fixed_ip_address: '10.0.0.20' } });
    expect([moved.status, moved.body.floatingip.fixed_ip_address]).toEqual([200, '10.0.0.20']);
    expect(store.cloud.floatingIps.get(key)!.fixedAddress?.text).toBe('10.0.0.20');
    // No address of the port moved.
    expect(call('GET', `${N}/ports/${port.id}`).body.port.fixed_ips.map((f: { ip_address: string }) => f.ip_address).sort()).toEqual(['10.0.0.20', '10.0.0.30']);
    for (const bad of ['10.0.0.99', '2001:db8::5', 'nonsense']) {
      const r = call('PUT', `${N}/floatingips/${fip.body.floatingip.id}`, { floatingip: { port_id: port.id, fixed_ip_address: bad } });
      expect([r.status, r.body.NeutronError.type], bad).toEqual([400, bad === 'nonsense' ? 'InvalidInput' : 'BadRequest']);
    }
    const noPort = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, fixed_ip_address: '10.0.0.20' } });
    expect([noPort.status, noPort.body.NeutronError.type]).toEqual([400, 'BadRequest']);
    // The refusals changed nothing.
    expect(store.cloud.floatingIps.get(key)!.fixedAddress?.text).toBe('10.0.0.20');
  });
});

describe('bulk create (POST {"ports": [...]})', () => {
  it('creates every port of the list, each on its own network, also on networks without a subnet', () => {
    const api = testApi();
    const { call } = api;
    const { net } = publicAndPrivate(api);
    const bare1 = call('POST', `${N}/networks`, { network: { name: 'bare1' } }).body.network;
    const bare2 = call('POST', `${N}/networks`, { network: { name: 'bare2' } }).body.network;
    const nets = [bare1.id, bare2.id, net.id, bare1.id];
    const r = call('POST', `${N}/ports`, { ports: nets.map((network_id) => ({ network_id })) });
    expect(r.status).toBe(201);
    const ports = r.body.ports as { id: string; network_id: string; admin_state_up: boolean }[];
    expect(ports.map((p) => p.network_id)).toEqual(nets);
    expect(new Set(ports.map((p) => p.id)).size).toBe(4);
    expect(ports.every((p) => p.admin_state_up)).toBe(true);
    // Each is its own port: listed once each, and deleting one leaves the others.
    expect(call('GET', `${N}/ports`).body.ports.filter((p: { id: string }) => ports.some((q) => q.id === p.id))).toHaveLength(4);
    expect(call('DELETE', `${N}/ports/${ports[0]!.id}`).status).toBe(204);
    expect(ports.slice(1).map((p) => call('GET', `${N}/ports/${p.id}`).status)).toEqual([200, 200, 200]);
  });

  it('is all or nothing: one bad port refuses the request and creates none', () => {
    const api = testApi();
    const { call } = api;
    const { net } = publicAndPrivate(api);
    const before = call('GET', `${N}/ports`).body.ports.length;
    const r = call('POST', `${N}/ports`, { ports: [{ network_id: net.id }, { network_id: net.id, fixed_ips: [{ ip_address: '10.9.9.9' }] }] });
    expect([r.status, r.body.NeutronError.type]).toEqual([400, 'InvalidIpForNetwork']);
    expect(call('GET', `${N}/ports`).body.ports).toHaveLength(before);
    const nets = call('POST', `${N}/networks`, { networks: [{ name: 'a' }, { name: 'b' }] });
    expect([nets.status, nets.body.networks.map((n: { name: string }) => n.name)]).toEqual([201, ['a', 'b']]);
    const subs = call('POST', `${N}/subnets`, { subnets: [{ network_id: nets.body.networks[0].id, cidr: '10.1.0.0/24' }, { network_id: nets.body.networks[1].id, cidr: '10.2.0.0/24' }] });
    expect([subs.status, subs.body.subnets.map((s: { cidr: string }) => s.cidr)]).toEqual([201, ['10.1.0.0/24', '10.2.0.0/24']]);
    const notList = call('POST', `${N}/ports`, { ports: { network_id: net.id } });
    expect(notList.status).toBe(400);
  });
});

describe('security group rules: protocols and ICMP type/code as Neutron stores them', () => {
  const setup = () => {
    const api = testApi();
    const sg = api.call('POST', `${N}/security-groups`, { security_group: { name: 'web' } }).body.security_group;
    const rule = (body: Record<string, unknown>) => api.call('POST', `${N}/security-group-rules`, { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ...body } });
    return { ...api, sg, rule };
  };

  it('keeps an integer protocol as its number, and canonicalises IPv6 ICMP to ipv6-icmp', () => {
    const { rule, store, sg, call } = setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ protocol: 17 }, '17'], [{ protocol: '6', port_range_min: 22, port_range_max: 22 }, '6'], [{ protocol: 'UDP', port_range_min: 53, port_range_max: 53 }, 'udp'],
      [{ protocol: 47 }, '47'], [{ protocol: 'ipv6-icmp', ethertype: 'IPv6', port_range_min: 128 }, 'ipv6-icmp'],
      [{ protocol: 'icmp', ethertype: 'IPv6', port_range_min: 135, port_range_max: 0 }, 'ipv6-icmp'], [{ protocol: 'icmpv6', ethertype: 'IPv6', port_range_min: 1, port_range_max: 4 }, 'ipv6-icmp'],
      [{ protocol: '1', ethertype: 'IPv6', port_range_min: 2 }, '58'], [{ protocol: 'icmp', port_range_min: 11 }, 'icmp'], [{ protocol: 1, port_range_min: 3, port_range_max: 2 }, '1'],
    ];
    for (const [body, shown] of cases) {
      const r = rule(body);
      expect([r.status, r.body.security_group_rule?.protocol], JSON.stringify(body)).toEqual([201, shown]);
    }
    // The model enforces what the numbers mean: 17 is UDP any port, 6/22 is TCP 22, ICMP type/code kept.
    const g = store.cloud.securityGroups.get(store.all('security_group').find((m) => m.id === sg.id)!.key)!;
    const fileRules = g.rules.filter((x) => x.origin === 'file').map((x) => [x.protocol, x.ports && `${x.ports.from}-${x.ports.to}`, x.icmpType, x.icmpCode]);
    expect(fileRules).toEqual([
      ['udp', null, null, null], ['tcp', '22-22', null, null], ['udp', '53-53', null, null], [47, null, null, null], ['icmpv6', null, 128, null],
      ['icmpv6', null, 135, 0], ['icmpv6', null, 1, 4], ['icmpv6', null, 2, null], ['icmp', null, 11, null], ['icmp', null, 3, 2],
    ]);
    // A name and its number are one rule (Neutron's _rule_to_key): 409.
    const dup = rule({ protocol: 'udp' });
    expect([dup.status, dup.body.NeutronError.type]).toEqual([409, 'SecurityGroupRuleExists']);
    // Listing shows what creation showed; so does the saved file loaded again.
    const shown = [null, null, '17', '6', 'udp', '47', 'ipv6-icmp', 'ipv6-icmp', 'ipv6-icmp', '58', 'icmp', '1'];
    expect(call('GET', `${N}/security-group-rules?security_group_id=${sg.id}`).body.security_group_rules.map((x: { protocol: string | null }) => x.protocol)).toEqual(shown);
    const again = testApi(parse(store.text()) as Doc);
    const web = again.call('GET', `${N}/security-groups?name=web`).body.security_groups[0];
    expect(web.security_group_rules.map((x: { protocol: string | null }) => x.protocol)).toEqual(shown);
  });

  it('answers Neutron\'s 400s with their exception types', () => {
    const { rule } = setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ protocol: 'bogus' }, 'SecurityGroupRuleInvalidProtocol'], [{ protocol: 256 }, 'SecurityGroupRuleInvalidProtocol'], [{ protocol: -1 }, 'SecurityGroupRuleInvalidProtocol'],
      [{ port_range_min: 22, port_range_max: 22 }, 'SecurityGroupProtocolRequiredWithPorts'],
      [{ protocol: 'tcp', port_range_min: 0, port_range_max: 22 }, 'SecurityGroupInvalidPortValue'],
      [{ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, 'SecurityGroupInvalidPortRange'],
      [{ protocol: 'tcp', port_range_min: 80 }, 'SecurityGroupInvalidPortRange'],
      [{ protocol: 'icmp', port_range_max: 0 }, 'SecurityGroupMissingIcmpType'],
      [{ protocol: 'icmp', port_range_min: 256 }, 'SecurityGroupInvalidIcmpValue'],
      [{ protocol: 'icmp', port_range_min: 3, port_range_max: 300 }, 'SecurityGroupInvalidIcmpValue'],
      [{ protocol: 47, port_range_min: 1, port_range_max: 2 }, 'SecurityGroupInvalidProtocolForPort'],
      [{ protocol: 'ipv6-icmp', ethertype: 'IPv4' }, 'SecurityGroupEthertypeConflictWithProtocol'],
      [{ protocol: 58 }, 'SecurityGroupEthertypeConflictWithProtocol'],
      [{ protocol: 'tcp', ethertype: 'IPv5' }, 'SecurityGroupRuleInvalidEtherType'],
      [{ protocol: 'tcp', port_range_min: 80, port_range_max: 65536 }, 'SecurityGroupInvalidPortValue'],
      [{ protocol: 'tcp', port_range_min: -16, port_range_max: 80 }, 'SecurityGroupInvalidPortValue'],
      [{ protocol: 'icmp', port_range_min: -1, port_range_max: 25 }, 'SecurityGroupInvalidPortValue'],
      [{ protocol: 'tcp', port_range_min: 'x', port_range_max: 80 }, 'InvalidInput'],
    ];
    for (const [body, type] of cases) {
      const r = rule(body);
      expect([r.status, r.body.NeutronError?.type], JSON.stringify(body)).toEqual([400, type]);
    }
  });

  it('stores the whole TCP range as no range, as Neutron does', () => {
    const { rule } = setup();
    const r = rule({ protocol: 'tcp', port_range_min: 1, port_range_max: 65535 }).body.security_group_rule;
    expect([r.port_range_min, r.port_range_max]).toEqual([null, null]);
  });
});

describe('security group rule requests (property)', () => {
  const names = ['tcp', 'udp', 'icmp', 'icmpv6', 'ipv6-icmp', 'any', 'gre', 'TCP', 'Icmp', 'bogus', 'sctp'];
  const protocol = fc.oneof(fc.constantFrom(...names), fc.integer({ min: -2, max: 258 }), fc.integer({ min: 0, max: 255 }).map(String), fc.constant(null));
  const port = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -1, max: 65536 }));
  it('any request is a 201 whose rule reads back the same after save and reload, or a 400 that changes nothing (120 runs)', () => {
    fc.assert(fc.property(fc.array(fc.record({ protocol, ethertype: fc.constantFrom('IPv4', 'IPv6', 'ipv6'), port_range_min: port, port_range_max: port }), { minLength: 1, maxLength: 4 }), (bodies) => {
      const api = testApi();
      const sg = api.call('POST', `${N}/security-groups`, { security_group: { name: 'g' } }).body.security_group;
      const created: Record<string, unknown>[] = [];
      for (const body of bodies) {
        const before = api.store.text();
        const r = api.call('POST', `${N}/security-group-rules`, { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ...body } });
        expect([201, 400, 409], JSON.stringify(body)).toContain(r.status);
        if (r.status !== 201) { expect(api.store.text()).toBe(before); expect(typeof r.body.NeutronError.type).toBe('string'); continue; }
        const rule = r.body.security_group_rule;
        created.push(rule);
        // The stored protocol is Neutron's text: null, a lower-case name, or a decimal number 0-255.
        expect(rule.protocol === null || /^[a-z0-9-]+$/.test(rule.protocol)).toBe(true);
        if (typeof body.protocol === 'number' && !(rule.ethertype === 'IPv6' && body.protocol === 1)) expect(rule.protocol).toBe(String(body.protocol));
      }
      const pick = (x: Record<string, unknown>) => [x.direction, x.ethertype, x.protocol, x.port_range_min, x.port_range_max];
      const again = testApi(parse(api.store.text()) as Doc).call('GET', `${N}/security-groups?name=g`).body.security_groups[0];
      expect(again.security_group_rules.slice(2).map(pick)).toEqual(created.map(pick));
    }), { numRuns: 120 });
  });
});

describe('deleting a SLAAC or dhcpv6-stateless subnet that holds a port\'s only address', () => {
  for (const mode of ['slaac', 'dhcpv6-stateless']) {
    it(`${mode}: the subnet goes, the port stays with no fixed IPs, and the network is still in use`, () => {
      const { call, store } = testApi();
      const net = call('POST', `${N}/networks`, { network: { name: 'v6' } }).body.network;
      const sub = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_ra_mode: mode, ipv6_address_mode: mode } }).body.subnet;
      const port = call('POST', `${N}/ports`, { port: { network_id: net.id, name: 'p' } }).body.port;
      expect(port.fixed_ips).toHaveLength(1);
      call('PUT', `${N}/ports/${port.id}/tags/t1`);
      expect(call('DELETE', `${N}/subnets/${sub.id}`).status).toBe(204);
      expect(call('GET', `${N}/subnets`).body.subnets.map((s: { id: string }) => s.id)).not.toContain(sub.id);
      const after = call('GET', `${N}/ports/${port.id}`);
      expect([after.status, after.body.port.fixed_ips, after.body.port.mac_address, after.body.port.name, after.body.port.tags]).toEqual([200, [], port.mac_address, 'p', ['t1']]);
      expect(store.cloud.ports.size).toBe(0);
      const inUse = call('DELETE', `${N}/networks/${net.id}`);
      expect([inUse.status, inUse.body.NeutronError.type]).toEqual([409, 'NetworkInUse']);
      expect(inUse.body.NeutronError.message).toContain('There are one or more ports still in use on the network');
      expect(call('DELETE', `${N}/ports/${port.id}`).status).toBe(204);
      expect(call('DELETE', `${N}/networks/${net.id}`).status).toBe(204);
    });
  }

  it('a stateful DHCPv6 or IPv4 subnet with a port on it is still in use (409)', () => {
    const { call } = testApi();
    const net = call('POST', `${N}/networks`, { network: { name: 'v6' } }).body.network;
    const sub = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_address_mode: 'dhcpv6-stateful' } }).body.subnet;
    call('POST', `${N}/ports`, { port: { network_id: net.id } });
    const r = call('DELETE', `${N}/subnets/${sub.id}`);
    expect([r.status, r.body.NeutronError.type]).toEqual([409, 'SubnetInUse']);
  });
});

describe('PUT /ports/{id} fixed_ips', () => {
  it('on a router interface port: its subnet alone keeps the address, an address moves the interface, another subnet is refused', () => {
    const api = testApi();
    const { call, store } = api;
    const { net, sub, router } = publicAndPrivate(api, { router: true });
    const other = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.0.1.0/24' } }).body.subnet;
    const portId = call('GET', `${N}/ports?device_id=${router!.id}&device_owner=network:router_interface`).body.ports[0].id;
    const same = call('PUT', `${N}/ports/${portId}`, { port: { fixed_ips: [{ subnet_id: sub.id }] } });
    expect([same.status, same.body.port.fixed_ips]).toEqual([200, [{ subnet_id: sub.id, ip_address: '10.0.0.1' }]]);
    const moved = call('PUT', `${N}/ports/${portId}`, { port: { fixed_ips: [{ subnet_id: sub.id, ip_address: '10.0.0.254' }] } });
    expect([moved.status, moved.body.port.fixed_ips]).toEqual([200, [{ subnet_id: sub.id, ip_address: '10.0.0.254' }]]);
    // The router itself now answers there (the model, not only the API's view).
    expect(store.cloud.routers.get('r1')!.interfaces.map((id) => store.cloud.ports.get(id)!.fixedIps[0]!.address.text)).toEqual(['10.0.0.254']);
    for (const fixed_ips of [[{ subnet_id: other.id }], [{ subnet_id: sub.id }, { subnet_id: other.id }], []]) {
      const r = call('PUT', `${N}/ports/${portId}`, { port: { fixed_ips } });
      expect([r.status, r.body.NeutronError.type], JSON.stringify(fixed_ips)).toEqual([400, 'BadRequest']);
    }
    const taken = call('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.9' }] } });
    expect(taken.status).toBe(201);
    const clash = call('PUT', `${N}/ports/${portId}`, { port: { fixed_ips: [{ ip_address: '10.0.0.9' }] } });
    expect([clash.status, clash.body.NeutronError.type]).toEqual([409, 'IpAddressAlreadyAllocated']);
    const groups = call('PUT', `${N}/ports/${portId}`, { port: { security_groups: [] } });
    expect(groups.status).toBe(400);
    expect(call('GET', `${N}/ports/${portId}`).body.port.fixed_ips[0].ip_address).toBe('10.0.0.254');
  });

  it('on an instance port: a subnet alone keeps the address the port has there, as Neutron', () => {
    const api = testApi();
    const { call } = api;
    const { net, sub } = publicAndPrivate(api);
    const other = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.0.1.0/24' } }).body.subnet;
    call('POST', `${N}/ports`, { port: { network_id: net.id } }); // takes .2, so a fresh allocation would differ
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.50' }] } }).body.port;
    const kept = call('PUT', `${N}/ports/${port.id}`, { port: { fixed_ips: [{ subnet_id: sub.id }, { subnet_id: other.id }] } }).body.port;
    expect(kept.fixed_ips.map((f: { ip_address: string }) => f.ip_address)).toEqual(['10.0.0.50', '10.0.1.2']);
    const swapped = call('PUT', `${N}/ports/${port.id}`, { port: { fixed_ips: [{ ip_address: '10.0.1.2' }, { subnet_id: sub.id }] } }).body.port;
    expect(swapped.fixed_ips.map((f: { ip_address: string }) => f.ip_address)).toEqual(['10.0.1.2', '10.0.0.50']);
    const fresh = call('PUT', `${N}/ports/${port.id}`, { port: { fixed_ips: [{ ip_address: '10.0.0.50' }, { subnet_id: sub.id }] } }).body.port;
    expect(fresh.fixed_ips.map((f: { ip_address: string }) => f.ip_address)).toEqual(['10.0.0.50', '10.0.0.3']);
  });
});

describe('tags on networks (the tag extension, tempest\'s TagsTest)', () => {
  it('advertises tag and runs the create, check, replace, remove and clear cycle', () => {
    const { call } = testApi();
    expect(call('GET', `${N}/extensions/tag`).status).toBe(200);
    const net = call('POST', `${N}/networks`, { network: { name: 'n' } }).body.network;
    const at = `${N}/networks/${net.id}/tags`;
    expect(call('PUT', `${at}/a`).status).toBe(201);
    expect(call('GET', `${at}/a`).status).toBe(204);
    expect(call('GET', at).body.tags).toEqual(['a']);
    expect(call('PUT', at, { tags: ['x', 'y', 'z'] }).body.tags).toEqual(['x', 'y', 'z']);
    expect(call('DELETE', `${at}/x`).status).toBe(204);
    expect([call('GET', `${at}/x`).status, call('GET', `${at}/y`).status]).toEqual([404, 204]);
    expect(call('DELETE', at).status).toBe(204);
    expect(call('GET', `${at}/y`).status).toBe(404);
    expect(call('GET', `${N}/networks/${net.id}`).body.network.tags).toEqual([]);
  });

  it('subnet pools are not served: a clean 404 (tempest\'s TagsExtTest needs them and is excluded)', () => {
    const { call } = testApi();
    const r = call('POST', `${N}/subnetpools`, { subnetpool: { name: 'p', prefixes: ['10.10.0.0/16'] } });
    expect([r.status, r.body.NeutronError.type]).toEqual([404, 'HTTPNotFound']);
    expect(call('GET', `${N}/extensions`).body.extensions.map((e: { alias: string }) => e.alias)).not.toContain('subnet_allocation');
  });
});

describe('renaming security groups', () => {
  it('refuses default as a new name (409 SecurityGroupDefaultAlreadyExists) and any rename of default (409 SecurityGroupCannotUpdateDefault)', () => {
    const { call } = testApi();
    const sg = call('POST', `${N}/security-groups`, { security_group: { name: 'web' } }).body.security_group;
    const toDefault = call('PUT', `${N}/security-groups/${sg.id}`, { security_group: { name: 'default' } });
    expect([toDefault.status, toDefault.body.NeutronError.type]).toEqual([409, 'SecurityGroupDefaultAlreadyExists']);
    const def = call('GET', `${N}/security-groups?name=default`).body.security_groups[0];
    const rename = call('PUT', `${N}/security-groups/${def.id}`, { security_group: { name: 'other' } });
    expect([rename.status, rename.body.NeutronError.type]).toEqual([409, 'SecurityGroupCannotUpdateDefault']);
    expect(call('PUT', `${N}/security-groups/${def.id}`, { security_group: { description: 'd' } }).status).toBe(200);
    expect(call('PUT', `${N}/security-groups/${sg.id}`, { security_group: { name: 'web2' } }).body.security_group.name).toBe('web2');
  });
});

describe('allowed address pairs', () => {
  it('show the address as given (10.0.0.9, not 10.0.0.9/32), a prefix as a prefix, and survive a reload', () => {
    const api = testApi();
    const { call, store } = api;
    const { net } = publicAndPrivate(api);
    const pairs = [{ ip_address: '10.0.0.9' }, { ip_address: '10.0.5.0/24', mac_address: 'fa:16:3e:00:00:01' }];
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id, allowed_address_pairs: pairs } }).body.port;
    const shown = port.allowed_address_pairs.map((a: { ip_address: string }) => a.ip_address);
    expect(shown).toEqual(['10.0.0.9', '10.0.5.0/24']);
    const updated = call('PUT', `${N}/ports/${port.id}`, { port: { allowed_address_pairs: [{ ip_address: '2001:db8::2' }] } }).body.port;
    expect(updated.allowed_address_pairs.map((a: { ip_address: string }) => a.ip_address)).toEqual(['2001:db8::2']);
    expect(store.cloud.ports.get(store.all('port').find((m) => m.id === port.id)!.key)!.allowedAddressPairs[0]!.prefix.text).toBe('2001:db8::2/128');
    const again = testApi(parse(store.text()) as Doc);
    const reloaded = again.call('GET', `${N}/ports`).body.ports.find((p: { mac_address: string }) => p.mac_address === port.mac_address);
    expect(reloaded.allowed_address_pairs.map((a: { ip_address: string }) => a.ip_address)).toEqual(['2001:db8::2']);
  });
});

describe('list filters', () => {
  it('ignore a parameter that is no attribute of the resource (Neutron without filter-validation), and still filter on attributes', () => {
    const { call } = testApi();
    const a = call('POST', `${N}/networks`, { network: { name: 'a' } }).body.network;
    call('POST', `${N}/networks`, { network: { name: 'b' } });
    expect(call('GET', `${N}/networks?invalid_filter=${a.id}`).body.networks.map((n: { name: string }) => n.name)).toEqual(['a', 'b']);
    expect(call('GET', `${N}/networks?name=a`).body.networks.map((n: { id: string }) => n.id)).toEqual([a.id]);
    expect(call('GET', `${N}/networks?name=zzz`).body.networks).toEqual([]);
    expect(call('GET', `${N}/extensions`).body.extensions.map((e: { alias: string }) => e.alias)).not.toContain('filter-validation');
  });
});

describe('deleting an external network', () => {
  it('takes its unassociated floating IPs and its subnet with it; an associated one keeps it in use (409)', () => {
    const api = testApi();
    const { call } = api;
    const { pub, net } = publicAndPrivate(api, { router: true });
    const ext = call('POST', `${N}/networks`, { network: { name: 'ext2', 'router:external': true } }).body.network;
    const sub = call('POST', `${N}/subnets`, { subnet: { network_id: ext.id, cidr: '198.51.100.0/24', enable_dhcp: false } }).body.subnet;
    const spare = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: ext.id } }).body.floatingip;
    expect(call('DELETE', `${N}/networks/${ext.id}`).status).toBe(204);
    expect(call('GET', `${N}/floatingips/${spare.id}`).status).toBe(404);
    expect(call('GET', `${N}/subnets/${sub.id}`).status).toBe(404);
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id } }).body.port;
    call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port.id } });
    const inUse = call('DELETE', `${N}/networks/${pub.id}`);
    expect(inUse.status).toBe(409);
  });
});

describe('IPv6 modes of a subnet (tempest test_dhcpv6_invalid_options, test_dhcpv6_two_subnets)', () => {
  it("refuses modes that differ, a mode outside Neutron's three, and modes on a subnet without DHCP; equal modes are taken", () => {
    const api = testApi();
    const { call, store } = api;
    const net = call('POST', `${N}/networks`, { network: { name: 'v6' } }).body.network;
    const before = store.text();
    const subnet = (extra: Record<string, unknown>) => call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8::/64', ip_version: 6, ...extra } });
    for (const [ra, mode] of [['dhcpv6-stateless', 'dhcpv6-stateful'], ['slaac', 'dhcpv6-stateless'], ['dhcpv6-stateful', 'slaac']]) {
      const r = subnet({ ipv6_ra_mode: ra, ipv6_address_mode: mode });
      expect([r.status, r.body.NeutronError.type, r.body.NeutronError.message], `${ra}/${mode}`).toEqual([400, 'InvalidInput', expect.stringContaining('they must be the same value')]);
    }
    const odd = subnet({ ipv6_ra_mode: 'dhcp' });
    expect([odd.status, odd.body.NeutronError.message]).toEqual([400, expect.stringContaining('ipv6_ra_mode')]);
    const noDhcp = subnet({ ipv6_address_mode: 'slaac', enable_dhcp: false });
    expect([noDhcp.status, noDhcp.body.NeutronError.type]).toEqual([400, 'InvalidInput']);
    // Nothing refused reached the file, so the network still takes the CIDR.
    expect(store.text()).toBe(before);
    const ok = subnet({ ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' });
    expect([ok.status, ok.body.subnet.ipv6_ra_mode, ok.body.subnet.ipv6_address_mode]).toEqual([201, 'slaac', 'slaac']);
    expect(subnet({ cidr: '2001:db8:1::/64', ipv6_ra_mode: null, ipv6_address_mode: null }).status).toBe(201);
  });
});

describe('agents (tempest test_list_agents_non_admin)', () => {
  it('lists none, to a member and to admin (vnet runs no agents); one by id is 404 and writes are 405', () => {
    const { call } = testApi();
    for (const user of ['demo', 'admin']) expect(call('GET', `${N}/agents`, undefined, user)).toMatchObject({ status: 200, body: { agents: [] } });
    expect(call('GET', `${N}/agents/0b1c`).body.NeutronError.type).toBe('AgentNotFound');
    expect(call('POST', `${N}/agents`, { agent: {} }).status).toBe(405);
  });
});

describe('a port on a network with a stateful and an auto-address IPv6 subnet (tempest test_dhcpv6_two_subnets)', () => {
  it('gets an address on each, as Neutron gives: one allocated, one from its MAC', () => {
    const api = testApi();
    const { call } = api;
    const net = call('POST', `${N}/networks`, { network: { name: 'v6' } }).body.network;
    const stateful = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8:0:1::/64', ip_version: 6, ipv6_ra_mode: 'dhcpv6-stateful', ipv6_address_mode: 'dhcpv6-stateful' } }).body.subnet;
    const slaac = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8:0:2::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } }).body.subnet;
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id } });
    expect(port.status).toBe(201);
    const ips = port.body.port.fixed_ips as { subnet_id: string; ip_address: string }[];
    expect(ips.map((f) => f.subnet_id).sort()).toEqual([stateful.id, slaac.id].sort());
    expect(ips.find((f) => f.subnet_id === stateful.id)!.ip_address).toMatch(/^2001:db8:0:1::/);
    // The SLAAC address is the subnet's prefix and the port's MAC as EUI-64 (ff:fe in the middle).
    expect(ips.find((f) => f.subnet_id === slaac.id)!.ip_address).toMatch(/^2001:db8:0:2:[0-9a-f]+:[0-9a-f]*ff:fe/);
  });
});
