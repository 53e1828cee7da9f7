/**
 * Octavia over the store, in process: a load balancer is PENDING_CREATE until its settle time,
 * refuses changes meanwhile (409), and its listener, pool, members and health monitor land in the
 * topology document as a vnet load balancer that the simulator balances over; mistakes get
 * Octavia's statuses and faultstring body; cascade delete frees the VIP and keeps its floating IP.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Simulator } from '../../../src/library/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';
import { publicAndPrivate, testApi } from './helpers.js';

const N = '/network/v2.0';
const L = '/load-balancer/v2/lbaas';

function world() {
  const api = testApi({ version: 1, name: 't', external_hosts: { client: { ip: '198.51.100.7' } } });
  const { call } = api;
  const { pub, net, sub } = publicAndPrivate(api, { router: true });
  const web1 = call('POST', `${N}/ports`, { port: { name: 'web-1', network_id: net.id, port_security_enabled: false } }).body.port;
  const web2 = call('POST', `${N}/ports`, { port: { name: 'web-2', network_id: net.id, port_security_enabled: false } }).body.port;
  return { ...api, pub, net, sub, web1, web2 };
}

/** Creates a load balancer with listener, pool, two members and a monitor, waiting out each PENDING_*. */
function balanced() {
  const w = world();
  const { call, advance, sub, web1, web2 } = w;
  const lb = call('POST', `${L}/loadbalancers`, { loadbalancer: { name: 'lb1', vip_subnet_id: sub.id, admin_state_up: true } });
  advance(1000);
  const listener = call('POST', `${L}/listeners`, { listener: { name: 'l1', loadbalancer_id: lb.body.loadbalancer.id, protocol: 'HTTP', protocol_port: 80 } }).body.listener;
  advance(1000);
  const pool = call('POST', `${L}/pools`, { pool: { name: 'pool1', listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' } }).body.pool;
  advance(1000);
  const members = [web1, web2].map((p) => {
    const m = call('POST', `${L}/pools/${pool.id}/members`, { member: { address: p.fixed_ips[0].ip_address, protocol_port: 8080, subnet_id: sub.id } });
    advance(1000);
    return m;
  });
  const hm = call('POST', `${L}/healthmonitors`, { healthmonitor: { pool_id: pool.id, type: 'HTTP', delay: 5, timeout: 3, max_retries: 3 } });
  advance(1000);
  return { ...w, lb, listener, pool, members, hm };
}

describe('Octavia', () => {
  it('moves a new load balancer from PENDING_CREATE to ACTIVE and refuses changes while pending', () => {
    const { call, advance, sub } = world();
    const lb = call('POST', `${L}/loadbalancers`, { loadbalancer: { name: 'lb1', vip_subnet_id: sub.id } });
    expect([lb.status, lb.body.loadbalancer.provisioning_status, lb.body.loadbalancer.vip_address]).toEqual([201, 'PENDING_CREATE', '10.0.0.4']);
    const early = call('POST', `${L}/listeners`, { listener: { loadbalancer_id: lb.body.loadbalancer.id, protocol: 'TCP', protocol_port: 80 } });
    expect([early.status, early.body.faultcode]).toEqual([409, 'Client']);
    expect(early.body.faultstring).toContain('immutable');
    advance(999);
    expect(call('GET', `${L}/loadbalancers/${lb.body.loadbalancer.id}`).body.loadbalancer.provisioning_status).toBe('PENDING_CREATE');
    advance(1);
    expect(call('GET', `${L}/loadbalancers/${lb.body.loadbalancer.id}`).body.loadbalancer.provisioning_status).toBe('ACTIVE');
    // The VIP is a Neutron port named after the load balancer, as Octavia makes it.
    const vip = call('GET', `${N}/ports/${lb.body.loadbalancer.vip_port_id}`).body.port;
    expect([vip.device_owner, vip.name, vip.fixed_ips[0].ip_address]).toEqual(['Octavia', `octavia-lb-${lb.body.loadbalancer.id}`, '10.0.0.4']);
    // Lookups by name, as octaviaclient does them.
    expect(call('GET', `${L}/loadbalancers?name=lb1`).body.loadbalancers.map((x: { id: string }) => x.id)).toEqual([lb.body.loadbalancer.id]);
  });

  it('writes listener, pool, members and monitor into the file as a vnet load balancer', () => {
    const { store, call, lb, listener, pool, members, hm, web1 } = balanced();
    expect(members.map((m) => [m.status, m.body.member.operating_status])).toEqual([[201, 'NO_MONITOR'], [201, 'NO_MONITOR']]);
    expect(hm.status).toBe(201);
    const doc = parse(store.text());
    expect(doc.load_balancers.lb1).toEqual({
      subnet: 'sub1', vip: '10.0.0.4', listeners: [{ protocol: 'http', port: 80, pool: 'pool1' }],
      pools: { pool1: { algorithm: 'round_robin', members: [{ instance: 'web-1', port: 8080 }, { instance: 'web-2', port: 8080 }], health_monitor: { type: 'http', interval: 5, timeout: 3, retries: 3 } } },
    });
    expect(parseTopology(store.text()).ok).toBe(true);
    const shown = call('GET', `${L}/pools/${pool.id}`).body.pool;
    expect([shown.listeners, shown.members.length, shown.healthmonitor_id, shown.lb_algorithm]).toEqual([[{ id: listener.id }], 2, hm.body.healthmonitor.id, 'ROUND_ROBIN']);
    expect(call('GET', `${L}/listeners/${listener.id}`).body.listener.default_pool_id).toBe(pool.id);
    const tree = call('GET', `${L}/loadbalancers/${lb.body.loadbalancer.id}/status`).body.statuses.loadbalancer;
    expect(tree.listeners[0].pools[0].members.map((m: { address: string }) => m.address)).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(tree.listeners[0].pools[0].health_monitor.type).toBe('HTTP');
    // A floating IP on the VIP port reaches the load balancer; the simulator balances to a member.
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: call('GET', `${N}/networks?name=public`).body.networks[0].id, port_id: lb.body.loadbalancer.vip_port_id } }).body.floatingip;
    expect(fip.fixed_ip_address).toBe('10.0.0.4');
    // The HTTP monitor finds nothing listening on the members (ports with no services): both down.
    const checked = new Simulator(store.cloud).probe({ from: 'client', to: fip.floating_ip_address, proto: 'tcp', port: 80 });
    expect([checked.verdict, checked.lb, checked.reason]).toEqual(['refused', null, expect.stringContaining('no healthy member in pool pool1')]);
    expect(call('DELETE', `${L}/healthmonitors/${hm.body.healthmonitor.id}`).status).toBe(204);
    const unchecked = new Simulator(store.cloud).probe({ from: 'client', to: fip.floating_ip_address, proto: 'tcp', port: 80 });
    expect(unchecked.lb?.member).toMatch(/^web-[12]$/);
    expect(web1.fixed_ips[0].ip_address).toBe('10.0.0.2');
  });

  it('refuses what Octavia refuses, with its statuses', () => {
    const { call, advance, lb, listener, pool, sub } = balanced();
    const id = lb.body.loadbalancer.id;
    const dupListener = call('POST', `${L}/listeners`, { listener: { loadbalancer_id: id, protocol: 'TCP', protocol_port: 80 } });
    expect(dupListener.status).toBe(409);
    const badProto = call('POST', `${L}/listeners`, { listener: { loadbalancer_id: id, protocol: 'GOPHER', protocol_port: 70 } });
    expect([badProto.status, badProto.body.faultstring]).toEqual([400, expect.stringContaining('protocol')]);
    expect(call('POST', `${L}/pools`, { pool: { listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' } }).status).toBe(409);
    expect(call('POST', `${L}/pools`, { pool: { loadbalancer_id: id, protocol: 'HTTP', lb_algorithm: 'RANDOM' } }).status).toBe(400);
    const stranger = call('POST', `${L}/pools/${pool.id}/members`, { member: { address: '10.0.0.50', protocol_port: 80, subnet_id: sub.id } });
    expect([stranger.status, stranger.body.faultstring]).toEqual([400, expect.stringContaining('10.0.0.50')]);
    const dupMember = call('POST', `${L}/pools/${pool.id}/members`, { member: { address: '10.0.0.2', protocol_port: 8080 } });
    expect(dupMember.status).toBe(409);
    expect(call('POST', `${L}/healthmonitors`, { healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 5, timeout: 3, max_retries: 3 } }).status).toBe(409);
    const pool2 = call('POST', `${L}/pools`, { pool: { loadbalancer_id: id, protocol: 'TCP', lb_algorithm: 'SOURCE_IP' } }).body.pool;
    advance(1000);
    expect(call('POST', `${L}/healthmonitors`, { healthmonitor: { pool_id: pool2.id, type: 'TCP', delay: 5, timeout: 3, max_retries: 11 } }).status).toBe(400);
    expect(call('POST', `${L}/healthmonitors`, { healthmonitor: { pool_id: pool2.id, type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 3 } }).status).toBe(400);
    for (const c of ['loadbalancers', 'listeners', 'pools', 'healthmonitors']) {
      const r = call('GET', `${L}/${c}/lb1`);
      expect([r.status, typeof r.body.faultstring]).toEqual([404, 'string']);
    }
    expect(call('GET', `${L}/loadbalancers`, undefined, 'demo').body.loadbalancers).toEqual([]);
    expect(call('GET', `${L}/loadbalancers/${id}`, undefined, 'demo').status).toBe(404);
    expect(call('POST', `${L}/loadbalancers`, { loadbalancer: { name: 'x' } }).status).toBe(400);
    expect(call('POST', `${L}/loadbalancers`, 'nope').status).toBe(400);
    // A load balancer with children needs cascade.
    const plain = call('DELETE', `${L}/loadbalancers/${id}`);
    expect([plain.status, plain.body.faultstring]).toEqual([400, expect.stringContaining('children')]);
  });

  it('deletes children and cascades, leaving a floating IP on the VIP unassociated', () => {
    const { store, call, advance, lb, pool, members, hm, pub } = balanced();
    const id = lb.body.loadbalancer.id;
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: lb.body.loadbalancer.vip_port_id } }).body.floatingip;
    expect(call('DELETE', `${L}/healthmonitors/${hm.body.healthmonitor.id}`).status).toBe(204);
    expect(call('GET', `${L}/loadbalancers/${id}`).body.loadbalancer.provisioning_status).toBe('PENDING_UPDATE');
    advance(1000);
    expect(call('DELETE', `${L}/pools/${pool.id}/members/${members[0]!.body.member.id}`).status).toBe(204);
    advance(1000);
    expect(parse(store.text()).load_balancers.lb1.pools.pool1).toEqual({ algorithm: 'round_robin', members: [{ instance: 'web-2', port: 8080 }] });
    // Deleting a member's port takes the member out of its pool.
    const web2 = call('GET', `${N}/ports?name=web-2`).body.ports[0];
    expect(call('DELETE', `${N}/ports/${web2.id}`).status).toBe(204);
    expect(call('GET', `${L}/pools/${pool.id}/members`).body.members).toEqual([]);
    expect(call('DELETE', `${L}/loadbalancers/${id}?cascade=True`).status).toBe(204);
    expect(call('GET', `${L}/loadbalancers/${id}`).status).toBe(404);
    expect(call('GET', `${L}/pools/${pool.id}`).status).toBe(404);
    expect(parse(store.text()).load_balancers).toEqual({});
    expect(call('GET', `${N}/floatingips/${fip.id}`).body.floatingip).toMatchObject({ port_id: null, status: 'DOWN' });
    expect(call('GET', `${N}/ports?device_owner=Octavia`).body.ports).toEqual([]);
  });
});
