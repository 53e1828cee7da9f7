/**
 * Stateful and stateless security groups, end to end through the simulator (DESIGN §4; Neutron's
 * OVS firewall commits allowed flows to conntrack, so replies and related ICMP errors pass
 * without rules; a `stateful: false` group needs a rule for its replies). Each case is a small
 * topology written as YAML (two-instances.ts): `a` probes `b`; b's group allows ingress with one
 * random rule and a's group has no ingress rule (stateless: maybe one random rule), or a's group
 * has one random egress rule and nothing else while b is open.
 * What the firewall must decide is computed independently with `ruleMatches` on the packets the
 * host stacks send (RFC 9293 SYN-ACK/RST, RFC 768 datagram, RFC 792/4443 echo reply and port
 * unreachable).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { listening as listeningOn } from '../../../src/l3/host-stack.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { groupMembers as membersOf, portRules } from '../../../src/firewall/install.js';
import { PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import { ruleMatches, toMatchRule } from '../../../src/firewall/rule.js';
import { ICMP, echoReplyType, echoRequestType } from '../../../src/packet/frame.js';
import type { Cloud, SecurityGroupRule } from '../../../src/topology/model.js';
import type { Verdict } from '../../../src/trace/verdict.js';
import { portNumber, securityGroupRule } from '../../../src/testing/arbitraries.js';
import { A, B, GROUPS, POOL, POOL_A, POOL_B, load, twoInstancesYaml, type GroupSpec } from './two-instances.js';

/** Cases per property; each loads a topology and runs probes through two simulators. */
const RUNS = Number(process.env['FIREWALL_SIM_RUNS'] ?? 300);
/** The ephemeral port of a's first TCP/UDP probe (HostNode counts from 40000). */
const EPHEMERAL = 40001;

type Proto = 'tcp' | 'udp' | 'icmp';

interface Probe {
  readonly version: 4 | 6;
  readonly proto: Proto;
  readonly port: number;
  /** b listens on the probe's protocol and port. */
  readonly listens: boolean;
}

/** A probe from a to b: often aimed at the rule's protocol and port range edges. */
const probeFor = (rule: SecurityGroupRule, version: 4 | 6): fc.Arbitrary<Probe> => {
  const aimed = rule.protocol === 'tcp' || rule.protocol === 'udp' ? rule.protocol : rule.protocol === 'icmp' || rule.protocol === 'icmpv6' ? 'icmp' : undefined;
  const proto = fc.oneof(...(aimed ? [{ weight: 4, arbitrary: fc.constant<Proto>(aimed) }] : []), { weight: 1, arbitrary: fc.constantFrom<Proto>('tcp', 'udp', 'icmp') });
  const edges = rule.ports ? [rule.ports.from - 1, rule.ports.from, rule.ports.to, rule.ports.to + 1].filter((p) => p >= 1 && p <= 65535) : [];
  const port = rule.ports
    ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...edges) }, { weight: 2, arbitrary: fc.integer({ min: rule.ports.from, max: rule.ports.to }) }, { weight: 1, arbitrary: portNumber() })
    : portNumber();
  return fc.record({ version: fc.constant(version), proto, port, listens: fc.boolean() });
};

/** b's ingress rule (its ethertype mostly the probe's), and a probe aimed at it. */
const serverCase = fc.constantFrom<4 | 6>(4, 6).chain((version) =>
  fc.oneof({ weight: 5, arbitrary: fc.constant(version === 4 ? 'IPv4' as const : 'IPv6' as const) }, { weight: 1, arbitrary: fc.constantFrom('IPv4' as const, 'IPv6' as const) })
    .chain((ethertype) => securityGroupRule({ direction: 'ingress', ethertype, groups: GROUPS, pool: POOL_A }))
    .chain((rule) => fc.record({ rule: fc.constant(rule), probe: probeFor(rule, version) })));

/**
 * a's ingress rule in a stateless case: a random one of the probe's ethertype, or one aimed at b's
 * reply (its protocol, the ephemeral port or a range around it, from b's address, prefix or group).
 */
