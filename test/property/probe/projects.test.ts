/**
 * Projects and where a probe lands (issue 14), over random two-project clouds whose subnets
 * overlap: each project picks its CIDRs from a small set both draw from, behind its own router
 * (with a gateway and SNAT, or none), with optional floating IPs, an admin network shared with
 * every project (plugged into alpha's router), and sometimes a bastion of alpha with a port in
 * each project's subnet (beta grants alpha its network by RBAC). Probes go by name and by
 * address between every kind of endpoint. Two properties:
 * - a delivered or refused verdict names the node that received the packet: the named target
 *   (for a floating IP, its instance), the node whose stack took it in the trace, the owner of
 *   the address the destination saw; a misdelivered one names another node;
 * - isolation: no packet to a private address crosses an external network, and none sent by
 *   an instance to another project's instance lands there unless a floating IP, a shared (or
 *   RBAC-granted) network or a route the file declares joins them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { resolveProbe } from '../../../src/probe/probe.js';
import { arbitraries } from '../../../src/testing/index.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import type { Verdict } from '../../../src/trace/verdict.js';

const RUNS = Number(process.env['PROJECT_RUNS'] ?? 30);
const FC = { numRuns: RUNS, seed: Number(process.env['FC_SEED'] ?? 14_014) };
const CIDRS = ['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24'];

interface ProjectPlan {
  readonly cidrs: readonly string[];
  readonly gateway: boolean;
  readonly instances: readonly { readonly subnet: number; readonly fip: boolean }[];
}

interface CloudPlan {
  readonly alpha: ProjectPlan;
  readonly beta: ProjectPlan;
  /** Beta instances with a port on admin's shared network (alpha's router joins it). */
  readonly shared: number;
  readonly bastion: boolean;
}

const projectPlan: fc.Arbitrary<ProjectPlan> = fc.record({
  cidrs: fc.subarray(CIDRS, { minLength: 1, maxLength: 2 }),
  gateway: fc.boolean(),
  instances: fc.array(fc.record({ subnet: fc.nat(1), fip: fc.boolean() }), { minLength: 1, maxLength: 3 }),
});
const cloudPlan: fc.Arbitrary<CloudPlan> = fc.record({ alpha: projectPlan, beta: projectPlan, shared: fc.nat(1), bastion: fc.boolean() });

const OPEN = [{ direction: 'ingress', protocol: 'tcp', ports: 80 }, { direction: 'ingress', protocol: 'icmp' }];

/** The topology document of a plan. */
function documentOf(plan: CloudPlan): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  const routers: Record<string, unknown> = {};
  const groups: Record<string, unknown> = {};
  const instances: Record<string, unknown> = {};
  const fips: Record<string, unknown> = {};
  const subnetOf = (p: string, i: number, n: number) => `${p}-s${i % n}`;
  for (const [p, plan_] of [['alpha', plan.alpha], ['beta', plan.beta]] as const) {
    plan_.cidrs.forEach((cidr, i) => {
      networks[`${p}-n${i}`] = {
        project: p,
        ...(p === 'beta' && i === 0 && plan.bastion ? { rbac: [{ project: 'alpha', action: 'access_as_shared' }] } : {}),
        subnets: { [`${p}-s${i}`]: { cidr } },
      };
    });
    const interfaces = plan_.cidrs.map((_, i) => `${p}-s${i}`);
    if (p === 'alpha') interfaces.push('tools-s');
    routers[`${p}-r`] = { project: p, interfaces, ...(plan_.gateway ? { external_gateway: { network: 'public', snat: true } } : {}) };
    groups[`${p}-open`] = { project: p, rules: OPEN };
    plan_.instances.forEach((inst, i) => {
      const name = `${p}-vm${i}`;
      instances[name] = { project: p, ports: [{ subnet: subnetOf(p, inst.subnet, plan_.cidrs.length), security_groups: [`${p}-open`] }], services: ['tcp/80'] };
      if (inst.fip && plan_.gateway) fips[`${name}-fip`] = { project: p, network: 'public', port: name };
    });
  }
  networks['tools'] = { shared: true, subnets: { 'tools-s': { cidr: '10.9.0.0/24' } } };
  for (let i = 0; i < plan.shared; i++) instances[`beta-shared${i}`] = { project: 'beta', ports: [{ subnet: 'tools-s', security_groups: ['beta-open'] }], services: ['tcp/80'] };
  if (plan.bastion) {
    // The same address on both (their first subnets have one CIDR: validPlan).
    const ip = plan.alpha.cidrs[0]!.replace(/\.0\/24$/, '.200');
    instances['bastion'] = { project: 'alpha', ports: [{ subnet: 'alpha-s0', ip, security_groups: ['alpha-open'] }, { subnet: 'beta-s0', ip, security_groups: ['alpha-open'] }], services: [] };
  }
  return {
    version: 1,
    name: 'random-two-project',
    projects: { alpha: {}, beta: {} },
    external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.200' } },
    networks,
    routers,
    security_groups: groups,
    instances,
    floating_ips: fips,
    external_hosts: { client: { ip: '198.51.100.7', services: ['tcp/80'] } },
  };
}

