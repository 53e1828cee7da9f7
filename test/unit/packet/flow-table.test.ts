/**
 * The flow table (src/packet/flow-table.ts) against a Map keyed by the tuple's text: any
 * sequence of sets and deletes (IPv4 and IPv6, enough flows to force the hash index to grow and
 * compact) leaves the same contents, in insertion order, and the same size.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowTable, type FlowKey } from '../../../src/packet/flow-table.js';

const tuple: fc.Arbitrary<FlowKey> = fc.record({
  proto: fc.constantFrom(1, 6, 17),
  // Few distinct values, so that sets hit existing keys and deletes find something.
  src: fc.oneof(fc.constantFrom(0x0a000002, 0x0a000103, 0xffffffff, 0), fc.constantFrom(0x20010db8n << 96n, 1n)),
  sport: fc.constantFrom(0, 1, 40001, 65535),
  dst: fc.oneof(fc.constantFrom(0x0a000002, 0xc0a80001), fc.constantFrom(2n)),
  dport: fc.constantFrom(0, 22, 65535),
});
const text = (t: FlowKey): string => `${t.proto}|${String(t.src)}|${t.sport}|${String(t.dst)}|${t.dport}`;

type Op = { op: 'set'; t: FlowKey; v: number } | { op: 'delete'; t: FlowKey } | { op: 'sweep'; below: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), t: tuple, v: fc.nat(100) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), t: tuple }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const), below: fc.nat(100) }) },
);

describe('FlowTable', () => {
  it('agrees with a Map model on contents, order and size', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const table = new FlowTable<{ v: number }>();
        const model = new Map<string, { t: FlowKey; v: { v: number } }>();
        for (const o of ops) {
          if (o.op === 'set') {
            const v = { v: o.v };
            table.set(o.t, v);
            const old = model.get(text(o.t));
            if (old) old.v = v;
            else model.set(text(o.t), { t: o.t, v });
          } else if (o.op === 'delete') {
            table.delete(o.t);
            model.delete(text(o.t));
          } else {
            table.deleteWhere((x) => x.v < o.below);
            for (const [k, e] of model) if (e.v.v < o.below) model.delete(k);
          }
        }
        expect(table.size).toBe(model.size);
        for (const e of model.values()) {
          expect(table.get(e.t)).toBe(e.v);
          expect(table.find(e.t.proto, e.t.src, e.t.sport, e.t.dst, e.t.dport)).toBe(e.v);
        }
        // Insertion order within each family: IPv4 flows first, then IPv6.
        const all = [...model.values()];
        const ordered = [...all.filter((e) => typeof e.t.src === 'number' && typeof e.t.dst === 'number'), ...all.filter((e) => !(typeof e.t.src === 'number' && typeof e.t.dst === 'number'))];
        const v6 = new Set(ordered.filter((e) => typeof e.t.src !== 'number' || typeof e.t.dst !== 'number').map((e) => e.v));
        const got = [...table.values()];
        expect(got.filter((v) => !v6.has(v))).toEqual(ordered.filter((e) => !v6.has(e.v)).map((e) => e.v));
        expect(new Set(got.filter((v) => v6.has(v)))).toEqual(v6);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps thousands of flows through growth and compaction, and forgets deleted ones', () => {
    const table = new FlowTable<number>();
    const t = (i: number): FlowKey => ({ proto: 6, src: 0x0a000002, sport: 32768 + (i % 28000), dst: 0x0a000100 + (i >> 10), dport: 5432 });
    for (let i = 0; i < 20_000; i++) table.set(t(i), i);
    for (let i = 0; i < 20_000; i += 2) table.delete(t(i));
    for (let i = 20_000; i < 30_000; i++) table.set(t(i), i);
    expect(table.size).toBe(20_000);
    for (let i = 0; i < 30_000; i++) expect(table.get(t(i))).toBe(i < 20_000 && i % 2 === 0 ? undefined : i);
    expect([...table.values()]).toEqual([...Array.from({ length: 10_000 }, (_, k) => 2 * k + 1), ...Array.from({ length: 10_000 }, (_, k) => 20_000 + k)]);
  });
});
