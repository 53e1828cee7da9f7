/**
 * A rule the audit reports redundant can go: removing every reported rule at once (or any one of
 * them) changes no verdict — for every port, packet and direction, some rule of the port's groups
 * allows the packet before exactly when one does after (ruleMatches, the reference semantics).
 * Rules come from `vnet/testing`'s arbitraries plus narrowed copies of them (a sub-range, a
 * longer prefix, a type, a protocol instead of any, or nothing changed: a duplicate), placed in
 * the same or another group, so that coverage is common; packets are mostly aimed at a rule.
 * The second property does the same through YAML, the loader and findRedundantRules, so rule
 * numbering (default egress rules first) and paths are covered too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRedundantRules, redundantRules } from '../../../src/audit/redundant-rules.js';
import { groupMembers as membersOf, portRules } from '../../../src/firewall/install.js';
import type { PacketFields } from '../../../src/firewall/packet-fields.js';
import { ruleMatches, toMatchRule, type GroupMembers, type MatchRule } from '../../../src/firewall/rule.js';
import { formatCidr, maskOf } from '../../../src/address/cidr.js';
import { groupMembers, ipValue, packetFields, packetFieldsNear, portNumber, securityGroupRule, icmpType, icmpCode } from '../../../src/testing/arbitraries.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { SecurityGroupRule } from '../../../src/topology/model.js';

const RUNS = Number(process.env['AUDIT_RUNS'] ?? 400);
const SEED = Number(process.env['FC_SEED'] ?? 20_251_125);
const GROUPS = ['g0', 'g1', 'g2', 'g3'];
const DIRECTIONS = ['ingress', 'egress'] as const;

/** A copy of `r` that matches a subset of what r matches (possibly all of it). */
function narrowed(r: SecurityGroupRule): fc.Arbitrary<SecurityGroupRule> {
  const version = r.ethertype === 'IPv4' ? 4 : 6;
  return fc.record({
    ops: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    a: portNumber(), b: portNumber(), t: icmpType(version), c: icmpCode(),
    host: ipValue(version), extra: fc.integer({ min: 0, max: version === 4 ? 32 : 128 }),
  }).map(({ ops, a, b, t, c, host, extra }) => {
    let n: SecurityGroupRule = { ...r };
    if (ops[0] && n.protocol === 'any') n = { ...n, protocol: a % 2 ? 'tcp' : version === 4 ? 'icmp' : 'icmpv6' };
    if (ops[1] && (n.protocol === 'tcp' || n.protocol === 'udp')) {
      const from = n.ports?.from ?? 1;
      const to = n.ports?.to ?? 65535;
      const lo = from + (a % (to - from + 1));
      const hi = lo + (b % (to - lo + 1));
      n = { ...n, ports: lo === 1 && hi === 65535 ? null : { from: lo, to: hi } };
    }
    if (ops[2] && (n.protocol === 'icmp' || n.protocol === 'icmpv6')) n = n.icmpType === null ? { ...n, icmpType: t } : n.icmpCode === null ? { ...n, icmpCode: c } : n;
    if (ops[3] && n.remoteGroup === null) {
      const bits = version === 4 ? 32 : 128;
      const len = Math.min(bits, (n.remoteIpPrefix?.cidr.prefix ?? 0) + extra);
      const base = n.remoteIpPrefix?.cidr.network ?? 0n;
      const hostBits = BigInt(host) & ~maskOf(version, n.remoteIpPrefix?.cidr.prefix ?? 0) & ((1n << BigInt(bits)) - 1n);
      const cidr = { version, prefix: len, network: (base | hostBits) & maskOf(version, len) } as const;
      n = { ...n, remoteIpPrefix: { text: formatCidr(cidr), cidr } };
    }
    return n;
  });
}

/** Rules placed in groups: fresh ones, and narrowed copies of earlier ones in any group. */
const placedRules = (maxLength: number): fc.Arbitrary<{ group: number; rule: SecurityGroupRule }[]> =>
  fc.array(fc.tuple(fc.nat({ max: GROUPS.length - 1 }), securityGroupRule({ groups: GROUPS }), fc.option(fc.nat(), { freq: 2 })), { minLength: 1, maxLength })
    .chain((drawn) => {
      const out: fc.Arbitrary<{ group: number; rule: SecurityGroupRule }>[] = [];
      drawn.forEach(([group, fresh, copyOf], i) => {
        if (copyOf === null || i === 0) out.push(fc.constant({ group, rule: fresh }));
        else out.push(fc.constant(drawn[copyOf % i]![1]).chain((r) => narrowed(r)).map((rule) => ({ group, rule })));
      });
      // Copies of one fresh rule, each narrowed its own way, also cover one another (or are equal).
      return fc.tuple(...out);
    });

/** Each port: a non-empty list of groups in some order. */
const portGroupLists = fc.array(fc.shuffledSubarray(GROUPS, { minLength: 1 }), { minLength: 1, maxLength: 4 });

