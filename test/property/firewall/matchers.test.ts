/**
 * The compiled matcher against the linear reference (DESIGN §4: "a plain linear evaluator is
 * kept as the reference the compiled one is property-tested against"), and the union semantics
 * both must keep: a port's groups are one set of allow rules, so whether a packet passes never
 * depends on rule order, and it passes exactly when some rule allows it. Rules and packets come
 * from `vnet/testing`'s arbitraries, biased to a small address pool and boundary ports so that
 * lookups often match (and often just miss); the last test checks that this still holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompiledMatcher } from '../../../src/firewall/compiled-matcher.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import type { Matcher } from '../../../src/firewall/matcher.js';
import type { PacketFields } from '../../../src/firewall/packet-fields.js';
import { ruleMatches, type GroupMembers, type MatchRule } from '../../../src/firewall/rule.js';
import { groupMembers, packetFields, packetFieldsNear, ruleSet } from '../../../src/testing/arbitraries.js';

/** Rule sets per property: 2,000 by default (each with up to 8 packets, both directions). */
const RUNS = Number(process.env['FIREWALL_RUNS'] ?? 2000);
const DIRECTIONS = ['ingress', 'egress'] as const;
/** Groups rules may name as remote_group; `ghost` never has members. */
const GROUPS = ['web', 'db', 'admin', 'ghost'];
const PORT_GROUPS = ['web', 'db'];

interface Scenario {
  readonly rules: MatchRule[];
  readonly members: GroupMembers;
  readonly packets: PacketFields[];
}

/**
 * A port's rules, the groups' members, and packets: some drawn freely, most aimed at one of the
 * rules (its protocol, a port at or beside its range's bounds, an address in or beside its remote).
 */
const scenario = (maxRules: number, maxPackets: number): fc.Arbitrary<Scenario> =>
  fc.record({
    rules: ruleSet({ portGroups: PORT_GROUPS, groups: GROUPS, maxLength: maxRules, size: maxRules > 16 ? 'max' : 'small' }),
    members: groupMembers(GROUPS.filter((g) => g !== 'ghost')),
  }).chain(({ rules, members }) => {
    const aimed = rules.length ? [{ weight: 3, arbitrary: fc.constantFrom(...rules).chain((r) => packetFieldsNear(r, members)) }] : [];
    const packet = fc.oneof({ weight: 1, arbitrary: packetFields() }, ...aimed);
    return fc.array(packet, { minLength: 1, maxLength: maxPackets, size: 'max' }).map((packets) => ({ rules, members, packets }));
  });

/** The reference answer: the first rule in union order that allows the packet. */
const firstMatch = (rules: readonly MatchRule[], f: PacketFields, d: 'ingress' | 'egress', members: GroupMembers): MatchRule | undefined =>
  rules.filter((r) => ruleMatches(r, f, d, members)).sort((a, b) => a.order - b.order)[0];

const name = (r: MatchRule | undefined): string => (r ? `#${r.order} ${r.group}[${r.index}] ${r.text}` : 'none');

describe('compiled matcher ≡ linear matcher', () => {
  it.each([
    { what: 'small rule sets (≤ 16 rules, ≤ 8 packets)', maxRules: 16, maxPackets: 8, runs: RUNS },
    { what: 'large rule sets (≤ 200 rules, ≤ 30 packets)', maxRules: 200, maxPackets: 30, runs: Math.ceil(RUNS / 20) },
  ])('names the same rule (by order) or none, both directions: $what', ({ maxRules, maxPackets, runs }) => {
    fc.assert(
      fc.property(scenario(maxRules, maxPackets), ({ rules, members, packets }) => {
        const linear = new LinearMatcher(rules, members);
        const compiled = new CompiledMatcher(rules, members);
        for (const f of packets) {
          for (const d of DIRECTIONS) {
            const want = linear.match(f, d);
            const got = compiled.match(f, d);
            if (got?.order !== want?.order) expect.fail(`${d} ${JSON.stringify(f, big)}: compiled ${name(got)}, linear ${name(want)}`);
          }
        }
      }),
      { numRuns: runs },
    );
  });
});