const replyRule = (p: Probe): fc.Arbitrary<SecurityGroupRule> => {
  const ethertype = p.version === 4 ? 'IPv4' as const : 'IPv6' as const;
  const random = securityGroupRule({ direction: 'ingress', ethertype, groups: GROUPS, pool: POOL_B });
  const icmp = p.version === 4 ? 'icmp' as const : 'icmpv6' as const;
  const aimed = random.chain((r) => fc.record({
    protocol: fc.constantFrom(p.proto === 'icmp' ? icmp : p.proto, icmp, 'any' as const),
    ports: fc.constantFrom(null, { from: EPHEMERAL, to: EPHEMERAL }, { from: 32768, to: 60999 }, { from: 1, to: 1024 }),
    remote: fc.constantFrom({ remoteIpPrefix: null, remoteGroup: 'server' }, { remoteIpPrefix: null, remoteGroup: null }, r.remoteIpPrefix ? { remoteIpPrefix: r.remoteIpPrefix, remoteGroup: null } : { remoteIpPrefix: null, remoteGroup: 'client' }),
  }).map(({ protocol, ports, remote }): SecurityGroupRule => ({
    ...r, ...remote, protocol, ports: protocol === 'tcp' || protocol === 'udp' ? ports : null,
    icmpType: protocol === icmp ? r.icmpType : null, icmpCode: protocol === icmp ? r.icmpCode : null,
  })));
  return fc.oneof(random, aimed);
};

const servicesOf = (p: Probe, others: readonly string[]): string[] =>
  [...(p.listens && p.proto !== 'icmp' ? [`${p.proto}/${p.port}`] : []), ...others];
const otherServices = fc.subarray(['tcp/22', 'tcp/80', 'udp/53', 'tcp/8000-8080', 'udp/65535']);

/** The packet a sends (first probe from a). */
function forwardFields(p: Probe): PacketFields {
  const icmp = p.proto === 'icmp';
  return {
    version: p.version, proto: icmp ? (p.version === 4 ? PROTO.icmp : PROTO.icmpv6) : PROTO[p.proto], src: A[p.version], dst: B[p.version],
    dport: icmp ? -1 : p.port, sport: icmp ? -1 : EPHEMERAL, icmpType: icmp ? echoRequestType(p.version) : -1, icmpCode: icmp ? 0 : -1,
  };
}

/** What b's stack sends back: SYN-ACK or RST-ACK, a datagram or port unreachable, an echo reply. */
function replyFields(p: Probe, listening: boolean): PacketFields {
  const base = { version: p.version, src: B[p.version], dst: A[p.version] };
  const icmpProto = p.version === 4 ? PROTO.icmp : PROTO.icmpv6;
  if (p.proto === 'icmp') return { ...base, proto: icmpProto, dport: -1, sport: -1, icmpType: echoReplyType(p.version), icmpCode: 0 };
  if (p.proto === 'udp' && !listening) {
    const t = p.version === 4 ? { type: ICMP.v4.unreachable, code: ICMP.v4.codes.port } : { type: ICMP.v6.unreachable, code: ICMP.v6.codes.port };
    return { ...base, proto: icmpProto, dport: -1, sport: -1, icmpType: t.type, icmpCode: t.code };
  }
  return { ...base, proto: PROTO[p.proto], dport: EPHEMERAL, sport: p.port, icmpType: -1, icmpCode: -1 };
}

/** b's own answer to the probe's protocol and port, per its services. */
const listeningOnB = (cloud: Cloud, p: Probe) => (p.proto === 'icmp' ? undefined : listeningOn(cloud.instances.get('b')!.services, p.proto, p.port));

const allows = (cloud: Cloud, group: string, f: PacketFields): boolean => {
  const members = membersOf(cloud);
  return portRules(cloud, [group]).some((r) => ruleMatches(r, f, 'ingress', members));
};

function probe(cloud: Cloud, p: Probe, firewall: 'compiled' | 'linear', times = 1): Verdict[] {
  const sim = new Simulator(cloud, { firewall });
  return Array.from({ length: times }, () => sim.probe({ from: 'instance:a', to: B[p.version], proto: p.proto, port: p.port }));
}

