/**
 * The saved topology (what --save writes and /api/topology.yaml serves) loads back to the same
 * cloud as the document it came from, for random valid topologies, and still does after the API
 * deletes ports: the pinned addresses and MACs of every other port do not move. Projects round-trip:
 * a file's project is each resource's project_id, and what a non-admin creates is saved as its.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../../src/api/store.js';
import { topologyDocument } from '../../../src/testing/topology-arbitrary.js';
import { parseTopology } from '../../../src/topology/load.js';
import { cloudToJson } from '../../../src/topology/to-json.js';
import { parse } from 'yaml';
import { projectId } from '../../../src/api/identity.js';
import { testApi } from './helpers.js';

function cloudOf(text: string) {
  const r = parseTopology(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.cloud;
}

describe('saved topology', () => {
  it('loads back to the same cloud (200 random topologies)', () => {
    fc.assert(fc.property(topologyDocument({ networks: 3, instances: 6 }), (doc) => {
      const { store, call } = testApi(doc as Doc);
      const original = cloudToJson(cloudOf(JSON.stringify(doc)));
      expect(cloudToJson(cloudOf(store.text()))).toEqual(original);
      const served = call('GET', '/api/topology.yaml');
      expect([served.status, served.text]).toEqual([200, store.text()]);
    }), { numRuns: 200 });
  });

  it('keeps every other port\'s address and MAC when ports are deleted (100 runs)', () => {
    fc.assert(fc.property(topologyDocument({ networks: 2, instances: 6 }), fc.integer({ min: 0, max: 5 }), (doc, pick) => {
      const { store, call } = testApi(doc as Doc);
      const ports = call('GET', '/network/v2.0/ports?device_owner=compute:nova').body.ports as { id: string; mac_address: string; fixed_ips: unknown[] }[];
      const victim = ports[pick % ports.length]!;
      // An instance port with a floating IP or in use elsewhere may stay; either answer is Neutron's.
      const del = call('DELETE', `/network/v2.0/ports/${victim.id}`);
      expect([204, 409]).toContain(del.status);
      const after = new Map((call('GET', '/network/v2.0/ports').body.ports as typeof ports).map((p) => [p.id, p]));
      for (const p of ports) {
        if (p.id === victim.id && del.status === 204) { expect(after.has(p.id)).toBe(false); continue; }
        expect([after.get(p.id)?.mac_address, after.get(p.id)?.fixed_ips]).toEqual([p.mac_address, p.fixed_ips]);
      }
      expect(cloudToJson(cloudOf(store.text()))).toEqual(cloudToJson(store.cloud));
    }), { numRuns: 100 });
  });
});

const N = '/network/v2.0';

describe('projects in the saved topology', () => {
  it('a file\'s projects load as each resource\'s project_id and save back unchanged (100 random topologies)', () => {
    fc.assert(fc.property(topologyDocument({ networks: 2, instances: 4 }), fc.constantFrom('admin', 'demo', 'alpha'), (doc, project) => {
      // Every owned resource in one project, so the ownership rules hold.
      const owned = structuredClone(doc) as Record<string, unknown> & Doc;
      for (const c of ['networks', 'routers', 'security_groups', 'instances', 'floating_ips'] as const) {
        for (const r of Object.values((owned[c] ?? {}) as Record<string, { project?: string }>)) r.project = project;
      }
      owned.projects = { alpha: { description: 'a' }, demo: {} };
      const { store, call } = testApi(owned);
      expect(cloudToJson(cloudOf(store.text()))).toEqual(cloudToJson(cloudOf(JSON.stringify(owned))));
      const ports = call('GET', `${N}/ports?device_owner=compute:nova`).body.ports as { project_id: string }[];
      expect(new Set(ports.map((p) => p.project_id))).toEqual(new Set([projectId(project)]));
    }), { numRuns: 100 });
  });

  it('what a non-admin creates is saved as its project\'s and loads back with it', () => {
    const { store, call } = testApi({ version: 1, name: 't', external_networks: { public: { cidr: '203.0.113.0/24', pool: '203.0.113.10-203.0.113.100' } } } as Doc);
    const net = call('POST', `${N}/networks`, { network: { name: 'mine' } }, 'demo').body.network;
    expect(call('POST', `${N}/subnets`, { subnet: { name: 'mine-sub', network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4 } }, 'demo').status).toBe(201);
    const port = call('POST', `${N}/ports`, { port: { name: 'vm', network_id: net.id } }, 'demo').body.port;
    const router = call('POST', `${N}/routers`, { router: { name: 'r', external_gateway_info: { network_id: call('GET', `${N}/networks?name=public`).body.networks[0].id } } }, 'demo').body.router;
    expect(call('PUT', `${N}/routers/${router.id}/add_router_interface`, { subnet_id: call('GET', `${N}/subnets?name=mine-sub`).body.subnets[0].id }, 'demo').status).toBe(200);
    // Admin's own network in the same 10.0.0.0/24: another address space, no conflict.
    const adminNet = call('POST', `${N}/networks`, { network: { name: 'ops' } }).body.network;
    expect(call('POST', `${N}/subnets`, { subnet: { name: 'ops-sub', network_id: adminNet.id, cidr: '10.0.0.0/24', ip_version: 4 } }).status).toBe(201);
    const cloud = cloudOf(store.text());
    expect([...cloud.projects.keys()]).toEqual(['admin', 'demo']);
    expect(cloud.networks.get('mine')!.project).toBe('demo');
    expect(cloud.networks.get('ops')!.project).toBe('admin');
    expect(cloud.routers.get('r')!.project).toBe('demo');
    const vm = [...cloud.ports.values()].find((p) => p.owner.kind === 'instance')!;
    expect([vm.project, vm.securityGroups]).toEqual(['demo', ['default@demo']]);
    // A store over the saved file gives the port to the same project.
    const again = testApi(parse(store.text()) as Doc);
    const reloaded = again.call('GET', `${N}/ports?device_owner=compute:nova`).body.ports as { project_id: string }[];
    expect(reloaded.map((p) => p.project_id)).toEqual([port.project_id]);
    expect(port.project_id).toBe(projectId('demo'));
    // demo sees its own default group only, and may add a rule to it: saved as default@demo.
    const groups = call('GET', `${N}/security-groups`, undefined, 'demo').body.security_groups as { id: string; name: string; project_id: string }[];
    expect(groups.map((g) => [g.name, g.project_id])).toEqual([['default', projectId('demo')]]);
    const rule = call('POST', `${N}/security-group-rules`, { security_group_rule: { security_group_id: groups[0]!.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } }, 'demo');
    expect(rule.status).toBe(201);
    const saved = cloudOf(store.text()).securityGroups.get('default@demo')!;
    expect([saved.project, saved.implicit, saved.rules.map((r) => r.text)]).toEqual(['demo', false, ['egress any to 0.0.0.0/0', 'egress any to ::/0', 'ingress any from group default@demo', 'ingress any from group default@demo (IPv6)', 'ingress tcp/22 from 0.0.0.0/0']]);
  });
});
