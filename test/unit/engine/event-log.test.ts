/**
 * The simulator's event log: every recorded event stays until drainEvents() takes it, a
 * verdict's events are its own probe's whatever the log holds, and draining starts a new log
 * without touching what was handed out.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import type { Cloud } from '../../../src/topology/model.js';
import { cloudFromFile, probeSpec } from './probes.js';

const spec = (cloud: Cloud, from: string, to: string, port: number) => probeSpec(cloud, from, to, 'tcp', port);

describe('the event log', () => {
  const cloud = cloudFromFile('topologies/three-tier.yaml');

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
