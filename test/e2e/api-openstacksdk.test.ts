/**
 * openstacksdk (Debian's, beside python3-openstackclient) drives the built `vnet api` as demo, a
 * non-admin: network, subnet, router with a gateway on admin's external network, group and rule,
 * tags, a server (compute proxy, waited for), a floating IP on its port, a load balancer (waited
 * for), paging with limit=1, and Neutron's 400/409 for an overlapping subnet and a taken address.
 * The saved file keeps demo's ownership, and vnet trace reaches the server through its floating IP.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeNeeding } from '../system-tools.js';
import { startApi, type ApiProcess } from './api-process.js';

const START = `version: 1
name: sdk
external_networks:
  public: { cidr: 203.0.113.0/24 }
external_hosts:
  client: { ip: 198.51.100.7 }
`;

const SCRIPT = String.raw`# openstacksdk builds a network, subnet, router, group, server, floating IP and load balancer as demo.
import json, os, sys
import openstack
conn = openstack.connect(auth_url=os.environ['VNET_AUTH_URL'], username='demo', password='demo', project_name='demo',
                         user_domain_name='Default', project_domain_name='Default', region_name='RegionOne', identity_api_version='3')
ext = conn.network.find_network('public', ignore_missing=False)
net = conn.network.create_network(name='sdknet')
sub = conn.network.create_subnet(network_id=net.id, name='sdksub', cidr='10.1.0.0/24', ip_version=4)
router = conn.network.create_router(name='sdkr', external_gateway_info={'network_id': ext.id})
conn.network.add_interface_to_router(router, subnet_id=sub.id)
sg = conn.network.create_security_group(name='sdkweb')
conn.network.create_security_group_rule(security_group_id=sg.id, direction='ingress', protocol='tcp', port_range_min=80, port_range_max=80, remote_ip_prefix='0.0.0.0/0')
conn.network.set_tags(net, ['sdk'])
image = conn.image.find_image('cirros', ignore_missing=False)
flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
server = conn.compute.create_server(name='sdkvm', image_id=image.id, flavor_id=flavor.id, networks=[{'uuid': net.id}],
                                    security_groups=[{'name': sg.id}], metadata={'vnet:services': 'tcp/80'})
server = conn.compute.wait_for_server(server, wait=60)
port = next(conn.network.ports(device_id=server.id))
fip = conn.network.create_ip(floating_network_id=ext.id, port_id=port.id)
lb = conn.load_balancer.create_load_balancer(name='sdklb', vip_subnet_id=sub.id)
lb = conn.load_balancer.wait_for_load_balancer(lb.id, wait=60)
paged = [p.id for p in conn.network.ports(limit=1)]
errors = {}
try:
    conn.network.create_subnet(network_id=net.id, cidr='10.1.0.128/25', ip_version=4)
except openstack.exceptions.HttpException as e:
    errors['overlap'] = e.status_code
try:
    conn.network.create_port(network_id=net.id, fixed_ips=[{'ip_address': port.fixed_ips[0]['ip_address']}])
except openstack.exceptions.HttpException as e:
    errors['taken'] = e.status_code
print(json.dumps({'server': server.status, 'addresses': server.addresses, 'fip': fip.floating_ip_address, 'fixed': fip.fixed_ip_address,
                  'lb': lb.provisioning_status, 'vip': lb.vip_address, 'paged': len(paged), 'ports': len(list(conn.network.ports())),
                  'tags': conn.network.get_network(net.id).tags, 'errors': errors}))
`;

/** The Python that runs the openstack CLI has openstacksdk (pyenv shims may not): read its #! line. */
function python(): string {
  const where = spawnSync('sh', ['-c', 'command -v openstack'], { encoding: 'utf8' }).stdout.trim();
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(where, 'utf8').split('\n')[0] ?? '')?.[1];
  return shebang ?? 'python3';
}

describeNeeding('openstack', 'vnet api driven by openstacksdk', () => {
  let api: ApiProcess;
  let dir: string;
  let url: string;
  const saved = () => api.saved;

  beforeAll(async () => {
    api = await startApi(START, 'vnet-sdk-');
    ({ dir, url } = api);
    writeFileSync(join(dir, 'sdk.py'), SCRIPT);
  }, 30_000);

  afterAll(() => api?.stop());

  it('builds a cloud through the SDK as a non-admin; the saved file traces', () => {
    const r = spawnSync(python(), [join(dir, 'sdk.py')], { env: { ...process.env, VNET_AUTH_URL: `${url}/v3` }, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { server: string; addresses: Record<string, { addr: string }[]>; fip: string; fixed: string; lb: string; vip: string; paged: number; ports: number; tags: string[]; errors: Record<string, number> };
    expect([out.server, out.addresses.sdknet?.[0]?.addr, out.fixed, out.lb, out.vip, out.tags]).toEqual(['ACTIVE', '10.1.0.2', '10.1.0.2', 'ACTIVE', '10.1.0.3', ['sdk']]);
    // Paging one port at a time (limit=1, then the marker of each page) reaches every port demo sees.
    expect(out.paged).toBe(out.ports);
    expect(out.ports).toBe(4); // router interface and gateway, the server's port, the VIP
    expect(out.errors).toEqual({ overlap: 400, taken: 409 });
    const doc = parse(readFileSync(saved(), 'utf8'));
    expect([doc.networks.sdknet.project, doc.routers.sdkr.project, doc.instances.sdkvm.project, doc.load_balancers.sdklb.project]).toEqual(['demo', 'demo', 'demo', 'demo']);
    const trace = spawnSync(process.execPath, ['dist/vnet.cjs', 'trace', saved(), '--from', 'client', '--to', out.fip, '--proto', 'tcp', '--port', '80', '--json'], { encoding: 'utf8' });
    expect((JSON.parse(trace.stdout) as { verdict: string }).verdict).toBe('delivered');
  }, 600_000);
});
