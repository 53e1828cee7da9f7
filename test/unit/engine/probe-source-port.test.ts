/**
 * A probe may name its source port (as `vnet conform` does, so the kernel and vnet send the same
 * packet): the sender uses it, the answer is still recognised as an answer, and probes without
 * one keep counting up the ephemeral range.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { cloudFromFile, probeSpec } from './probes.js';

const cloud = cloudFromFile('topologies/three-tier.yaml');
const spec = (from: string, to: string, proto: 'tcp' | 'udp', port: number, sport?: number) => probeSpec(cloud, from, to, proto, port, sport !== undefined ? { sport } : {});

describe('a probe\'s source port', () => {
  it('is the one asked for, and the reply comes back to it', () => {
    const sim = new Simulator(cloud);
    const v = sim.probe(spec('web-1', 'db-1', 'tcp', 5432, 45678));
    expect(v.verdict).toBe('delivered');
    expect(v.reply).toBe(true);
    expect(v.events.find((e) => e.stage === 'host.send')!.packet).toBe('10.0.0.2:45678 → 10.0.1.21:5432 TCP SYN');
    expect(v.events.some((e) => e.node === 'instance:web-1' && e.stage === 'host.receive' && e.packet.endsWith('10.0.0.2:45678 TCP SYN-ACK'))).toBe(true);
  });

  it('leaves the ephemeral range alone: probes without one keep counting up', () => {
    const sim = new Simulator(cloud);
    const ports = [spec('web-1', 'db-1', 'tcp', 5432), spec('web-1', 'db-1', 'tcp', 5432, 50000), spec('web-1', 'db-1', 'udp', 53)].map((s) => /:(\d+) →/.exec(sim.probe(s).events.find((e) => e.stage === 'host.send')!.packet)![1]);
    expect(ports).toEqual(['40001', '50000', '40002']);
  });
});