describe.each<[string, (rules: readonly MatchRule[], members: GroupMembers) => Matcher]>([
  ['linear', (r, m) => new LinearMatcher(r, m)],
  ['compiled', (r, m) => new CompiledMatcher(r, m)],
])('%s matcher keeps union semantics', (_, make) => {
  it('a verdict is the OR of ruleMatches over the rules, and names the first allowing rule', () => {
    fc.assert(
      fc.property(scenario(16, 8), ({ rules, members, packets }) => {
        const m = make(rules, members);
        for (const f of packets) {
          for (const d of DIRECTIONS) {
            const got = m.match(f, d);
            expect(got !== undefined).toBe(rules.some((r) => ruleMatches(r, f, d, members)));
            expect(got?.order).toBe(firstMatch(rules, f, d, members)?.order);
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('shuffling the rules (order renumbered) never changes whether a packet passes, only which rule is named', () => {
    const shuffled = scenario(16, 8).chain((s) =>
      fc.shuffledSubarray(s.rules, { minLength: s.rules.length }).map((perm) => ({ ...s, perm: perm.map((r, order) => ({ ...r, order })) })));
    fc.assert(
      fc.property(shuffled, ({ rules, perm, members, packets }) => {
        const a = make(rules, members);
        const b = make(perm, members);
        for (const f of packets) {
          for (const d of DIRECTIONS) {
            const ra = a.match(f, d);
            const rb = b.match(f, d);
            expect(rb !== undefined).toBe(ra !== undefined);
            // The rule named after shuffling is still one that allows the packet.
            if (rb) expect(ruleMatches(rb, f, d, members)).toBe(true);
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe('the generated cases are not vacuous', () => {
  it('a fair share of the lookups match (about 1 in 5, half of them in the direction a packet was aimed at), with every kind of remote, protocol, port range and ICMP type among the matches', () => {
    const seen = { lookups: 0, matched: 0, byRemote: new Map<string, number>(), byProto: new Map<number, number>(), ranged: 0, icmpTyped: 0 };
    for (const { rules, members, packets } of fc.sample(scenario(16, 8), { numRuns: 1000, seed: 1 })) {
      const linear = new LinearMatcher(rules, members);
      for (const f of packets) {
        for (const d of DIRECTIONS) {
          const r = linear.match(f, d);
          seen.lookups++;
          if (!r) continue;
          seen.matched++;
          const kind = r.remote.kind === 'prefix' ? `prefix/${r.remote.prefix.length === (r.version === 4 ? 32 : 128) ? 'host' : 'net'}` : r.remote.kind;
          seen.byRemote.set(kind, (seen.byRemote.get(kind) ?? 0) + 1);
          seen.byProto.set(r.proto, (seen.byProto.get(r.proto) ?? 0) + 1);
          if (r.portFrom > 0 && r.portTo < 65535) seen.ranged++;
          if (r.icmpType >= 0) seen.icmpTyped++;
        }
      }
    }
    if (process.env['FIREWALL_STATS']) console.log(seen);
    const share = seen.matched / seen.lookups;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.9);
    for (const kind of ['any', 'prefix/net', 'prefix/host', 'group']) expect(seen.byRemote.get(kind) ?? 0, kind).toBeGreaterThan(20);
    for (const proto of [-1, 1, 6, 17, 58]) expect(seen.byProto.get(proto) ?? 0, `proto ${proto}`).toBeGreaterThan(20);
    expect([...seen.byProto.keys()].some((p) => ![-1, 1, 6, 17, 58].includes(p)), 'another protocol number').toBe(true);
    expect(seen.ranged).toBeGreaterThan(20);
    expect(seen.icmpTyped).toBeGreaterThan(20);
  });
});

/** JSON.stringify replacer for bigint addresses. */
function big(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
