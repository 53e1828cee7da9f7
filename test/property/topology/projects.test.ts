/**
 * Projects (property): (1) a file without projects and the same file with `project: admin` on
 * every resource (and `projects: { admin }`) load to the same model, so projects change nothing
 * for admin-only files; (2) for a random assignment of projects, sharing and RBAC to networks,
 * routers, groups, instances and floating IPs over overlapping subnets, the loader accepts the
 * file iff a small reference statement of Neutron's ownership rules holds, and refuses it only
 * with ownership codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';
import { topologyDocument } from '../../../src/testing/topology-arbitrary.js';

type Doc = Record<string, Record<string, Record<string, unknown>> | unknown>;
const OWNED = ['networks', 'routers', 'security_groups', 'network_acls', 'instances', 'floating_ips', 'load_balancers'];

describe('admin-only files (property)', () => {
  it('load to the same model with or without an explicit project: admin everywhere', () => {
    fc.assert(fc.property(topologyDocument(), fc.boolean(), (doc, declare) => {
      const explicit = structuredClone(doc) as Doc;
      for (const c of OWNED) for (const r of Object.values((explicit[c] ?? {}) as Record<string, Record<string, unknown>>)) r.project = 'admin';
      if (declare) explicit.projects = { admin: {} };
      const a = parseTopology(JSON.stringify(doc));
      const b = parseTopology(JSON.stringify(explicit));
      if (!a.ok || !b.ok) throw new Error('a generated document must load');
      expect(b.cloud).toEqual(a.cloud);
      // Same warnings at the same paths (their columns move with the added keys).
      const codes = (ws: typeof a.warnings) => ws.map((x) => [x.code, x.path, x.message]);
      expect(codes(b.warnings)).toEqual(codes(a.warnings));
      expect([...a.cloud.projects.keys()]).toEqual(['admin']);
    }), { numRuns: 150 });
  });
});

const PROJECTS = ['admin', 'alpha', 'beta'] as const;
type P = (typeof PROJECTS)[number];
const project = fc.constantFrom(...PROJECTS);

/** Three networks on the same 10.0.0.0/24, each with its own router; groups, instances and FIPs over them. */
const world = fc.record({
  networks: fc.array(fc.record({ project, shared: fc.boolean(), grants: fc.subarray([...PROJECTS]) }), { minLength: 3, maxLength: 3 }),
  routers: fc.array(project, { minLength: 3, maxLength: 3 }),
  external: fc.option(fc.subarray(['alpha', 'beta'] as P[], { minLength: 1 }), { nil: undefined }),
  groups: fc.array(fc.record({ project, remote: fc.option(fc.constantFrom('g0', 'g1', 'g2', 'default'), { nil: undefined }) }), { minLength: 3, maxLength: 3 }),
  instances: fc.array(fc.record({ project, net: fc.integer({ min: 0, max: 2 }), groups: fc.subarray(['g0', 'g1', 'g2', 'default']), fip: fc.option(project, { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function docOf(w: World): Record<string, unknown> {
  return {
    version: 1,
    projects: { alpha: {}, beta: {} },
    external_networks: { public: { cidr: '203.0.113.0/24', pool: '203.0.113.10-203.0.113.200', ...(w.external ? { rbac: w.external.map((p) => ({ project: p, action: 'access_as_external' })) } : {}) } },
    networks: Object.fromEntries(w.networks.map((n, i) => [`n${i}`, {
      project: n.project, shared: n.shared, rbac: n.grants.map((p) => ({ project: p, action: 'access_as_shared' })), subnets: { [`s${i}`]: { cidr: '10.0.0.0/24' } },
    }])),
    routers: Object.fromEntries(w.routers.map((p, i) => [`r${i}`, { project: p, external_gateway: { network: 'public' }, interfaces: [`s${i}`] }])),
    security_groups: Object.fromEntries(w.groups.map((g, i) => [`g${i}`, { project: g.project, rules: g.remote ? [{ direction: 'ingress', remote_group: g.remote }] : [] }])),
    instances: Object.fromEntries(w.instances.map((v, i) => [`vm${i}`, { project: v.project, ports: [{ subnet: `s${v.net}`, security_groups: v.groups }] }])),
    floating_ips: Object.fromEntries(w.instances.flatMap((v, i) => (v.fip ? [[`fip${i}`, { project: v.fip, network: 'public', port: `vm${i}` }]] : []))),
  };
}

/** Neutron's rules, stated directly over the assignment (the reference the loader is held to). */
function allowed(w: World): boolean {
  const usable = (i: number, p: P) => { const n = w.networks[i]!; return n.project === p || n.shared || n.grants.includes(p); };
  const external = (p: P) => p === 'admin' || w.external === undefined || w.external.includes(p);
  const groupProject = (g: string) => w.groups[Number(g.slice(1))]!.project;
  const routersOk = w.routers.every((p, i) => usable(i, p) && external(p));
  const groupsOk = w.groups.every((g) => g.remote === undefined || g.remote === 'default' || groupProject(g.remote) === g.project);
  const instancesOk = w.instances.every((v) => usable(v.net, v.project) && v.groups.every((g) => g === 'default' || groupProject(g) === v.project)
    && (v.fip === undefined || (v.fip === v.project && external(v.fip))));
  return routersOk && groupsOk && instancesOk;
}

const OWNERSHIP = new Set(['project-network', 'project-group', 'project-fip', 'project-external']);

describe('ownership rules (property)', () => {
  it('a file loads iff the reference rules hold, and is refused only for ownership', () => {
    fc.assert(fc.property(world, (w) => {
      const r = parseTopology(JSON.stringify(docOf(w)));
      expect(r.ok).toBe(allowed(w));
      if (!r.ok) for (const i of r.issues.filter((x) => x.severity === 'error')) expect(OWNERSHIP).toContain(i.code);
      if (r.ok) {
        // default on a port is its own project's default group.
        w.instances.forEach((v, i) => {
          const groups = r.cloud.ports.get(`vm${i}/eth0`)!.securityGroups;
          if (v.groups.includes('default')) expect(groups).toContain(v.project === 'admin' ? 'default' : `default@${v.project}`);
          expect(r.cloud.ports.get(`vm${i}/eth0`)!.project).toBe(v.project);
        });
      }
    }), { numRuns: 400 });
  });
});
