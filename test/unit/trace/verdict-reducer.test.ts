/**
 * The verdict reducer (src/trace/verdict-reducer.ts) against the rules stated plainly over a
 * whole sequence of facts: the first decisive outcome wins (a blocker counts only on the
 * forward packet), blockers and translations are the forward ones in order, the load balancer
 * is the first forward choice, an answer in any direction counts, the first observed packet
 * stays; and reducing never changes the state it is given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src/trace/events.js';
import { INITIAL_VERDICT_STATE, liftsBlocker, reduceVerdict, reduceVerdictFacts, verdictFrom, type Outcome, type VerdictFact } from '../../../src/trace/verdict-reducer.js';
import type { IpPacket } from '../../../src/packet/frame.js';

const outcome: fc.Arbitrary<Outcome> = fc.record({
  kind: fc.constantFrom('delivered', 'refused', 'dropped', 'unreachable', 'expired'),
  node: fc.constantFrom('instance:a', 'router:r', 'lb:x'),
  stage: fc.constantFrom('host.receive', 'sg.ingress', 'acl', 'router.route'),
  reason: fc.string({ maxLength: 5 }),
});
const packet = (n: number): IpPacket => ({ kind: 'ip', version: 4, src: n, dst: n + 1, ttl: 64, l4: { proto: 'udp', sport: 1, dport: 2 } });
const fact: fc.Arbitrary<VerdictFact> = fc.oneof(
  outcome.map((o) => ({ kind: 'outcome' as const, outcome: o })),
  outcome.map((o) => ({ kind: 'blocked' as const, outcome: { ...o, kind: 'dropped' as const } })),
  fc.constantFrom('a', 'b').map((m) => ({ kind: 'balanced' as const, choice: { node: 'lb:x', member: m, algorithm: 'round_robin' } })),
  fc.constantFrom('snat', 'dnat', 'fip').map((k) => ({ kind: 'translated' as const, entry: { node: 'router:r', kind: k as 'snat' | 'dnat' | 'fip', from: '1', to: '2' } })),
  fc.constant({ kind: 'replied' as const }),
  fc.nat(9).map((n) => ({ kind: 'observed' as const, packet: packet(n) })),
);
const dir: fc.Arbitrary<Direction> = fc.constantFrom('forward', 'reply', 'control');
const facts = fc.array(fc.record({ fact, dir }), { maxLength: 12 });

describe('reduceVerdict', () => {
  it('agrees with the rules stated over the whole sequence', () => {
    fc.assert(
      fc.property(facts, (fs) => {
        const s = reduceVerdictFacts(fs);
        const decisive = fs.find((f) => f.fact.kind === 'outcome' || (f.fact.kind === 'blocked' && f.dir === 'forward'));
        expect(s.outcome).toBe(decisive ? (decisive.fact as { outcome: Outcome }).outcome : undefined);
        const forward = fs.filter((f) => f.dir === 'forward');
        expect(s.blockers).toEqual(forward.flatMap((f) => (f.fact.kind === 'blocked' ? [f.fact.outcome] : [])));
        expect(s.nat).toEqual(forward.flatMap((f) => (f.fact.kind === 'translated' ? [f.fact.entry] : [])));
        const lb = forward.find((f) => f.fact.kind === 'balanced');
        expect(s.lb).toBe(lb ? (lb.fact as { choice: unknown }).choice : null);
        expect(s.replied).toBe(fs.some((f) => f.fact.kind === 'replied'));
        const seen = fs.find((f) => f.fact.kind === 'observed');
        expect(s.observed).toBe(seen ? (seen.fact as { packet: IpPacket }).packet : undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('never changes the state it is given', () => {
    fc.assert(
      fc.property(facts, fact, dir, (fs, f, d) => {
        const before = reduceVerdictFacts(fs);
        const copy = structuredClone(before);
        reduceVerdict(before, f, d);
        expect(before).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });

  it('a blocker is lifted only with --explain all and only on the probe\'s own packet', () => {
    expect([liftsBlocker(true, 'forward'), liftsBlocker(true, 'reply'), liftsBlocker(true, 'control'), liftsBlocker(false, 'forward')]).toEqual([true, false, false, false]);
  });

  it('verdictFrom: a probe no stage decided takes the fallback; drop is set only for a packet that stopped', () => {
    const lost: Outcome = { kind: 'dropped', node: 'instance:a', stage: 'drop', reason: 'lost' };
    expect(verdictFrom(INITIAL_VERDICT_STATE, [], lost)).toMatchObject({ verdict: 'dropped', drop: { node: 'instance:a', stage: 'drop', reason: 'lost' }, reply: false, lb: null, observed: null });
    const delivered = reduceVerdictFacts([
      { fact: { kind: 'observed', packet: packet(0x0a000001) }, dir: 'forward' },
      { fact: { kind: 'outcome', outcome: { kind: 'delivered', node: 'instance:b', stage: 'host.receive', reason: 'listening' } }, dir: 'forward' },
      { fact: { kind: 'replied' }, dir: 'reply' },
    ]);
    expect(verdictFrom(delivered, [], lost)).toMatchObject({ verdict: 'delivered', drop: null, reply: true, reason: 'listening', observed: { src: '10.0.0.1', dst: '10.0.0.2' } });
  });
});