function cloudOf(plan: CloudPlan): Cloud {
  const doc = documentOf(plan);
  const r = parseTopology(JSON.stringify(doc), 'random-two-project.json');
  if (!r.ok) throw new Error(`generated cloud does not load:\n${r.issues.map(formatIssue).join('\n')}\n${JSON.stringify(doc)}`);
  return r.cloud;
}

/** Plans whose bastion can have one address on both first subnets. */
const validPlan = cloudPlan.filter((p) => !p.bastion || (p.alpha.cidrs[0] === p.beta.cidrs[0]));

interface Probe { readonly from: string; readonly to: string; readonly proto: 'tcp' | 'icmp' }

/** Every sender to every named endpoint and every fixed address, tcp/80 and ping. */
function probesOf(cloud: Cloud): Probe[] {
  const senders = [...cloud.instances.keys(), ...cloud.externalHosts.keys()];
  const names = [...cloud.instances.keys(), ...cloud.floatingIps.keys(), ...cloud.externalHosts.keys()];
  const addresses = [...cloud.ports.values()].filter((p) => p.owner.kind === 'instance').flatMap((p) => p.fixedIps.map((f) => f.address.text));
  const out: Probe[] = [];
  for (const from of senders) for (const to of [...names, ...new Set(addresses)]) if (to !== from) for (const proto of ['tcp', 'icmp'] as const) out.push({ from, to, proto });
  return out;
}

function run(cloud: Cloud, p: Probe): Verdict {
  const r = resolveProbe(cloud, { from: p.from, to: p.to, proto: p.proto, port: p.proto === 'tcp' ? 80 : 0, ipv6: false, spoof: null });
  if (!r.ok) throw new Error(`${p.from} → ${p.to} does not resolve`);
  return new Simulator(cloud, { record: true }).probe(r.probe.spec);
}

/** The instance a name stands for as a destination (itself, or a floating IP's). */
function instanceBehind(cloud: Cloud, name: string): string | undefined {
  if (cloud.instances.has(name)) return name;
  const fip = cloud.floatingIps.get(name);
  return fip?.port ? cloud.ports.get(fip.port)?.owner.name : undefined;
}

/**
 * Instances joined without crossing an external network: through networks and the routers on
 * them (computed from the file's resources, independently of src/probe/address-space.ts).
 */
function privatelyJoined(cloud: Cloud, a: string, b: string): boolean {
  const netsOf = (inst: string) => cloud.instances.get(inst)!.ports.map((id) => cloud.ports.get(id)!.network);
  const seen = new Set<string>(netsOf(a));
  const queue = [...seen];
  while (queue.length > 0) {
    const net = queue.pop()!;
    for (const r of cloud.routers.values()) {
      const nets = r.interfaces.map((id) => cloud.ports.get(id)!.network);
      if (!nets.includes(net)) continue;
      for (const n of nets) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    }
  }
  return netsOf(b).some((n) => seen.has(n));
}

