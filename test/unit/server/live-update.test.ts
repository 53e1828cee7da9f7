/**
 * LiveSimulation.update (vnet api's writes reaching the viewers): whatever the order of updates,
 * connects, disconnects, reads and turns of the event loop, (1) what is read or probed is the
 * last update's cloud, (2) once the loop has turned, every connected client's last `hello` holds
 * that cloud's topology, (3) a client gets at most one reload per update and none when nothing
 * changed, (4) an inject's endpoints are those of the last update, and (5) without clients
 * nothing is rebuilt until one connects.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopologyFile } from '../../../src/files/read-topology.js';
import { compactTopology, LiveSimulation, type Peer } from '../../../src/server/live-simulation.js';
import { Outbox } from '../../../src/server/outbox.js';
import { EVERYTHING } from '../../../src/server/subscription.js';
import type { Cloud } from '../../../src/topology/model.js';

const clouds: Cloud[] = ['minimal', 'three-tier', 'multi-router', 'two-project', 'fabric'].map((name) => {
  const loaded = loadTopologyFile(`topologies/${name}.yaml`);
  if (!loaded.ok) throw new Error(`${name}.yaml does not load`);
  return loaded.cloud;
});
const compact = clouds.map((c) => JSON.stringify(compactTopology(c, null)));
/** Per cloud, an instance no other cloud has (an inject from it is good only on that cloud) and another of its instances. */
const senders = clouds.map((c, i) => {
  const others = new Set(clouds.filter((_, j) => j !== i).flatMap((o) => [...o.instances.keys()]));
  const own = [...c.instances.keys()];
  const from = own.find((n) => !others.has(n));
  if (from === undefined) throw new Error(`${c.name}: every instance name is in another topology too`);
  return { from, to: own.find((n) => n !== from)! };
});

interface FakePeer extends Peer {
  readonly sent: Record<string, unknown>[];
}

function peer(): FakePeer {
  const sent: Record<string, unknown>[] = [];
  const sink = { send: (data: Buffer) => { sent.push(JSON.parse(data.toString()) as Record<string, unknown>); }, bufferedAmount: 0, open: true };
  return { outbox: new Outbox(sink, 1 << 24), subscription: EVERYTHING, sent };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const hellos = (p: FakePeer) => p.sent.filter((m) => m.type === 'hello');

type Op =
  | { op: 'update'; cloud: number }
  | { op: 'connect' }
  | { op: 'disconnect'; which: number }
  | { op: 'read'; what: 'topology' | 'cloud' | 'details' }
  | { op: 'inject' }
  | { op: 'tick' };

const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('update' as const), cloud: fc.nat(clouds.length - 1) }),
  fc.constant({ op: 'connect' as const }),
  fc.record({ op: fc.constant('disconnect' as const), which: fc.nat(7) }),
  fc.record({ op: fc.constant('read' as const), what: fc.constantFrom('topology' as const, 'cloud' as const, 'details' as const) }),
  fc.constant({ op: 'tick' as const }),
  fc.constant({ op: 'inject' as const }),
), { maxLength: 25 });

describe('LiveSimulation.update', () => {
  it('reads the last update, greets every client with it, at most one reload per update (property)', async () => {
    await fc.assert(fc.asyncProperty(ops, async (script: Op[]) => {
      const live = new LiveSimulation(clouds[0]!, null, { maxQueuedInjections: 1_000, sliceMs: 4, flushMs: 10 });
      let last = 0;
      const peers: { peer: FakePeer; updatesSince: number }[] = [];
      try {
        for (const step of script) {
          switch (step.op) {
            case 'update':
              live.update(clouds[step.cloud]!);
              last = step.cloud;
              for (const p of peers) p.updatesSince++;
              break;
            case 'connect': {
              const p = peer();
              live.connect(p);
              peers.push({ peer: p, updatesSince: 0 });
              // A client that connects is greeted with the current cloud, never an older one.
              expect(JSON.stringify((hellos(p)[0] as { topology: unknown }).topology)).toBe(compact[last]);
              break;
            }
            case 'disconnect':
              if (peers.length > 0) live.disconnect(peers.splice(step.which % peers.length, 1)[0]!.peer);
              break;
            case 'read':
              if (step.what === 'cloud') expect(live.cloud).toBe(clouds[last]);
              else if (step.what === 'topology') expect((JSON.parse(live.topologyJson.toString()) as { name: string }).name).toBe(clouds[last]!.name);
              else {
                // The last cloud's first node, which an older cloud may not have.
                const node = (JSON.parse(compact[last]!) as { nodes: [string][] }).nodes[0]![0];
                expect(JSON.parse(live.nodeDetails(node, null).toString())).toMatchObject({ type: 'details', node });
              }
              expect(live.cloud).toBe(clouds[last]);
              break;
            case 'tick':
              await tick();
              break;
            case 'inject': {
              // Endpoints are checked against the last update's cloud, pending or not.
              const { from, to } = senders[last]!;
              const error = live.inject(peers[0]?.peer ?? peer(), { type: 'inject', v: 1, id: 'i', count: 1, probe: { from, to, proto: 'icmp', port: 0, ipv6: false, spoof: null } });
              expect(error).toBeUndefined();
              break;
            }
          }
        }
        await tick();
        for (const { peer: p, updatesSince } of peers) {
          const got = hellos(p) as { reason: string; topology: unknown }[];
          expect(JSON.stringify(got.at(-1)!.topology)).toBe(compact[last]);
          expect(got[0]!.reason).toBe('connect');
          expect(got.slice(1).every((h) => h.reason === 'reload')).toBe(true);
          expect(got.length - 1).toBeLessThanOrEqual(updatesSince);
          if (updatesSince === 0) expect(got).toHaveLength(1);
        }
      } finally {
        live.close();
      }
    }), { numRuns: 150 });
  });

  it('without clients, an update builds nothing until one connects; a burst costs one rebuild', async () => {
    const live = new LiveSimulation(clouds[0]!, null, { maxQueuedInjections: 4, sliceMs: 4, flushMs: 10 });
    let built = 0;
    const spy = live as unknown as { simulatorOf(c: Cloud): unknown };
    const original = spy.simulatorOf.bind(live);
    spy.simulatorOf = (c: Cloud) => { built++; return original(c); };
    live.update(clouds[1]!);
    live.update(clouds[2]!);
    await tick();
    expect(built).toBe(0);
    const p = peer();
    live.connect(p);
    expect(built).toBe(1);
    expect(hellos(p).map((h) => (h as { topology: { name: string } }).topology.name)).toEqual([clouds[2]!.name]);
    // Connected: three updates in one turn of the loop are one reload.
    live.update(clouds[3]!);
    live.update(clouds[4]!);
    live.update(clouds[1]!);
    await tick();
    expect(built).toBe(2);
    expect(hellos(p).map((h) => [(h as { reason: string }).reason, (h as { topology: { name: string } }).topology.name])).toEqual([['connect', clouds[2]!.name], ['reload', clouds[1]!.name]]);
    live.close();
  });
});
