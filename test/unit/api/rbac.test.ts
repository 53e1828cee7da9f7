/**
 * RBAC policies, quotas and users: a grant (access_as_shared to a project, or * as shared) lets
 * that project see and use another's network and is written as the file's rbac/shared; an
 * access_as_external entry restricts an external network; a grant in use cannot be revoked (409);
 * quotas count what a project uses; --users files are checked place by place; Keystone lists
 * the topology's projects. A property: a project sees a network exactly when it owns it, it is
 * shared or a grant names it, for any sequence of grants and revocations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Identity, parseUsers, projectId } from '../../../src/api/identity.js';
import { parseTopology } from '../../../src/topology/load.js';
import { publicAndPrivate, testApi } from './helpers.js';

const N = '/network/v2.0';

function world() {
  const api = testApi();
  return { ...api, ...publicAndPrivate(api, { net: 'priv', sub: 'priv-sub', cidr: '10.9.0.0/24' }) };
}

const grant = (object_id: string, target_tenant: string, action = 'access_as_shared') => ({ rbac_policy: { object_type: 'network', object_id, action, target_tenant } });

describe('RBAC policies', () => {
  it('grants a project another\'s network, writes it to the file, and refuses to revoke it while used', () => {
    const { store, call, net, sub } = world();
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo').status).toBe(404);
    const policy = call('POST', `${N}/rbac-policies`, grant(net.id, projectId('demo')));
    expect([policy.status, policy.body.rbac_policy.target_tenant, policy.body.rbac_policy.object_id]).toEqual([201, projectId('demo'), net.id]);
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo').status).toBe(200);
    expect(call('GET', `${N}/subnets/${sub.id}`, undefined, 'demo').status).toBe(200);
    // Another project's external network shows, its subnet does not (tempest's test_external_network_visibility).
    expect(call('GET', `${N}/subnets`, undefined, 'demo').body.subnets.map((x: { name: string }) => x.name)).toEqual(['priv-sub']);
    expect(call('GET', `${N}/networks?router:external=True`, undefined, 'demo').body.networks.map((x: { name: string }) => x.name)).toEqual(['public']);
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo2').status).toBe(404);
    expect(call('GET', `${N}/rbac-policies`, undefined, 'demo').body.rbac_policies.map((p: { id: string }) => p.id)).toEqual([policy.body.rbac_policy.id]);
    expect(call('GET', `${N}/rbac-policies`, undefined, 'demo2').body.rbac_policies).toEqual([]);
    const doc = parse(store.text());
    expect([doc.networks.priv.rbac, doc.projects]).toEqual([[{ project: 'demo', action: 'access_as_shared' }], { demo: {} }]);
    expect(parseTopology(store.text()).ok).toBe(true);
    const port = call('POST', `${N}/ports`, { port: { network_id: net.id } }, 'demo');
    expect(port.status).toBe(201);
    expect(call('POST', `${N}/ports`, { port: { network_id: net.id } }, 'demo2').status).toBe(404);
    const inUse = call('DELETE', `${N}/rbac-policies/${policy.body.rbac_policy.id}`);
    expect([inUse.status, inUse.body.NeutronError.type]).toEqual([409, 'RbacPolicyInUse']);
    expect(call('DELETE', `${N}/ports/${port.body.port.id}`, undefined, 'demo').status).toBe(204);
    expect(call('DELETE', `${N}/rbac-policies/${policy.body.rbac_policy.id}`).status).toBe(204);
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo').status).toBe(404);
    expect(parse(store.text()).networks.priv.rbac).toBeUndefined();
  });

  it('shares with * and restricts an external network with access_as_external', () => {
    const { store, call, net, pub } = world();
    const star = call('POST', `${N}/rbac-policies`, grant(net.id, '*'));
    expect(star.status).toBe(201);
    expect(parse(store.text()).networks.priv.shared).toBe(true);
    expect(call('GET', `${N}/networks/${net.id}`, undefined, 'demo2').body.network.shared).toBe(true);
    expect(call('GET', `${N}/networks/${pub.id}`, undefined, 'demo2').status).toBe(200);
    expect(call('POST', `${N}/rbac-policies`, grant(pub.id, projectId('demo'), 'access_as_external')).status).toBe(201);
    expect(parse(store.text()).external_networks.public.rbac).toEqual([{ project: 'demo', action: 'access_as_external' }]);
    expect(call('GET', `${N}/networks/${pub.id}`, undefined, 'demo').status).toBe(200);
    expect(call('GET', `${N}/networks/${pub.id}`, undefined, 'demo2').status).toBe(404);
    expect(call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id } }, 'demo2').status).toBe(404);
    expect(call('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id } }, 'demo').status).toBe(201);
  });

  it('refuses bad policies with Neutron statuses', () => {
    const { call, net, pub } = world();
    expect(call('POST', `${N}/rbac-policies`, { rbac_policy: { object_type: 'qos_policy', object_id: net.id, action: 'access_as_shared', target_tenant: '*' } }).status).toBe(400);
    expect(call('POST', `${N}/rbac-policies`, grant(net.id, 'nobody')).status).toBe(400);
    expect(call('POST', `${N}/rbac-policies`, grant(net.id, projectId('demo'), 'access_as_external')).status).toBe(400);
    expect(call('POST', `${N}/rbac-policies`, grant(pub.id, '*', 'access_as_external')).status).toBe(400);
    expect(call('POST', `${N}/rbac-policies`, grant(net.id, projectId('demo'))).status).toBe(201);
    expect(call('POST', `${N}/rbac-policies`, grant(net.id, projectId('demo'))).status).toBe(409);
    expect(call('POST', `${N}/rbac-policies`, grant(net.id, projectId('demo2')), 'demo').status).toBe(403);
    expect(call('GET', `${N}/rbac-policies/nope`).status).toBe(404);
  });

  it('a project sees a network exactly when it owns it, it is shared, or a grant names it (100 runs)', () => {
    const step = fc.record({ op: fc.constantFrom('grant', 'revoke'), target: fc.constantFrom('demo', 'demo2', '*') });
    fc.assert(fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
      const { call, net } = world();
      const live = new Map<string, string>();
      for (const s of steps) {
        if (s.op === 'grant') {
          const r = call('POST', `${N}/rbac-policies`, grant(net.id, s.target === '*' ? '*' : projectId(s.target)));
          expect(r.status).toBe(live.has(s.target) ? 409 : 201);
          if (r.status === 201) live.set(s.target, r.body.rbac_policy.id);
        } else if (live.has(s.target)) {
          expect(call('DELETE', `${N}/rbac-policies/${live.get(s.target)!}`).status).toBe(204);
          live.delete(s.target);
        }
      }
      for (const user of ['demo', 'demo2']) {
        const sees = call('GET', `${N}/networks`, undefined, user).body.networks.some((n: { id: string }) => n.id === net.id);
        expect(sees).toBe(live.has('*') || live.has(user));
      }
    }), { numRuns: 100 });
  });
});

describe('quotas, users and projects', () => {
  it('counts what a project uses and keeps other projects\' quotas from non-admins', () => {
    const { call } = world();
    call('POST', `${N}/networks`, { network: { name: 'mine' } }, 'demo');
    const details = call('GET', `${N}/quotas/${projectId('demo')}/details`, undefined, 'demo').body.quota;
    expect([details.network.used, details.network.limit, details.port.used]).toEqual([1, 100, 0]);
    expect(call('GET', `${N}/quotas/${projectId('admin')}`, undefined, 'demo').status).toBe(403);
    expect(call('GET', `${N}/quotas/${projectId('demo')}`).body.quota.network).toBe(100);
    expect(call('PUT', `${N}/quotas/${projectId('demo')}`, { quota: { network: 5 } }).status).toBe(405);
  });

  it('reads a --users file and names every problem by its place', () => {
    const ok = parseUsers({ users: [{ name: 'root', password: 'pw', project: 'admin', role: 'admin' }, { name: 'alice', password: 'a', project: 'alpha' }] });
    expect([ok.problems, ok.users.map((u) => `${u.name}:${u.project}:${u.role}`)]).toEqual([[], ['root:admin:admin', 'alice:alpha:member']]);
    const bad = parseUsers({ users: [{ name: 'root', password: 'pw', project: 'admin', role: 'boss' }, { name: 'x', project: 'a b', colour: 1 }] });
    expect(bad.problems.map((p) => p.split(':')[0])).toEqual(['users[0].role', 'users[1].colour', 'users[1].password', 'users[1].project']);
    expect(parseUsers({ users: [{ name: 'a', password: 'b', project: 'alpha', role: 'member' }] }).problems).toEqual([expect.stringContaining('admin user')]);
    expect(parseUsers('nope').problems).toHaveLength(1);
    const identity = new Identity({ users: ok.users, newToken: () => 't', now: () => 0, projects: () => ['admin', 'beta'] });
    expect(identity.projects().map((p) => p.name)).toEqual(['admin', 'alpha', 'beta']);
  });
});
