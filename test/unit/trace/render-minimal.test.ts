// `--level minimal` (isDecision): as ovn-trace's minimal, only the decisions and rewrites the
// probe's packets meet — routes, filters, NAT, the balancer's choice, delivery — for any probe of
// three-tier; the golden form (renderEventLines) keeps every event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopology, Simulator } from '../../../src/index.js';
import { probes } from '../../../src/testing/index.js';
import { plainStyle } from '../../../src/util/style.js';
import { isDecision, renderEventLines, renderEvents } from '../../../src/trace/render.js';

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;

/** What a minimal trace must always show: every stop, every rewrite, every choice. */
const MUST_SHOW = /^(nat\.|lb\.select|sg\.|acl|port\.security|router\.route|host\.(send|receive|reply|route)|drop)/;

describe('trace --level minimal', () => {
  it('web-1 → db-1 tcp/5432: twelve decisions instead of every frame', () => {
    const v = new Simulator(cloud).probe({ from: 'web-1', to: 'db-1', port: 5432 });
    const lines = renderEvents(v.events, plainStyle, 'minimal');
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'web-1 host.send send:', 'web-1 host.route route:', 'web-1 sg.egress allow:', 'edge router.route match:',
      'db-1 sg.ingress allow:', 'db-1 host.receive accept:',
      'db-1 host.reply send:', 'db-1 host.route route:', 'db-1 sg.egress allow:', 'edge router.route match:',
      'web-1 sg.ingress allow:', 'web-1 host.receive answer:',
    ]);
    expect(renderEventLines(v.events).length).toBeGreaterThan(40);
  });

  it('keeps every decision and rewrite, in order, and no neighbour resolution or bystander, for any probe (150 runs)', () => {
    fc.assert(fc.property(probes(cloud), (p) => {
      const v = new Simulator(cloud).probe(p);
      const kept = v.events.filter(isDecision);
      for (const e of v.events) {
        const decisive = e.direction !== 'control' && e.action !== 'ignore' && MUST_SHOW.test(e.stage);
        const failed = /^(drop|deny|no-route|expired|failed|refuse|reject|filter)/.test(e.action);
        if (decisive || (failed && e.direction !== 'control')) expect(kept).toContain(e);
      }
      for (const e of kept) {
        expect(e.action).not.toBe('ignore');
        if (e.stage === 'arp' || e.stage === 'nd') expect(e.action).toBe('failed');
        expect(['switch.learn', 'switch.flood']).not.toContain(e.stage);
      }
      // A subsequence of the events, in their order.
      const seqs = kept.map((e) => e.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      // Where the verdict says the packet stopped is always shown.
      if (v.drop !== null) expect(kept.some((e) => e.stage === v.drop!.stage && shortOf(e.node) === shortOf(v.drop!.node))).toBe(true);
    }), { numRuns: 150 });
  });
});

const shortOf = (id: string) => id.replace(/^[a-z]+:/, '');
