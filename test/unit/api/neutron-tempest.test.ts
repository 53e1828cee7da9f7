/**
 * Neutron behaviours that tempest's network API tests check and the CLI never does: a floating
 * IP's fixed address on a port with several, bulk port creation, a router interface port's
 * fixed_ips, integer and legacy protocols of security group rules, SLAAC subnet deletion.
 * Each case asserts Neutron's status and exception type, and that the change reaches the model.
 */
import { describe, expect, it } from 'vitest';
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