interface Scenario {
  readonly groups: Map<string, MatchRule[]>;
  readonly ports: string[][];
  readonly members: GroupMembers;
  readonly packets: PacketFields[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({ placed: placedRules(14), ports: portGroupLists, members: groupMembers(GROUPS) })
  .chain(({ placed, ports, members }) => {
    const groups = new Map<string, MatchRule[]>(GROUPS.map((g) => [g, []]));
    for (const { group, rule } of placed) {
      const list = groups.get(GROUPS[group]!)!;
      list.push(toMatchRule(GROUPS[group]!, { ...rule, index: list.length }, list.length));
    }
    const all = [...groups.values()].flat();
    const packet = fc.oneof({ weight: 1, arbitrary: packetFields() }, { weight: 4, arbitrary: fc.constantFrom(...all).chain((r) => packetFieldsNear(r, members)) });
    return fc.array(packet, { minLength: 1, maxLength: 40 }).map((packets) => ({ groups, ports, members, packets }));
  });

const allowed = (rules: readonly MatchRule[], f: PacketFields, d: 'ingress' | 'egress', members: GroupMembers) => rules.some((r) => ruleMatches(r, f, d, members));
const key = (r: MatchRule) => `${r.group}#${r.index}`;

/** Every port, packet and direction decides the same with and without the removed rules. */
function sameVerdicts(s: Scenario, removed: ReadonlySet<string>): void {
  for (const port of s.ports) {
    const before = port.flatMap((g) => s.groups.get(g)!);
    const after = before.filter((r) => !removed.has(key(r)));
    for (const f of s.packets) {
      for (const d of DIRECTIONS) {
        if (allowed(before, f, d, s.members) !== allowed(after, f, d, s.members)) {
          throw new Error(`port [${port.join(', ')}] ${d}: removing ${[...removed].join(', ')} changes the verdict for ${JSON.stringify(f, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
      }
    }
  }
}

describe('redundant rules can be removed without changing any verdict', () => {
  it('all reported rules at once, and each one alone', () => {
    fc.assert(fc.property(scenario, (s) => {
      const found = redundantRules(s.groups, s.ports);
      // A reported rule's coverer is in force on every port its group is on.
      for (const r of found) for (const port of s.ports) if (port.includes(r.rule.group)) expect(port).toContain(r.by.group);
      sameVerdicts(s, new Set(found.map((r) => key(r.rule))));
      for (const r of found) sameVerdicts(s, new Set([key(r.rule)]));
    }), { numRuns: RUNS, seed: SEED });
  });

  it('the generators make redundancy common, within groups and across them', () => {
    const samples = fc.sample(scenario, { numRuns: 300, seed: SEED });
    const found = samples.map((s) => redundantRules(s.groups, s.ports));
    expect(found.filter((f) => f.some((r) => r.by.group === r.rule.group)).length).toBeGreaterThan(60);
    expect(found.filter((f) => f.some((r) => r.by.group !== r.rule.group)).length).toBeGreaterThan(15);
    expect(found.filter((f) => f.some((r) => r.duplicate)).length).toBeGreaterThan(15);
  });
});

// ---- Through the loader --------------------------------------------------------------------

function ruleYaml(r: SecurityGroupRule): string {
  const parts = [`direction: ${r.direction}`, `ethertype: ${r.ethertype}`, `protocol: ${r.protocol}`];
  if (r.ports) parts.push(`ports: "${r.ports.from}-${r.ports.to}"`);
  if (r.icmpType !== null) parts.push(`type: ${r.icmpType}`);
  if (r.icmpCode !== null) parts.push(`code: ${r.icmpCode}`);
  if (r.remoteIpPrefix) parts.push(`remote_ip_prefix: "${r.remoteIpPrefix.text}"`);
  if (r.remoteGroup !== null) parts.push(`remote_group: ${r.remoteGroup}`);
  return `      - { ${parts.join(', ')} }`;
}

const topology = fc.record({ placed: placedRules(10), ports: portGroupLists, noDefault: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }) }).map(({ placed, ports, noDefault }) => {
  const groups = GROUPS.map((g, i) => {
    const rules = placed.filter((p) => p.group === i).map((p) => ruleYaml(p.rule));
    return `  ${g}:\n    default_egress: ${!noDefault[i]}\n    rules:${rules.length ? `\n${rules.join('\n')}` : ' []'}`;
  });
  const instances = ports.map((gs, i) => `  i${i}: { ports: [{ subnet: v4, security_groups: [${gs.join(', ')}] }] }`);
  return `version: 1
networks: { lan: { subnets: { v4: { cidr: 10.0.0.0/24 }, v6: { cidr: "2001:db8::/64", ipv6_address_mode: slaac } } } }
security_groups:
${groups.join('\n')}
instances:
${instances.join('\n')}
`;
});

describe('through the loader: findRedundantRules on a parsed topology', () => {
  it('removing the rules its findings name (by group and model index) changes no verdict on any instance port', () => {
    fc.assert(fc.property(topology, fc.array(packetFields({ pool: [10 * 2 ** 24 + 2, 10 * 2 ** 24 + 3, 10 * 2 ** 24 + 4, 0x20010db8n << 96n] }), { minLength: 1, maxLength: 20 }), (yaml, extra) => {
      const loaded = parseTopology(yaml, 'gen.yaml');
      if (!loaded.ok) throw new Error(`generated topology does not load:\n${loaded.issues.map(formatIssue).join('\n')}\n${yaml}`);
      const cloud = loaded.cloud;
      const members = membersOf(cloud);
      const findings = findRedundantRules(cloud);
      const removed = new Set(findings.map((f) => `${f.group}#${f.rule}`));
      for (const f of findings) {
        const g = cloud.securityGroups.get(f.group!)!;
        const r = g.rules[f.rule!]!;
        expect(r.origin).toBe('file');
        expect(f.path).toEqual(['security_groups', f.group, 'rules', g.rules.filter((x) => x.origin === 'file').indexOf(r)]);
      }
      for (const port of cloud.ports.values()) {
        if (!port.portSecurity) continue;
        const before = portRules(cloud, port.securityGroups);
        const after = before.filter((r) => !removed.has(key(r)));
        const packets = [...extra, ...before.flatMap((r) => fc.sample(packetFieldsNear(r, members), { numRuns: 3, seed: r.order }))];
        for (const p of packets) for (const d of DIRECTIONS) expect(allowed(after, p, d, members)).toBe(allowed(before, p, d, members));
      }
    }), { numRuns: Math.ceil(RUNS / 4), seed: SEED });
  });
});
