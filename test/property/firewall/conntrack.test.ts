/**
 * Connection tracking against a model (src/firewall/conntrack.ts): after any sequence of commits
 * on the virtual clock — enough of them to cross the 1,024-entry sweep, with flows repeating —
 * a flow is established exactly while its last commit's timeout runs, the snapshot lists exactly
 * the live flows, and the table holds no more than the sweep's bound: sweeping forgets only the dead.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnTrack, CT_TIMEOUT_US } from '../../../src/firewall/conntrack.js';
import type { IpPacket } from '../../../src/packet/frame.js';

const A = 0x0a000002;
const B = 0x0a000103;
const S = 1_000_000;
const udp = (sport: number): IpPacket => ({ kind: 'ip', version: 4, src: A, dst: B, ttl: 64, l4: { proto: 'udp', sport, dport: 53 } });
const held = (ct: ConnTrack): number => (ct as unknown as { entries: { size: number } }).entries.size;

describe('ConnTrack against a model', () => {
  it('established exactly while alive, snapshots list the live flows, and the table stays within twice the live flows or 1,024 (+1)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sport: fc.integer({ min: 1, max: 4000 }), dt: fc.integer({ min: 0, max: S / 5 }) }), { minLength: 1100, maxLength: 2200 }), (ops) => {
        const ct = new ConnTrack();
        const expires = new Map<number, number>();
        let now = 0;
        let bound = 1024;
        for (const { sport, dt } of ops) {
          now += dt;
          // What the firewall does: a live flow is updated, anything else committed.
          const r = ct.lookup(udp(sport), now);
          expect(r.state).toBe((expires.get(sport) ?? -1) >= now ? 'established' : 'new');
          if (r.entry) ct.update(r.entry, udp(sport), false, now);
          else ct.commit(udp(sport), 'egress', now);
          expires.set(sport, now + CT_TIMEOUT_US.udp);
          // Between sweeps the table grows by one entry per commit up to the next sweep's threshold,
          // which is at most twice the most flows ever alive at once (or 1,024).
          if (held(ct) > 1024) {
            bound = Math.max(bound, 2 * [...expires.values()].filter((e) => e >= now).length);
            expect(held(ct)).toBeLessThanOrEqual(bound + 1);
          }
        }
        const live = [...expires].filter(([, e]) => e >= now).map(([s]) => s).sort((x, y) => x - y);
        expect(ct.snapshot(now).map((e) => e.flow.sport).sort((x, y) => x - y)).toEqual(live);
      }),
      // Counterexamples are long op lists: report the first, shrinking them costs minutes.
      { numRuns: 25, endOnFailure: true },
    );
  });
});
