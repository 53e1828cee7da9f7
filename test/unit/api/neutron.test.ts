/**
 * Neutron over the store, in process: writes go through the loader (overlap 400, address in use
 * 409, unreachable floating IP 404), addresses stay put when other ports go, the default group
 * has Neutron's rules, lists filter and page, tokens are checked, non-admins see their own.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publicAndPrivate, testApi } from './helpers.js';

const N = '/network/v2.0';

function world() {
  const api = testApi();
  return { ...api, ...publicAndPrivate(api) };
}

describe('Keystone', () => {
  it('discovers, issues a token with a catalog, and refuses requests without one', () => {
    const { raw, call } = testApi();
    expect(raw('GET', '/').status).toBe(300);
    expect(raw('GET', '/v3').body.version.id).toBe('v3.14');
    const bad = raw('POST', '/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'nope', domain: { name: 'Default' } } } } } });
    expect(bad.status).toBe(401);
    expect(raw('GET', `${N}/networks`).status).toBe(401);
    expect(raw('GET', `${N}/networks`, undefined, { 'x-auth-token': 'forged' }).status).toBe(401);
    const ok = raw('POST', '/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name: 'demo', password: 'demo', domain: { name: 'Default' } } } }, scope: { project: { name: 'demo', domain: { name: 'Default' } } } } });
    expect(ok.status).toBe(201);
    expect(ok.headers['X-Subject-Token']).toBeTruthy();
    expect(ok.body.token.catalog.map((s: { type: string }) => s.type)).toEqual(['identity', 'network', 'load-balancer', 'compute', 'image']);
    expect(ok.body.token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(call('GET', '/v3/projects', undefined, 'demo').body.projects.map((p: { name: string }) => p.name)).toEqual(['demo']);
    expect(call('GET', '/v3/projects').body.projects).toHaveLength(3);
  });
});

describe('Neutron', () => {
  it('allocates like a topology file and refuses what the loader refuses, with Neutron statuses', () => {
    const { call, net, sub, pub } = world();
    expect([sub.gateway_ip, sub.allocation_pools]).toEqual(['10.0.0.1', [{ start: '10.0.0.2', end: '10.0.0.254' }]]);
    const overlap = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.0.0.128/25', ip_version: 4 } });
    expect([overlap.status, overlap.body.NeutronError.type]).toEqual([400, 'InvalidInput']);
    expect(overlap.body.NeutronError.message).toContain('[subnet-overlap]');
    expect(overlap.body.NeutronError.message).toContain('overlaps with another subnet'); // what tempest matches on
    const p1 = call('POST', `${N}/ports`, { port: { name: 'p1', network_id: net.id } }).body.port;
    const p2 = call('POST', `${N}/ports`, { port: { name: 'p2', network_id: net.id } }).body.port;
    expect([p1.fixed_ips[0].ip_address, p2.fixed_ips[0].ip_address]).toEqual(['10.0.0.2', '10.0.0.3']);
    const taken = call('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.3' }] } });
    expect([taken.status, taken.body.NeutronError.type]).toEqual([409, 'IpAddressAlreadyAllocated']);
    // Addresses are stable: p2 keeps .3 when p1 goes, and a new port takes the freed .2.
    expect(call('DELETE', `${N}/ports/${p1.id}`).status).toBe(204);
    expect(call('GET', `${N}/ports/${p2.id}`).body.port.fixed_ips[0].ip_address).toBe('10.0.0.3');
    expect(call('GET', `${N}/ports/${p2.id}`).body.port.mac_address).toBe(p2.mac_address);
    // A floating IP needs a router between its network and the port (404 as Neutron).
    const unreachable = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: p2.id } });
    expect([unreachable.status, unreachable.body.NeutronError.type]).toEqual([404, 'ExternalGatewayForFloatingIPNotFound']);
    const r = call('POST', `${N}/routers`, { router: { name: 'r1', external_gateway_info: { network_id: pub.id } } }).body.router;
    expect(r.external_gateway_info.external_fixed_ips[0].ip_address).toBe('203.0.113.2');
    // Extra routes are set with a list and cleared with null, as tempest clears them.
    expect(call('PUT', `${N}/routers/${r.id}`, { router: { routes: [{ destination: '192.168.0.0/24', nexthop: '203.0.113.9' }] } }).body.router.routes).toHaveLength(1);
    expect(call('PUT', `${N}/routers/${r.id}`, { router: { routes: null } }).body.router.routes).toEqual([]);
    const iface = call('PUT', `${N}/routers/${r.id}/add_router_interface`, { subnet_id: sub.id });
    expect([iface.status, iface.body.subnet_id]).toEqual([200, sub.id]);
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: p2.id } });
    expect([fip.status, fip.body.floatingip.fixed_ip_address, fip.body.floatingip.router_id]).toEqual([201, '10.0.0.3', r.id]);
    expect(call('DELETE', `${N}/routers/${r.id}`).status).toBe(409);
    expect(call('DELETE', `${N}/subnets/${sub.id}`).status).toBe(409);
    // Deleting the port disassociates its floating IP.
    expect(call('DELETE', `${N}/ports/${p2.id}`).status).toBe(204);
    expect(call('GET', `${N}/floatingips/${fip.body.floatingip.id}`).body.floatingip).toMatchObject({ port_id: null, status: 'DOWN' });
  });

  it('gives the default group Neutron\'s rules and new groups two egress rules; refuses duplicate rules', () => {
    const { call, net } = world();
    call('POST', `${N}/ports`, { port: { network_id: net.id } });
    const groups = call('GET', `${N}/security-groups?name=default`).body.security_groups;
    expect(groups).toHaveLength(1);
    const rules = groups[0].security_group_rules.map((r: { direction: string; ethertype: string; remote_group_id: string | null }) => [r.direction, r.ethertype, r.remote_group_id === groups[0].id]);
    expect(rules).toEqual([['egress', 'IPv4', false], ['egress', 'IPv6', false], ['ingress', 'IPv4', true], ['ingress', 'IPv6', true]]);
    const web = call('POST', `${N}/security-groups`, { security_group: { name: 'web' } }).body.security_group;
    expect(web.security_group_rules).toHaveLength(2);
    const rule = { security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' };
    expect(call('POST', `${N}/security-group-rules`, { security_group_rule: rule }).status).toBe(201);
    expect(call('POST', `${N}/security-group-rules`, { security_group_rule: rule }).status).toBe(409);
    // Removing a default egress rule keeps the other one and the ID of every rule left.
    const before = call('GET', `${N}/security-group-rules?security_group_id=${web.id}`).body.security_group_rules;
    expect(call('DELETE', `${N}/security-group-rules/${before[0].id}`).status).toBe(204);
    const after = call('GET', `${N}/security-group-rules?security_group_id=${web.id}`).body.security_group_rules;
    expect(after.map((r: { id: string }) => r.id)).toEqual(before.slice(1).map((r: { id: string }) => r.id));
    expect(after.map((r: { ethertype: string; direction: string }) => `${r.direction}/${r.ethertype}`)).toEqual(['egress/IPv6', 'ingress/IPv4']);
  });

  it('filters, selects fields and pages lists; a non-admin sees only its own', () => {
    const { call, net } = world();
    for (let i = 0; i < 5; i++) call('POST', `${N}/ports`, { port: { name: `p${i}`, network_id: net.id } });
    expect(call('GET', `${N}/ports?fixed_ips=ip_address%3D10.0.0.4`).body.ports.map((p: { name: string }) => p.name)).toEqual(['p2']);
    expect(Object.keys(call('GET', `${N}/ports?fields=id&fields=name`).body.ports[0]).sort()).toEqual(['id', 'name']);
    expect(call('GET', `${N}/networks?router:external=True`).body.networks.map((n: { name: string }) => n.name)).toEqual(['public']);
    const page = call('GET', `${N}/ports?limit=2`).body;
    expect(page.ports).toHaveLength(2);
    const next = new URL(page.ports_links[0].href);
    const rest = call('GET', `${N}/ports?${next.searchParams.toString()}`).body;
    expect(rest.ports[0].id).not.toBe(page.ports[1].id);
    expect(call('GET', `${N}/networks`, undefined, 'demo').body.networks.map((n: { name: string }) => n.name)).toEqual(['public']);
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo').status).toBe(404);
    const mine = call('POST', `${N}/networks`, { network: { name: 'mine' } }, 'demo').body.network;
    expect(call('GET', `${N}/networks`, undefined, 'demo2').body.networks.map((n: { name: string }) => n.name)).toEqual(['public']);
    expect(call('GET', `${N}/networks/${mine.id}`).status).toBe(200);
    expect(call('POST', `${N}/networks`, { network: { name: 'x', 'router:external': true } }, 'demo').status).toBe(403);
  });

  it('keeps a port on a network without a subnet (no address) in the API only, as tempest creates them', () => {
    const { store, call } = world();
    const bare = call('POST', `${N}/networks`, { network: { name: 'bare' } }).body.network;
    const bulk = call('POST', `${N}/ports`, { ports: [{ network_id: bare.id, name: 'a' }, { network_id: bare.id, admin_state_up: false }] });
    expect(bulk.status).toBe(201);
    expect(bulk.body.ports.map((p: { fixed_ips: unknown[]; admin_state_up: boolean }) => [p.fixed_ips, p.admin_state_up])).toEqual([[[], true], [[], false]]);
    expect(bulk.body.ports[0].mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(call('GET', `${N}/ports?network_id=${bare.id}`).body.ports).toHaveLength(2);
    expect(Object.keys(parse(store.text()).instances ?? {})).toEqual([]);
    expect(call('PUT', `${N}/ports/${bulk.body.ports[0].id}`, { port: { name: 'renamed' } }).body.port.name).toBe('renamed');
    expect(call('PUT', `${N}/ports/${bulk.body.ports[0].id}`, { port: { fixed_ips: [] } }).status).toBe(400);
    expect(call('DELETE', `${N}/networks/${bare.id}`).status).toBe(409);
    for (const p of bulk.body.ports) expect(call('DELETE', `${N}/ports/${p.id}`).status).toBe(204);
    expect(call('DELETE', `${N}/networks/${bare.id}`).status).toBe(204);
  });

  it('deletes a SLAAC subnet under its ports, which keep their other addresses (tempest\'s slaac tests)', () => {
    const { call, net, sub } = world();
    const v6 = call('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '2001:db8::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } }).body.subnet;
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id } }).body.port;
    expect(port.fixed_ips.map((f: { subnet_id: string }) => f.subnet_id)).toEqual([sub.id, v6.id]);
    expect(call('DELETE', `${N}/subnets/${v6.id}`).status).toBe(204);
    expect(call('GET', `${N}/ports/${port.id}`).body.port.fixed_ips).toEqual([port.fixed_ips[0]]);
    // A subnet holding a port's only address still cannot go.
    expect(call('DELETE', `${N}/subnets/${sub.id}`).status).toBe(409);
  });

  it('answers every non-ID lookup with a clean 404 and a bad body with 400', () => {
    const { call } = world();
    for (const c of ['networks', 'subnets', 'ports', 'routers', 'security-groups', 'security-group-rules', 'floatingips']) {
      const r = call('GET', `${N}/${c}/not-an-id`);
      expect(r.status).toBe(404);
      expect(r.body.NeutronError.type).toMatch(/NotFound$/);
    }
    expect(call('GET', `${N}/extensions/tag-ports-during-bulk-creation`).status).toBe(404);
    expect(call('POST', `${N}/networks`, 'nope').status).toBe(400);
    expect(call('POST', `${N}/networks`, { network: { name: 7 } }).status).toBe(400);
  });
});
