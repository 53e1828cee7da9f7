/**
 * PortIndex (src/firewall/port-index.ts) against a scan: after any mix of rules for every port,
 * one port and port ranges (edges 0, 1, 65534 and 65535 included), added in any order, the
 * lookup of any port is the rule of lowest order whose range holds it, or none.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortIndex } from '../../../src/firewall/port-index.js';
import type { MatchRule } from '../../../src/firewall/rule.js';

const rule = (order: number, portFrom: number, portTo: number) => ({ order, portFrom, portTo }) as MatchRule;

/** Ports near the edges and a small window where ranges overlap. */
const port = fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constantFrom(0, 1, 65533, 65534, 65535), fc.integer({ min: 0, max: 65535 }));
const range = fc.oneof(
  fc.constant([0, 65535] as const),
  port.map((p) => [p, p] as const),
  fc.tuple(port, port).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
);

function built(rules: readonly MatchRule[]): PortIndex {
  const index = new PortIndex();
  for (const r of rules) index.add(r);
  index.build();
  return index;
}

const scan = (rules: readonly MatchRule[], p: number) => rules.filter((r) => r.portFrom <= p && p <= r.portTo).sort((a, b) => a.order - b.order)[0];

describe('PortIndex', () => {
  it('finds the lowest-order rule holding the port, whatever the rules and their order of addition (property, 500 runs)', () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 12 }), fc.array(port, { minLength: 1, maxLength: 30 }), fc.infiniteStream(fc.nat()), (ranges, probes, shuffle) => {
      // Distinct orders, added in a shuffled order.
      const rules = ranges.map(([from, to], i) => rule(i, from, to));
      const added = [...rules].map((r) => [shuffle.next().value, r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
      const index = built(added);
      for (const p of [...probes, 0, 1, 65534, 65535]) expect(index.lookup(p)).toBe(scan(rules, p));
    }), { numRuns: 500 });
  });

  it('examples: every port, one port, a range and its edges, nothing', () => {
    const all = rule(5, 0, 65535);
    const ssh = rule(2, 22, 22);
    const high = rule(1, 1024, 65535);
    const low = rule(3, 1, 1023);
    const index = built([all, ssh, high, low]);
    expect([0, 1, 22, 23, 1023, 1024, 65535].map((p) => index.lookup(p))).toEqual([all, low, ssh, low, low, high, high]);
    expect(built([]).lookup(80)).toBeUndefined();
    expect(built([ssh]).lookup(22)).toBe(ssh);
    expect(built([ssh]).lookup(21)).toBeUndefined();
    expect(built([rule(0, 10, 20)]).lookup(21)).toBeUndefined();
    expect(built([rule(0, 10, 20)]).lookup(9)).toBeUndefined();
  });

  it('two rules for the same port or for every port: the earlier wins, whichever was added first', () => {
    const a = rule(1, 80, 80);
    const b = rule(4, 80, 80);
    expect(built([b, a]).lookup(80)).toBe(a);
    expect(built([a, b]).lookup(80)).toBe(a);
    const c = rule(2, 0, 65535);
    const d = rule(3, 0, 65535);
    expect(built([d, c]).lookup(7)).toBe(c);
    expect(built([c, d]).lookup(7)).toBe(c);
  });
});