describe('projects: where probes land', () => {
  it('a delivered or refused verdict names the node that received the packet; misdelivered names another', () => {
    fc.assert(fc.property(validPlan, (plan) => {
      const cloud = cloudOf(plan);
      const ownerOf = new Map<string, string>();
      for (const p of cloud.ports.values()) if (p.owner.kind === 'instance') for (const f of p.fixedIps) ownerOf.set(`${p.owner.name}|${f.address.text}`, p.owner.name);
      for (const p of probesOf(cloud)) {
        const v = run(cloud, p);
        const what = `${p.from} → ${p.to} ${p.proto}: ${v.verdict} at ${v.landed?.node ?? '-'}`;
        const taker = v.events.find((e) => e.direction === 'forward' && e.stage === 'host.receive' && (e.action === 'accept' || e.action === 'refuse'))?.node;
        if (v.verdict === 'delivered' || v.verdict === 'refused' || v.verdict === 'misdelivered') {
          expect(v.landed, what).not.toBeNull();
          // The node whose stack took the packet in the trace.
          expect(taker, what).toBe(v.landed!.node);
          // It owns the address the packet carried when it got there.
          const landedName = v.landed!.node.replace(/^(instance|host):/, '');
          if (v.landed!.node.startsWith('instance:')) expect(ownerOf.get(`${landedName}|${v.observed!.dst}`), what).toBe(landedName);
          else if (v.landed!.node.startsWith('host:')) expect(cloud.externalHosts.get(landedName)?.address.text, what).toBe(v.observed!.dst);
        } else {
          expect(v.landed, what).toBeNull();
        }
        // The named target took it exactly when the verdict is not misdelivered.
        const named = instanceBehind(cloud, p.to) ?? (cloud.externalHosts.has(p.to) ? p.to : undefined);
        if (named !== undefined && v.landed) {
          const isTarget = v.landed.node === `instance:${named}` || v.landed.node === `host:${named}`;
          expect(`${what}: target took it ${isTarget}`).toBe(`${what}: target took it ${v.verdict !== 'misdelivered'}`);
        }
      }
    }), FC);
  });

  it('isolation: private addresses never cross an external network, and another project is reached only where the file joins them', () => {
    fc.assert(fc.property(validPlan, (plan) => {
      const cloud = cloudOf(plan);
      const isPrivate = (text: string) => text.startsWith('10.');
      for (const p of probesOf(cloud)) {
        const v = run(cloud, p);
        const what = `${p.from} → ${p.to} ${p.proto}: ${v.verdict} at ${v.landed?.node ?? '-'} via ${v.path.join(' > ')}`;
        const privateDst = v.events.find((e) => e.stage === 'host.send' && e.direction === 'forward')?.packet.split(' → ')[1]?.split(':')[0];
        if (privateDst !== undefined && isPrivate(privateDst)) {
          // A private destination stays in the sender's address space: once on an external
          // network (a default route), it never enters a router again.
          const out = v.path.findIndex((n) => n.startsWith('external:'));
          expect(out >= 0 && v.path.slice(out).some((n) => n.startsWith('router:')), what).toBe(false);
        }
        if (!cloud.instances.has(p.from) || !v.landed?.node.startsWith('instance:')) continue;
        const landed = v.landed.node.slice('instance:'.length);
        const fromProject = cloud.instances.get(p.from)!.project;
        if (cloud.instances.get(landed)!.project === fromProject || landed === p.from) continue;
        // Landed on another project's instance: through its floating IP, or because the
        // networks and routers the file declares join the two privately (a shared network).
        const viaFip = v.nat.some((n) => n.kind === 'fip');
        expect(viaFip || privatelyJoined(cloud, p.from, landed), what).toBe(true);
      }
    }), FC);
  });

  it('the generator reaches every case the properties are about', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(validPlan, (plan) => {
      const cloud = cloudOf(plan);
      if (plan.bastion) seen.add('bastion');
      for (const p of probesOf(cloud)) {
        const v = run(cloud, p);
        seen.add(v.verdict);
        if (v.landed?.port === null) seen.add('loopback');
        if (v.nat.some((n) => n.kind === 'fip') && v.verdict === 'delivered') seen.add('fip-delivered');
      }
    }), { ...FC, numRuns: Math.min(RUNS, 20) });
    expect([...seen].sort()).toEqual(expect.arrayContaining(['bastion', 'delivered', 'fip-delivered', 'loopback', 'misdelivered', 'unreachable']));
  });

  it('over vnet/testing\'s random clouds: a probe to an instance by name lands on it, or is misdelivered only to a node that holds the same address', () => {
    fc.assert(fc.property(arbitraries.topologyDocument({ networks: 3, instances: 6 }), (doc) => {
      const r = parseTopology(JSON.stringify(doc), 'generated.json');
      if (!r.ok) throw new Error('invalid generated topology');
      const cloud = r.cloud;
      const addressesOf = (inst: string) => new Set(cloud.instances.get(inst)!.ports.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.address.text)));
      const senders = [...cloud.instances.keys(), ...cloud.externalHosts.keys()];
      for (const from of senders) for (const to of cloud.instances.keys()) {
        if (from === to) continue;
        const v = run(cloud, { from, to, proto: 'tcp' });
        const what = `${from} → ${to}: ${v.verdict} at ${v.landed?.node ?? '-'}`;
        if (v.verdict === 'delivered' || v.verdict === 'refused') expect(v.landed?.node, what).toBe(`instance:${to}`);
        if (v.verdict === 'misdelivered') {
          // Only an address collision (overlapping subnets in two address spaces) misdelivers.
          const landed = v.landed!.node.replace(/^instance:/, '');
          expect(landed !== to && cloud.instances.has(landed) && addressesOf(to).has(v.observed!.dst) && addressesOf(landed).has(v.observed!.dst), what).toBe(true);
        }
      }
    }), FC);
  });
});