const brief = (v: Verdict) => ({ verdict: v.verdict, reply: v.reply, drop: v.drop?.stage ?? null });
const counts = new Map<string, number>();
const tally = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
/** FIREWALL_STATS=1 prints how often each kind of case came up. */
afterAll(() => {
  if (process.env['FIREWALL_STATS']) console.log(counts);
});

describe('rules from vnet/testing are valid topology rules', () => {
  it('every securityGroupRule() loads from a file and resolves to the same rule', () => {
    fc.assert(
      fc.property(fc.array(securityGroupRule({ groups: GROUPS, pool: POOL }), { maxLength: 6 }), (rules) => {
        const cloud = load(twoInstancesYaml({ rules: [], defaultEgress: false }, { rules, defaultEgress: false }, []));
        const strip = ({ text: _t, index: _i, ...r }: SecurityGroupRule) => r;
        expect(cloud.securityGroups.get('server')!.rules.map(strip)).toEqual(rules.map(strip));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('stateful groups: what is allowed one way gets its replies back', () => {
  it('a (no ingress rules) → b (one random ingress rule): a probe b accepts or refuses is answered, one b drops is not', () => {
    fc.assert(
      fc.property(serverCase, otherServices, fc.boolean(), ({ rule, probe: p }, others, serverEgress) => {
        const services = servicesOf(p, others);
        // b may have no egress rule at all: its replies then leave only through conntrack.
        const cloud = load(twoInstancesYaml({ rules: [] }, { rules: [rule], defaultEgress: serverEgress }, services));
        const allowed = allows(cloud, 'server', forwardFields(p));
        const [first, second] = probe(cloud, p, 'compiled', 2);
        const [linear] = probe(cloud, p, 'linear');
        tally(`${allowed ? 'allowed' : 'dropped'} ${p.proto}`);
        if (allowed) {
          expect(['delivered', 'refused'], first!.reason).toContain(first!.verdict);
          expect(first!.reply, `no reply: ${first!.reason}`).toBe(true);
        } else {
          expect(brief(first!)).toEqual({ verdict: 'dropped', reply: false, drop: 'sg.ingress' });
        }
        // The same probe again (a's flow table and caches warm) and the linear matcher agree.
        expect(brief(second!)).toEqual(brief(first!));
        expect(brief(linear!)).toEqual(brief(first!));
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: every protocol was both allowed and dropped.
    for (const k of ['allowed tcp', 'allowed udp', 'allowed icmp', 'dropped tcp', 'dropped udp', 'dropped icmp']) expect(counts.get(k) ?? 0, k).toBeGreaterThan(RUNS / 100);
  });

  it('a (one random egress rule, nothing else) → b (open): what a\'s egress allows is answered through a\'s flow table', () => {
    const open = (ethertype: 'IPv4' | 'IPv6'): SecurityGroupRule => ({
      index: 0, origin: 'file', direction: 'ingress', ethertype, protocol: 'any', ports: null, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: null, text: '',
    });
    const clientCase = fc.constantFrom<4 | 6>(4, 6).chain((version) =>
      fc.oneof({ weight: 5, arbitrary: fc.constant(version === 4 ? 'IPv4' as const : 'IPv6' as const) }, { weight: 1, arbitrary: fc.constantFrom('IPv4' as const, 'IPv6' as const) })
        .chain((ethertype) => securityGroupRule({ direction: 'egress', ethertype, groups: GROUPS, pool: POOL_B }))
        .chain((rule) => fc.record({ rule: fc.constant(rule), probe: probeFor(rule, version) })));
    fc.assert(
      fc.property(clientCase, otherServices, ({ rule, probe: p }, others) => {
        const cloud = load(twoInstancesYaml({ rules: [rule], defaultEgress: false }, { rules: [open('IPv4'), open('IPv6')], defaultEgress: false }, servicesOf(p, others)));
        const members = membersOf(cloud);
        const allowed = portRules(cloud, ['client']).some((r) => ruleMatches(r, forwardFields(p), 'egress', members));
        const [v] = probe(cloud, p, 'compiled');
        const [linear] = probe(cloud, p, 'linear');
        tally(`egress ${allowed ? 'allowed' : 'dropped'}`);
        if (allowed) expect(brief(v!)).toEqual({ verdict: listeningOnB(cloud, p) || p.proto === 'icmp' ? 'delivered' : 'refused', reply: true, drop: null });
        else expect(v).toMatchObject({ verdict: 'dropped', reply: false, drop: { node: 'instance:a', stage: 'sg.egress' } });
        expect(brief(linear!)).toEqual(brief(v!));
      }),
      { numRuns: RUNS },
    );
    for (const k of ['egress allowed', 'egress dropped']) expect(counts.get(k) ?? 0, k).toBeGreaterThan(RUNS / 20);
  });

  it('an ICMP port unreachable about an allowed UDP flow gets back to a as related (RFC 792/4443), for IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.constantFrom<4 | 6>(4, 6), portNumber(), (version, port) => {
        const rule: SecurityGroupRule = {
          index: 0, origin: 'file', direction: 'ingress', ethertype: version === 4 ? 'IPv4' : 'IPv6', protocol: 'udp',
          ports: { from: port, to: port }, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: 'client', text: '',
        };
        const cloud = load(twoInstancesYaml({ rules: [] }, { rules: [rule], defaultEgress: false }, []));
        const [v] = probe(cloud, { version, proto: 'udp', port, listens: false }, 'compiled');
        expect(brief(v!)).toEqual({ verdict: 'refused', reply: true, drop: null });
        const back = v!.events.filter((e) => e.direction === 'reply' && (e.stage === 'sg.egress' || e.stage === 'sg.ingress'));
        expect(back.map((e) => [e.node, e.stage, e.action, e.detail['ct']])).toEqual([
          ['instance:b', 'sg.egress', 'allow', 'related'],
          ['instance:a', 'sg.ingress', 'allow', 'related'],
        ]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('stateless groups (stateful: false): replies need their own rule', () => {
  it('a reply reaches a exactly when b allowed the probe and a rule of a allows the reply', () => {
    const withClientRule = serverCase.chain((c) => fc.record({ c: fc.constant(c), mine: fc.option(replyRule(c.probe), { freq: 4 }) }));
    fc.assert(
      fc.property(withClientRule, otherServices, ({ c: { rule, probe: p }, mine }, others) => {
        const services = servicesOf(p, others);
        const stateless = (rules: SecurityGroupRule[]): GroupSpec => ({ rules, stateful: false });
        const cloud = load(twoInstancesYaml(stateless(mine ? [mine] : []), stateless([rule]), services));
        const allowed = allows(cloud, 'server', forwardFields(p));
        const listening = p.proto === 'icmp' || listeningOnB(cloud, p) !== undefined;
        const replyAllowed = mine !== null && ruleMatches(toMatchRule('client', mine, 0), replyFields(p, listening), 'ingress', membersOf(cloud));
        const [v] = probe(cloud, p, 'compiled');
        const [linear] = probe(cloud, p, 'linear');
        tally(`stateless ${allowed ? 'allowed' : 'dropped'} ${replyAllowed ? 'answered' : 'unanswered'}`);
        expect(v!.verdict).toBe(allowed ? (listening ? 'delivered' : 'refused') : 'dropped');
        expect(v!.reply, v!.reason).toBe(allowed && replyAllowed);
        if (allowed && !replyAllowed) {
          // The reply is dropped at a's port, by a's (empty or non-matching) rules, untracked.
          const drop = v!.events.find((e) => e.direction === 'reply' && e.stage === 'sg.ingress' && e.action === 'drop');
          expect(drop?.node).toBe('instance:a');
          expect(drop?.detail['ct']).toBe('untracked');
        }
        expect(brief(linear!)).toEqual(brief(v!));
      }),
      { numRuns: RUNS },
    );
    for (const k of ['stateless allowed answered', 'stateless allowed unanswered', 'stateless dropped unanswered']) expect(counts.get(k) ?? 0, k).toBeGreaterThan(RUNS / 100);
  });
});
