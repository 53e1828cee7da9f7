/**
 * The simulator's event log: every recorded event stays until drainEvents() takes it, a
 * verdict's events are its own probe's whatever the log holds, and draining starts a new log
 * without touching what was handed out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import { Simulator, type ProbeSpec } from '../../../src/engine/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

function threeTier(): Cloud {
  const file = 'topologies/three-tier.yaml';
  const r = parseTopology(readFileSync(file, 'utf8'), file);
  if (!r.ok) throw new Error('three-tier.yaml does not load');
  return r.cloud;
}

function spec(cloud: Cloud, from: string, to: string, port: number): ProbeSpec {
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok || !dst.ok) throw new Error('bad probe');
  return { from: src.value.node, to: dst.value, proto: 'tcp', port };
}

describe('the event log', () => {
  const cloud = threeTier();

  it('keeps events until drained, then starts empty', () => {
    const sim = new Simulator(cloud);
    sim.drainEvents(); // health checks while the load balancer settled
    const a = sim.probe(spec(cloud, 'web-1', 'db-1', 5432));
    expect(sim.events).toEqual(a.events);
    const b = sim.probe(spec(cloud, 'web-2', 'db-1', 5432));
    expect(sim.events).toEqual([...a.events, ...b.events]);

    const drained = sim.drainEvents();
    expect(drained).toEqual([...a.events, ...b.events]);
    expect(sim.events).toEqual([]);
    expect(sim.drainEvents()).toEqual([]);

    const c = sim.probe(spec(cloud, 'web-1', 'db-1', 5432));
    expect(c.events.length).toBeGreaterThan(0);
    expect(sim.events).toEqual(c.events);
    // What was handed out is not reused by the new log.
    expect(drained).toEqual([...a.events, ...b.events]);
  });

  it('gives each verdict its own events, drained or not', () => {
    const drained = new Simulator(cloud);
    const kept = new Simulator(cloud);
    const probes = [spec(cloud, 'web-1', 'db-1', 5432), spec(cloud, 'client', '203.0.113.80', 80), spec(cloud, 'web-1', 'web-2', 22)];
    for (const p of probes) {
      const v = drained.probe(p);
      drained.drainEvents();
      const w = kept.probe(p);
      expect(v.events).toEqual(w.events);
      expect(new Set(v.events.map((e) => e.probe)).size).toBe(1);
    }
    expect(drained.events).toEqual([]);
    expect(kept.events.length).toBeGreaterThan(0);
  });

  it('records nothing with recording off', () => {
    const sim = new Simulator(cloud, { record: false });
    sim.probe(spec(cloud, 'web-1', 'db-1', 5432));
    expect(sim.events).toEqual([]);
    expect(sim.drainEvents()).toEqual([]);
  });
});
