/**
 * A remote key's candidate list alone: the first rule, in union order and below a bound, whose
 * protocol part matches the packet — scanned when short, through the protocol index when long
 * (more than INDEXED_LENGTH rules) — against a plain scan with rule.ts's protocolMatches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidateList, INDEXED_LENGTH } from '../../../src/firewall/candidate-list.js';
import { PROTO } from '../../../src/firewall/packet-fields.js';
import { protocolMatches, type MatchRule } from '../../../src/firewall/rule.js';
import { matchRule, packetFields, packetFieldsNear } from '../../../src/testing/arbitraries.js';

/** Rules of one version and direction (a bucket's), numbered in union order with gaps. */
const rules = (version: 4 | 6, maxLength: number) =>
  fc.array(fc.tuple(matchRule({ ethertype: version === 4 ? 'IPv4' : 'IPv6', direction: 'ingress' }), fc.integer({ min: 1, max: 3 })), { maxLength, size: 'max' })
    .map((drawn) => {
      let order = 0;
      return drawn.map(([r, gap]): MatchRule => ({ ...r, order: (order += gap) }));
    });

describe('CandidateList.first ≡ the first rule whose protocol part matches, below the bound', () => {
  for (const [what, maxLength] of [['short lists (scanned)', INDEXED_LENGTH], ['long lists (indexed)', 60]] as const) {
    it.each([4, 6] as const)(`${what}, IPv%s`, (version) => {
      const scenario = rules(version, maxLength).chain((rs) => fc.tuple(
        fc.constant(rs),
        rs.length ? fc.oneof(fc.constantFrom(...rs).chain((r) => packetFieldsNear(r)), packetFields({ version })) : packetFields({ version }),
        fc.oneof(fc.constant(Infinity), fc.nat(200)),
      ));
      fc.assert(
        fc.property(scenario, ([rs, f, bound]) => {
          const want = rs.find((r) => r.order < bound && protocolMatches(r, f));
          expect(new CandidateList(rs, version === 4 ? PROTO.icmp : PROTO.icmpv6).first(f, bound)?.order).toBe(want?.order);
        }),
        { numRuns: 1000 },
      );
    });
  }

  it('its min is the first rule\'s order (an empty list never answers)', () => {
    expect(new CandidateList([], PROTO.icmp).min).toBe(Infinity);
    const [r] = fc.sample(matchRule({ ethertype: 'IPv4', order: 7 }), { numRuns: 1, seed: 3 });
    expect(new CandidateList([r!], PROTO.icmp).min).toBe(7);
  });
});
