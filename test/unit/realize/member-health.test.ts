// Load-balancer members that vnet's health monitors take down are left out of the realized
// balance maps (Octavia takes a failed member out of the pool), with a note saying which and why.
// test/fixtures/realize/lb-health.yaml: b declares no service on the checked port, tcp/80.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memberMap } from '../../../src/realize/balance-map.js';
import { planRealization } from '../../../src/realize/build-plan.js';
import { downMembers } from '../../../src/realize/member-health.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

const FIXTURE = 'test/fixtures/realize/lb-health.yaml';

const load = (text: string): Cloud => {
  const r = parseTopology(text, FIXTURE);
  if (!r.ok) throw new Error(`${FIXTURE} does not load: ${JSON.stringify(r.issues)}`);
  return r.cloud;
};

/** The nftables rulesets of the plan, by the namespace they are loaded in. */
const rulesets = (cloud: Cloud) => new Map(planRealization(cloud, 'vnh').up.filter((s) => s.stdin !== undefined).map((s) => [s.argv[3]!, s.stdin!]));

describe('health monitors in the realization', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const cloud = load(text);

  it('finds the member that fails its checks, and only it', () => {
    const down = downMembers(cloud);
    expect(down.map((d) => [d.lb, d.pool, d.member.instance, d.member.address.text])).toEqual([['web-lb', 'web-pool', 'b', '10.0.0.3']]);
    expect(down[0]!.failures).toBeGreaterThanOrEqual(3);
  });

  it('leaves it out of the router\'s and the load balancer\'s balance maps', () => {
    const sets = rulesets(cloud);
    const map = 'numgen inc mod 2 map { 0 : 10.0.0.2 . 80, 1 : 10.0.0.4 . 80 }';
    expect(sets.get('vnh-r-edge')).toContain(map);
    expect(sets.get('vnh-lb-web-lb')).toContain(map);
    for (const set of sets.values()) expect(set).not.toContain('10.0.0.3 . 80');
  });

  it('says which member it left out and why', () => {
    const notes = planRealization(cloud, 'vnh').notes;
    expect(notes).toContainEqual(expect.stringMatching(/^load balancer web-lb pool web-pool: member b \(10\.0\.0\.3:80\) left out: vnet's tcp health monitor marks it down/));
    expect(notes.filter((n) => n.includes('left out'))).toHaveLength(1);
  });

  it('keeps every member when b listens, or when the pool has no monitor', () => {
    const listening = load(text.replace('services: [tcp/22]', 'services: [tcp/22, tcp/80]'));
    expect(downMembers(listening)).toEqual([]);
    const unmonitored = load(text.replace(/, health_monitor: \{[^}]*\}/, ''));
    expect(downMembers(unmonitored)).toEqual([]);
    for (const c of [listening, unmonitored]) {
      expect(rulesets(c).get('vnh-r-edge')).toContain('numgen inc mod 3 map { 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 80, 2 : 10.0.0.4 . 80 }');
      expect(planRealization(c, 'vnh').notes.filter((n) => n.includes('left out'))).toEqual([]);
    }
  });

  it('a pool whose every member is down has no map (the listener refuses)', () => {
    const pool = cloud.loadBalancers.get('web-lb')!.pools[0]!;
    expect(memberMap(pool, new Set(pool.members))).toBeNull();
    expect(memberMap(pool, new Set())).toBe('numgen inc mod 3 map { 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 80, 2 : 10.0.0.4 . 80 }');
  });
});
