/**
 * Resolution made faster must mean the same: src/topology/resolve.ts against the resolver as it
 * was before (a copy in ./reference/, taken at d5ddc86, with the IPAM allocators it changed), on the
 * same shape-checked documents. The results must serialise to the same text, Map and key order
 * included (what `vnet show --json` and every trace print), with the same issues in the same
 * order, and every object of the new Cloud must be frozen. Documents: every bundled topology
 * and fixture, generated large clouds, and random worlds built to reach the error paths
 * (dual stack, SLAAC, tiny subnets that run out, explicit and clashing addresses and MACs,
 * several ports per instance, fabrics, floating IPs, load balancers, projects), both as they are
 * and with a random value replaced.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateLarge } from '../../../scripts/gen-large.js';
import { checkShape } from '../../../src/topology/check-shape.js';
import { resolveTopology } from '../../../src/topology/resolve.js';
import { readSource } from '../../../src/topology/source.js';
import type { TopologyDoc } from '../../../src/topology/schema.js';
import { resolveTopology as referenceResolve } from './reference/topology/resolve.js';

/** Map and key order kept, bigints marked: two results mean the same iff these texts are equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? { map: [...v] } : typeof v === 'bigint' ? `${v}n` : v));
}

/** The first object reachable from `value` that is not frozen (Maps are read-only by type only). */
function unfrozen(value: unknown, seen = new Set<unknown>(), at = '$'): string | undefined {
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const found = unfrozen(v, seen, `${at}.get(${String(k)})`);
      if (found) return found;
    }
    return undefined;
  }
  if (!Object.isFrozen(value)) return at;
  for (const [k, v] of Object.entries(value)) {
    const found = unfrozen(v, seen, `${at}.${k}`);
    if (found) return found;
  }
  return undefined;
}

function shaped(text: string): TopologyDoc | undefined {
  const read = readSource(text, 'x.yaml');
  if (!read.ok) return undefined;
  const shape = checkShape(read.source.value);
  return shape.ok ? shape.doc : undefined;
}

/** Asserts both resolvers agree on `text`; returns whether it resolved (for coverage checks). */
function same(text: string): boolean | undefined {
  const doc = shaped(text);
  if (!doc) return undefined;
  const reference = referenceResolve(doc);
  const fast = resolveTopology(doc);
  expect(canonical(fast)).toBe(canonical(reference));
  if (fast.ok) expect(unfrozen(fast.cloud)).toBeUndefined();
  return fast.ok;
}

const yamlFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`).sort();

describe('resolution: the same Cloud and issues as the reference resolver', () => {
  it.each([...yamlFiles('topologies').filter((f) => !f.includes('/generated/')), ...yamlFiles('test/fixtures')])('%s', (file) => {
    same(readFileSync(file, 'utf8'));
  });

  it.each([1, 150, 2500])('a generated cloud of %i instances', (n) => {
    expect(same(generateLarge(n))).toBe(true);
  });

  it('random worlds, as they are and with one value replaced (property)', () => {
    let resolved = 0;
    let refused = 0;
    fc.assert(fc.property(world, fc.option(mutation, { nil: undefined, freq: 2 }), (w, m) => {
      const doc = structuredClone(docOf(w));
      if (m) mutate(doc, m);
      const ok = same(JSON.stringify(doc));
      if (ok === true) resolved++;
      if (ok === false) refused++;
    }), { numRuns: Number(process.env.EQUIV_RUNS ?? 300) });
    // Both paths must be exercised, or the property proves little.
    expect(resolved).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});

const PROJECTS = ['admin', 'alpha', 'beta'] as const;
/** Mostly admin, so that most worlds pass the ownership checks and go on to IPAM. */
const project = fc.oneof({ arbitrary: fc.constant('admin'), weight: 20 }, { arbitrary: fc.constantFrom(...PROJECTS), weight: 1 });
/** Present now and then: each is a chance of an error. */
const rare = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: a, weight: 1 });
/** Subnets: v4 of every small size (the /30-/32 run out), dual-stack v6 in each mode. */
const SUBNETS = [
  { cidr: '10.0.0.0/24' }, { cidr: '10.0.1.0/29' }, { cidr: '10.0.2.0/30', allocation: 'neutron' }, { cidr: '10.0.3.0/31', gateway: null },
  { cidr: '10.0.4.0/32', gateway: null }, { cidr: '10.0.0.0/25' }, { cidr: '10.0.5.0/24', allocation_pools: ['10.0.5.10-10.0.5.12', '10.0.5.100-10.0.5.101'] },
  { cidr: '10.0.6.0/24', ipam_profile: 'aws' }, { cidr: '10.0.7.0/24', allocation: 'neutron' },
  { cidr: '2001:db8:1::/64', ipv6_address_mode: 'slaac' }, { cidr: '2001:db8:2::/64', ipv6_address_mode: 'dhcpv6-stateful' },
  { cidr: '2001:db8:3::/64', ipv6_address_mode: 'dhcpv6-stateless' }, { cidr: '2001:db8:4::/126' }, { cidr: '2001:db8:5::/64', allocation: 'neutron' },
] as const;
const IPS = ['10.0.0.5', '10.0.0.1', '10.0.1.2', '10.0.1.7', '10.0.2.1', '10.0.3.0', '10.0.3.1', '10.0.4.0', '10.0.5.11', '10.0.5.50', '2001:db8:2::5', '2001:db8:1::5', '2001:db8:4::2', '10.9.9.9'];
const MACS = ['fa:16:3e:00:00:01', 'fa:16:3e:00:00:02', 'fa:16:3e:00:00:05', '02:00:00:00:00:01', '01:00:5e:00:00:01', 'fa:16:3e:ff:ff:ff'];

const port = fc.record({
  net: fc.nat(),
  subnets: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
  ip: rare(fc.constantFrom(...IPS)),
  mac: rare(fc.constantFrom(...MACS)),
  name: rare(fc.constantFrom('eth0', 'eth1', 'data')),
  groups: fc.option(fc.oneof({ arbitrary: fc.subarray(['default', 'web']), weight: 6 }, { arbitrary: fc.subarray(['default', 'web', 'db', 'nope', 'default@alpha']), weight: 1 }), { nil: undefined }),
  long: fc.boolean(),
  switch: rare(fc.constantFrom('sw-a', 'sw-b', 'sw-z')),
  pairs: rare(fc.constantFrom(['10.0.0.99'], ['10.0.0.0/24'], ['2001:db8:1::/64'])),
});
const world = fc.record({
  /** A clean world leaves out every choice that can be an error, so that it resolves and its Cloud is compared. */
  clean: fc.boolean(),
  seed: fc.nat(50),
  networks: fc.array(fc.record({ project, shared: fc.boolean(), subnets: fc.subarray(SUBNETS.map((_, i) => i), { minLength: 1, maxLength: 4 }), fabric: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  routers: fc.array(fc.record({ subnets: fc.uniqueArray(fc.nat(6), { maxLength: 3 }), routes: rare(fc.constant(true)), gateway: fc.boolean(), gatewayIp: rare(fc.constantFrom('203.0.113.20', '203.0.113.1', '203.0.113.5')), ifaceIp: fc.boolean(), project }), { maxLength: 3 }),
  instances: fc.array(fc.record({ project, ports: fc.array(port, { minLength: 1, maxLength: 3 }), services: fc.subarray(['tcp/22', 'tcp/80', 'udp/53', 'tcp/8000-8010']), fip: rare(fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.constantFrom('203.0.113.30', '203.0.113.5'), weight: 1 })) }), { minLength: 1, maxLength: 8 }),
  pool: fc.constantFrom('203.0.113.10-203.0.113.12', '203.0.113.10-203.0.113.250'),
  lbs: fc.array(fc.record({ subnet: fc.nat(), members: fc.array(fc.nat(), { maxLength: 3 }), vip: rare(fc.constantFrom(...IPS)), fip: fc.boolean() }), { maxLength: 2 }),
  forwardings: rare(fc.array(fc.constantFrom(...IPS), { minLength: 1, maxLength: 2 })),
  hosts: fc.array(fc.oneof({ arbitrary: fc.constant('198.51.100.7'), weight: 4 }, { arbitrary: fc.constantFrom('10.0.0.9', '203.0.113.9'), weight: 1 }), { maxLength: 2 }),
  acl: rare(fc.subarray(SUBNETS.map((_, i) => `s${i}`), { maxLength: 3 })),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** Big enough for every port of a world, with a gateway. */
const ROOMY = new Set([0, 7, 8, 9, 10, 11, 13]);

/**
 * Subnet i of SUBNETS is named s<i> on the first network that lists it, s<i>-<k> on network k
 * after that; references to subnet j pick the j-th (modulo) of those placed. A clean world has
 * roomy subnets only, one router on every subnet of a distinct CIDR, and no explicit addresses,
 * MACs, switches, projects or floating IPs that could be refused.
 */
function docOf(w: World): Record<string, unknown> {
  const c = w.clean;
  const placed: string[] = [];
  const perNetwork: string[][] = [];
  const cidrOf = new Map<string, string>();
  const networks = Object.fromEntries(w.networks.map((n, k) => {
    const mine = c ? (n.subnets.some((i) => ROOMY.has(i)) ? n.subnets.filter((i) => ROOMY.has(i)) : [0]) : n.subnets;
    return [`n${k}`, {
      project: c ? 'admin' : n.project, shared: n.shared,
      ...(n.fabric ? { switches: ['sw-a', 'sw-b'], links: [['sw-a', 'sw-b']] } : {}),
      subnets: Object.fromEntries(mine.map((i) => {
        const name = placed.some((o) => o === `s${i}`) ? `s${i}-${k}` : `s${i}`;
        placed.push(name);
        (perNetwork[k] ??= []).push(name);
        cidrOf.set(name, SUBNETS[i]!.cidr);
        return [name, SUBNETS[i]!];
      })),
    }];
  }));
  const sub = (j: number) => placed[j % placed.length]!;
  // The clean world's router: the first subnet of each CIDR (10.0.0.0/25 is inside 10.0.0.0/24).
  const attached = placed.filter((name, i) => !placed.slice(0, i).some((o) => cidrOf.get(o) === cidrOf.get(name)) && !(cidrOf.get(name) === '10.0.0.0/25' && placed.some((o) => cidrOf.get(o) === '10.0.0.0/24')));
  const v4Attached = attached.filter((name) => !cidrOf.get(name)!.includes(':'));
  const firstSubnets: string[] = [];
  const instances = Object.fromEntries(w.instances.map((v, k) => [`vm${k}`, {
    project: c ? 'admin' : v.project, services: v.services,
    ports: v.ports.map((p, pi) => {
      const groups = c ? p.groups?.filter((g) => g === 'default' || g === 'web') : p.groups;
      const extra = c
        ? { ...(groups ? { security_groups: groups } : {}), ...(p.pairs && p.pairs[0]!.startsWith('10.') ? { allowed_address_pairs: p.pairs } : {}) }
        : { ...(p.name ? { name: p.name } : {}), ...(p.mac ? { mac: p.mac } : {}), ...(groups ? { security_groups: groups } : {}), ...(p.switch ? { switch: p.switch } : {}), ...(p.pairs ? { allowed_address_pairs: p.pairs } : {}) };
      const mine = perNetwork[p.net % perNetwork.length]!;
      const on = (j: number) => mine[j % mine.length]!;
      if (pi === 0) firstSubnets.push(on(p.subnets[0]!));
      const ip = c ? undefined : p.ip;
      if (!p.long) return { subnet: on(p.subnets[0]!), ...(ip ? { ip } : {}), ...extra };
      return { fixed_ips: [...new Set(p.subnets.map(on))].map((s, j) => (j === 0 && ip ? { subnet: s, ip } : s)), ...extra };
    }),
  }]));
  const routers = c
    ? { r0: { external_gateway: { network: 'public' }, interfaces: attached } }
    : Object.fromEntries(w.routers.map((r, k) => [`r${k}`, {
      project: r.project,
      ...(r.gateway ? { external_gateway: { network: 'public', ...(r.gatewayIp ? { ip: r.gatewayIp } : {}) } } : {}),
      interfaces: r.subnets.map((i) => (r.ifaceIp && i === 0 ? { subnet: sub(i), ip: '10.0.0.2' } : sub(i))),
      routes: r.routes ? [{ destination: '192.168.0.0/16', nexthop: '10.0.0.3' }] : [],
    }]));
  const lbs = c ? w.lbs.filter(() => v4Attached.length > 0) : w.lbs;
  return {
    version: 1, name: 'world', seed: w.seed,
    projects: { alpha: {}, beta: {} },
    external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: c ? '203.0.113.10-203.0.113.250' : w.pool } },
    networks,
    routers,
    security_groups: {
      web: { rules: [{ direction: 'ingress', protocol: 'tcp', ports: 80 }, { direction: 'ingress', protocol: 'tcp', ports: '8000-8010', remote_group: 'db' }] },
      db: { stateful: w.seed % 2 === 0, rules: [{ direction: 'ingress', protocol: 'icmp', type: 8 }, { direction: 'egress', remote_ip_prefix: '2001:db8::/32' }] },
      'default@alpha': { project: 'alpha', rules: [] },
    },
    ...(w.acl ? { network_acls: { guard: { subnets: c ? w.acl.filter((s) => placed.includes(s)) : w.acl, ingress: [{ rule: 10, action: 'allow', protocol: 'tcp', ports: 22, cidr: '10.0.0.0/8' }, { rule: 20, action: 'deny' }] } } } : {}),
    instances,
    floating_ips: Object.fromEntries([
      ...w.instances.flatMap((v, k) => (v.fip === undefined || (c && (v.fip !== null || !v4Attached.includes(firstSubnets[k]!))) ? [] : [[`fip${k}`, { network: 'public', port: `vm${k}`, ...(v.fip ? { ip: v.fip } : {}) }]])),
      ...lbs.flatMap((lb, k) => (lb.fip ? [[`lbfip${k}`, { network: 'public', load_balancer: `lb${k}` }]] : [])),
      ...(c ? [] : w.forwardings ?? []).map((ip, k) => [`pf${k}`, { network: 'public', port_forwardings: [{ protocol: 'tcp', external_port: 2200 + k, internal_port: 22, internal_ip: ip }] }]),
    ]),
    load_balancers: Object.fromEntries(lbs.map((lb, k) => [`lb${k}`, {
      subnet: c ? v4Attached[lb.subnet % v4Attached.length]! : sub(lb.subnet), ...(lb.vip && !c ? { vip: lb.vip } : {}),
      listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
      pools: { p: { members: lb.members.map((m) => `vm${m % w.instances.length}`) } },
    }])),
    external_hosts: Object.fromEntries(w.hosts.map((ip, k) => [`h${k}`, { ip: c ? '198.51.100.7' : ip, services: ['tcp/80'] }])),
  };
}

type Mutation = { at: number; text: string; number: number };
/** Type-kept replacements (a string for a string, a number for a number), so most pass the shape check. */
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  text: fc.constantFrom('s0', 's1', 's99', 'vm0', 'vm0/eth1', 'vm9', 'public', 'n0', 'web', 'default', 'alpha', 'gamma', '10.0.0.7', '10.0.0.0/24', '10.0.0.5/24',
    '10.0.1.0/28', '2001:db8:1::/64', '2001:db8:1::7', 'fa:16:3e:00:00:03', 'tcp/22', 'tcp/0', 'sw-b', 'lb0', '203.0.113.11', 'neutron', 'slaac'),
  number: fc.constantFrom(0, 1, 2, 80, 65535),
});

/** Replaces the `at`-th (modulo their number) string or number leaf of the document. */
function mutate(doc: Record<string, unknown>, m: Mutation): void {
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const key = Array.isArray(v) ? Number(k) : k;
      if (typeof x === 'string' || typeof x === 'number') slots.push([v as Record<string | number, unknown>, key]);
      walk(x);
    }
  };
  walk(doc);
  const [parent, key] = slots[m.at % slots.length]!;
  parent[key] = typeof parent[key] === 'string' ? m.text : m.number;
}
