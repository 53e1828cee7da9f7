// vnet/vitest's matchers (src/testing/vitest.ts) on three-tier's verdicts: each passes for its
// verdict alone, toBeBlockedBy names the groups of the port that dropped, and a failure's message
// carries the verdict's reason, where it stopped and its path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopology, Simulator } from '../../../src/index.js';
import { probes } from '../../../src/testing/index.js';
import { vnetMatchers } from '../../../src/testing/vitest.js';

expect.extend(vnetMatchers);

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;
const sim = new Simulator(cloud);

describe('vnet/vitest matchers', () => {
  it('pass for their verdict', () => {
    expect(sim.probe({ from: 'web-1', to: 'db-1', port: 5432 })).toBeDelivered();
    expect(sim.probe({ from: 'web-1', to: 'web-2', port: 443 })).toBeRefused();
    expect(sim.probe({ from: 'client', to: 'db-1', port: 22 })).toBeUnreachable();
    const scan = sim.probe({ from: 'scanner', to: 'web-1-fip', port: 22 });
    expect(scan).toBeDropped();
    expect(scan).toBeBlockedBy('ssh');
    expect(scan).toBeBlockedBy('web');
    expect(scan).not.toBeBlockedBy('db');
    expect(scan).not.toBeDelivered();
    expect(sim.probe({ from: 'web-1', to: 'db-1', port: 6379 })).toBeBlockedBy('db');
  });

  it('say why in a failure: the verdict, its reason, where it stopped, the path', () => {
    const v = sim.probe({ from: 'web-1', to: 'db-1', port: 6379 });
    let message = '';
    try { expect(v).toBeDelivered(); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/^expected the probe to be delivered, but it was dropped: /);
    expect(message).toContain('\n  stopped at db-1 (sg.ingress): db-1/eth0: no rule of groups [db] allows tcp/6379');
    expect(message).toContain('\n  path: web-1 → app → edge → app → db-1');
    expect(() => expect(sim.probe({ from: 'web-1', to: 'db-1', port: 5432 })).toBeBlockedBy('db')).toThrow(/expected the probe to be blocked by security group db, but it was not blocked by a security group: delivered/);
    expect(() => expect(sim.probe({ from: 'web-1', to: 'db-1', port: 5432 })).not.toBeDelivered()).toThrow(/expected the probe not to be delivered, but it was delivered: listening on tcp\/5432/);
    expect(() => expect({ verdict: 'delivered' }).toBeDelivered()).toThrow(/expected the verdict sim.probe returns, got \{"verdict":"delivered"\}/);
  });

  it('exactly one verdict matcher holds for any probe, and toBeBlockedBy only for drops by a group on the port', () => {
    const groups = [...cloud.securityGroups.keys()];
    fc.assert(fc.property(probes(cloud), fc.constantFrom(...groups), (p, g) => {
      const v = new Simulator(cloud).probe(p);
      const holds = (f: () => void) => { try { f(); return true; } catch { return false; } };
      const kinds = [holds(() => expect(v).toBeDelivered()), holds(() => expect(v).toBeRefused()), holds(() => expect(v).toBeDropped()), holds(() => expect(v).toBeUnreachable())];
      expect(kinds.filter(Boolean).length).toBe(['delivered', 'refused', 'dropped', 'unreachable'].includes(v.verdict) ? 1 : 0);
      const blocked = holds(() => expect(v).toBeBlockedBy(g));
      const drop = v.drop;
      const onPort = drop !== null && drop.stage.startsWith('sg.') && cloud.ports.get(drop.reason.split(':')[0]!)?.securityGroups.includes(g) === true;
      expect(blocked).toBe(v.verdict === 'dropped' && onPort);
    }), { numRuns: 150 });
  });
});
