/**
 * Nova and Glance over the store, in process: fixed flavors and images, a server made from a
 * network (a Nova port with the requested groups) or from an unbound port (moved in, and back on
 * delete with its address, MAC and floating IP), `vnet:services` metadata as the instance's
 * services, floating IPs through Neutron in the server's addresses, and Nova's error bodies.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Simulator } from '../../../src/library/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';
import { IMAGES } from '../../../src/api/compute.js';
import { publicAndPrivate, testApi } from './helpers.js';

const N = '/network/v2.0';
const C = '/compute/v2.1';

function world() {
  const api = testApi({ version: 1, name: 't', external_hosts: { client: { ip: '198.51.100.7' } } });
  const { call } = api;
  const { pub, net, sub } = publicAndPrivate(api, { router: true });
  const web = call('POST', `${N}/security-groups`, { security_group: { name: 'web' } }).body.security_group;
  call('POST', `${N}/security-group-rules`, { security_group_rule: { security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 } });
  return { ...api, pub, net, sub, web };
}

describe('Nova and Glance', () => {
  it('serves the fixed flavors and images, and version documents', () => {
    const { call } = testApi();
    expect(call('GET', `${C}/flavors`).body.flavors.map((f: { name: string }) => f.name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium']);
    expect(call('GET', `${C}/flavors/1`).body.flavor.ram).toBe(512);
    const missing = call('GET', `${C}/flavors/m1.tiny`);
    expect([missing.status, missing.body.itemNotFound.code]).toEqual([404, 404]);
    expect(call('GET', C).body.version.version).toBe('2.95');
    expect(call('GET', '/image').status).toBe(300);
    expect(call('GET', '/image/v2/images?name=cirros').body.images.map((i: { id: string }) => i.id)).toEqual([IMAGES[0]!.id]);
    const noImage = call('GET', '/image/v2/images/cirros');
    expect([noImage.status, noImage.text?.startsWith('404 Not Found')]).toEqual([404, true]);
    expect(call('GET', `${C}/os-quota-sets/x`).body.quota_set.instances).toBe(100);
    expect(call('GET', `${C}/servers`, undefined, 'demo').body.servers).toEqual([]);
  });

  it('creates a server on a network with groups and services; it is a vnet instance the simulator reaches', () => {
    const { store, call, net, web, pub } = world();
    const created = call('POST', `${C}/servers`, { server: { name: 'vm1', imageRef: IMAGES[0]!.id, flavorRef: '1', min_count: 1, max_count: 1, networks: [{ uuid: net.id }], security_groups: [{ name: web.id }], metadata: { 'vnet:services': 'tcp/80' } } });
    expect(created.status).toBe(202);
    expect(created.headers.Location).toContain(created.body.server.id);
    const shown = call('GET', `${C}/servers/${created.body.server.id}`).body.server;
    expect([shown.name, shown.status, shown.addresses.net1[0].addr, shown.security_groups, shown.flavor.id, shown.metadata]).toEqual(['vm1', 'ACTIVE', '10.0.0.2', [{ name: 'web' }], '1', { 'vnet:services': 'tcp/80' }]);
    expect(call('GET', `${C}/servers/${created.body.server.id}`, undefined, 'demo').status).toBe(404);
    const port = call('GET', `${N}/ports?device_id=${created.body.server.id}`).body.ports;
    expect(port.map((p: { device_owner: string }) => p.device_owner)).toEqual(['compute:nova']);
    // server add floating ip, as OSC 6 does it: through Neutron.
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: port[0].id } }).body.floatingip;
    expect(call('GET', `${C}/servers/detail`).body.servers[0].addresses.net1.map((a: { addr: string; 'OS-EXT-IPS:type': string }) => a['OS-EXT-IPS:type'])).toEqual(['fixed', 'floating']);
    expect(parse(store.text()).instances.vm1).toMatchObject({ services: ['tcp/80'], ports: [{ name: 'eth0', subnet: 'sub1', ip: '10.0.0.2', security_groups: ['web'] }] });
    expect(parseTopology(store.text()).ok).toBe(true);
    expect(new Simulator(store.cloud).probe({ from: 'client', to: fip.floating_ip_address, proto: 'tcp', port: 80 }).verdict).toBe('delivered');
    expect(new Simulator(store.cloud).probe({ from: 'client', to: fip.floating_ip_address, proto: 'tcp', port: 22 }).drop?.stage).toBe('sg.ingress');
    expect(call('GET', `${C}/servers?name=^vm`).body.servers.map((s: { name: string }) => s.name)).toEqual(['vm1']);
    // Delete: the Nova port goes, its floating IP stays unassociated.
    expect(call('DELETE', `${C}/servers/${created.body.server.id}`).status).toBe(204);
    expect(call('GET', `${N}/ports/${port[0].id}`).status).toBe(404);
    expect(call('GET', `${N}/floatingips/${fip.id}`).body.floatingip.port_id).toBeNull();
    expect(parse(store.text()).instances).toEqual({});
  });

  it('binds an unbound port with --nic port-id and gives it back on delete with its address and floating IP', () => {
    const { store, call, net, pub } = world();
    const p = call('POST', `${N}/ports`, { port: { name: 'p2', network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.77' }] } }).body.port;
    const fip = call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id, port_id: p.id } }).body.floatingip;
    const s = call('POST', `${C}/servers`, { server: { name: 'vm2', imageRef: IMAGES[1]!.id, flavorRef: '2', networks: [{ port: p.id }] } }).body.server;
    const bound = call('GET', `${N}/ports/${p.id}`).body.port;
    expect([bound.device_id, bound.device_owner, bound.fixed_ips[0].ip_address, bound.mac_address]).toEqual([s.id, 'compute:nova', '10.0.0.77', p.mac_address]);
    expect(call('GET', `${N}/floatingips/${fip.id}`).body.floatingip.port_id).toBe(p.id);
    expect(Object.keys(parse(store.text()).instances)).toEqual(['vm2']);
    // A bound port cannot serve a second server.
    const again = call('POST', `${C}/servers`, { server: { name: 'vm3', imageRef: IMAGES[0]!.id, flavorRef: '1', networks: [{ port: p.id }] } });
    expect([again.status, again.body.conflictingRequest.code]).toEqual([409, 409]);
    expect(call('DELETE', `${C}/servers/${s.id}`).status).toBe(204);
    const back = call('GET', `${N}/ports/${p.id}`).body.port;
    expect([back.device_id, back.device_owner, back.fixed_ips[0].ip_address, back.mac_address, back.name]).toEqual(['', '', '10.0.0.77', p.mac_address, 'p2']);
    expect(call('GET', `${N}/floatingips/${fip.id}`).body.floatingip.port_id).toBe(p.id);
  });

  it('refuses bad requests with Nova\'s bodies', () => {
    const { call, raw, login, net } = world();
    const base = { name: 'x', imageRef: IMAGES[0]!.id, flavorRef: '1', networks: [{ uuid: net.id }] };
    const bad = (server: unknown, user = 'admin') => call('POST', `${C}/servers`, { server }, user);
    expect(bad({ ...base, flavorRef: '9' }).body.badRequest.message).toContain('Flavor 9');
    expect(bad({ ...base, imageRef: 'nope' }).status).toBe(400);
    expect(bad({ ...base, networks: 'auto' }).status).toBe(400);
    expect(bad({ ...base, networks: [{ uuid: 'nope' }] }).status).toBe(404);
    expect(bad({ ...base, security_groups: [{ name: 'nope' }] }).status).toBe(400);
    expect(bad({ ...base, metadata: { 'vnet:services': 'tcp/99999' } }).status).toBe(400);
    expect(bad({ ...base, networks: [{ uuid: net.id }] }, 'demo').status).toBe(404);
    expect(bad({ ...base, max_count: 3 }).status).toBe(400);
    expect(call('GET', `${C}/servers/x`).body.itemNotFound.code).toBe(404);
    expect(call('GET', `${C}/servers`, undefined, 'demo').headers['OpenStack-API-Version']).toBe('compute 2.1');
    const asking = (v: string) => raw('GET', `${C}/servers/detail`, undefined, { 'x-auth-token': login('admin'), 'openstack-api-version': `compute ${v}` });
    expect(asking('latest').headers['OpenStack-API-Version']).toBe('compute 2.95');
    expect(asking('2.47').body.servers).toEqual([]);
    expect(asking('3.0').status).toBe(400);
    expect(asking('2.99').status).toBe(406);
  });
});
