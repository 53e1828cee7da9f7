/**
 * Random clouds for randomized conformance (`vnet conform` on each, vnet against the kernel):
 * a seeded generator of small topologies that exercise what the two most often disagree on —
 * a gateway router with SNAT on or off, a second router behind it reached by static routes,
 * floating IPs (hairpin included), security groups with random rules (stateful and not) — and of
 * probes over them: ICMP, TCP and UDP to open and closed ports, to floating IPs and the internet,
 * and the reverse direction of a flow just opened. The same seed gives the same cloud and probes.
 */
import { createRng, type Rng } from '../../src/util/rng.js';

export interface RandomCase {
  readonly seed: number;
  readonly topology: Record<string, unknown>;
  readonly probes: readonly RandomProbe[];
}

export interface RandomProbe {
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port?: number;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.below(xs.length)]!;
const chance = (rng: Rng, p: number): boolean => rng.next() < p;

const SERVICES = ['tcp/22', 'tcp/80', 'udp/53', 'udp/123'] as const;
/** Ports probes use: every service's, and one nobody listens on (refused, or dropped first). */
const PROBE_PORTS = { tcp: [22, 80, 8080], udp: [53, 123, 999] } as const;
const CLIENT = { name: 'client', ip: '198.51.100.7', services: ['tcp/80', 'udp/53'] };

function randomRule(rng: Rng, groups: readonly string[], subnets: readonly string[]): Record<string, unknown> {
  const direction = chance(rng, 0.8) ? 'ingress' : 'egress';
  const proto = pick(rng, ['tcp', 'tcp', 'udp', 'icmp', 'any'] as const);
  const rule: Record<string, unknown> = { direction, protocol: proto };
  if (proto === 'tcp' || proto === 'udp') {
    const port = pick(rng, PROBE_PORTS[proto]);
    rule['ports'] = chance(rng, 0.2) ? `${port}-${port + 100}` : port;
  }
  if (proto === 'icmp' && chance(rng, 0.5)) rule['type'] = 8;
  const remote = rng.below(4);
  if (remote === 1) rule['remote_ip_prefix'] = pick(rng, [...subnets, '198.51.100.0/24', '203.0.113.0/24', '10.0.0.0/8']);
  else if (remote === 2 && groups.length) rule['remote_group'] = pick(rng, groups);
  return rule;
}

/** One random cloud and its probes. */
export function randomCase(seed: number): RandomCase {
  const rng = createRng(seed);
  const cidrs = ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24', '10.4.0.0/24'];
  const behind = chance(rng, 0.5); // a second router, reached over a transit subnet by static routes
  const edgeSubnets = behind ? ['s1'] : chance(rng, 0.5) ? ['s1', 's2'] : ['s1'];
  const innerSubnets = behind ? (chance(rng, 0.5) ? ['s3', 's4'] : ['s3']) : [];
  const subnets = [...edgeSubnets, ...innerSubnets];
  const cidrOf = (s: string) => cidrs[Number(s.slice(1)) - 1]!;

  const networks: Record<string, unknown> = {};
  for (const s of subnets) networks[`net-${s}`] = { subnets: { [s]: { cidr: cidrOf(s) } } };
  const routers: Record<string, unknown> = {};
  const snat = chance(rng, 0.6);
  const edge: Record<string, unknown> = { external_gateway: { network: 'public', snat }, interfaces: [...edgeSubnets] };
  if (behind) {
    networks['transit'] = { subnets: { core: { cidr: '10.50.0.0/29', gateway: null } } };
    (edge['interfaces'] as unknown[]).push({ subnet: 'core', ip: '10.50.0.1' });
    edge['routes'] = innerSubnets.map((s) => ({ destination: cidrOf(s), nexthop: '10.50.0.2' }));
    routers['inner'] = { interfaces: [...innerSubnets, { subnet: 'core', ip: '10.50.0.2' }], routes: [{ destination: '0.0.0.0/0', nexthop: '10.50.0.1' }] };
  }
  routers['edge'] = edge;

  const groupNames = ['g1', 'g2'].slice(0, 1 + rng.below(2));
  const securityGroups: Record<string, unknown> = {};
  // Neutron refuses a port with stateful and stateless groups both: one choice for the cloud.
  const stateless = chance(rng, 0.15);
  for (const g of groupNames) {
    const rules = Array.from({ length: 1 + rng.below(4) }, () => randomRule(rng, groupNames, subnets.map(cidrOf)));
    const group: Record<string, unknown> = { rules };
    if (stateless) group['stateful'] = false;
    if (chance(rng, 0.15)) group['default_egress'] = false;
    securityGroups[g] = group;
  }

  const instanceCount = 2 + rng.below(3);
  const instances: Record<string, unknown> = {};
  const names: string[] = [];
  for (let i = 1; i <= instanceCount; i++) {
    const name = `vm${i}`;
    names.push(name);
    const subnet = i === 1 ? edgeSubnets[0]! : pick(rng, subnets);
    const groups = groupNames.filter(() => chance(rng, 0.6));
    const services = SERVICES.filter(() => chance(rng, 0.5));
    instances[name] = { ports: [{ subnet, security_groups: groups.length ? groups : [groupNames[0]!] }], services };
  }
  // Floating IPs on instances the gateway router reaches directly (vm1 always: the hairpin case).
  const floating: Record<string, unknown> = {};
  const fipNames: string[] = [];
  for (const name of names) {
    const subnet = ((instances[name] as { ports: { subnet: string }[] }).ports[0]!).subnet;
    if (!edgeSubnets.includes(subnet) || (name !== 'vm1' && !chance(rng, 0.4))) continue;
    floating[`${name}-fip`] = { network: 'public', port: name };
    fipNames.push(`${name}-fip`);
  }

  const topology = {
    version: 1,
    name: `random-${seed}`,
    seed,
    external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.200' } },
    networks,
    routers,
    security_groups: securityGroups,
    instances,
    floating_ips: floating,
    external_hosts: { [CLIENT.name]: { ip: CLIENT.ip, services: CLIENT.services } },
  };

  const probes: RandomProbe[] = [];
  const probe = (from: string, to: string): RandomProbe => {
    const proto = pick(rng, ['icmp', 'tcp', 'tcp', 'udp'] as const);
    return proto === 'icmp' ? { from, to, proto } : { from, to, proto, port: pick(rng, PROBE_PORTS[proto]) };
  };
  const push = (p: RandomProbe) => {
    probes.push(p);
    // The reverse direction of a flow just opened: conntrack must not take it for the reply.
    if (chance(rng, 0.35) && p.to !== p.from && (names.includes(p.to) || p.to === CLIENT.name)) probes.push({ ...p, from: p.to, to: p.from });
  };
  push({ from: 'vm1', to: 'vm1-fip', proto: 'icmp' }); // hairpin to one's own floating IP
  const count = 8 + rng.below(6);
  for (let i = 0; i < count; i++) {
    const kind = rng.below(5);
    if (kind === 0 && fipNames.length) push(probe(pick(rng, [...names, CLIENT.name]), pick(rng, fipNames)));
    else if (kind === 1) push(probe(pick(rng, names), CLIENT.name));
    else push(probe(pick(rng, names), pick(rng, names)));
  }
  return { seed, topology, probes: probes.filter((p) => p.from !== p.to) };
}
