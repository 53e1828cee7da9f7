/**
 * The lb.select stage's two halves (src/lb/select.ts) with a tiny context: selectMember on a
 * Balancer built from a literal load balancer, traceSelection on a fake Sim that records traces
 * and reported facts. A port without a listener is not the balancer's; a choice counts a
 * connection; a refusal is traced, reported on the forward path only, and answered (TCP RST).
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { Balancer } from '../../../src/lb/balancer.js';
import { selectMember, traceSelection } from '../../../src/lb/select.js';
import { TCP_ACK, TCP_RST, TCP_SYN, type IpPacket } from '../../../src/packet/frame.js';
import type { LoadBalancer } from '../../../src/topology/model.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';

const CLIENT = 0xc6336407; // 198.51.100.7
const VIP = 0x0a000064; // 10.0.0.100

function balancer(algorithm: LoadBalancer['pools'][number]['algorithm'], members = 2): Balancer {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'dnat',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [{ name: 'p', algorithm, healthMonitor: null, members: Array.from({ length: members }, (_, i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4, value: BigInt(0x0a00000a + i) } }, protocolPort: 80, weight: 1, adminStateUp: true })) }],
  };
  return new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
}

function fakeSim(recording = true) {
  const traced: { node: string; port: string | null; stage: string; action: string; detail: unknown }[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording, explainAll: false,
    trace: (node: string, port: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { if (recording) traced.push({ node, port, stage, action, detail }); }, // as Simulator.trace: nothing when not recording
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts };
}

const syn: IpPacket = { kind: 'ip', version: 4, src: CLIENT, dst: VIP, ttl: 64, l4: { proto: 'tcp', sport: 40001, dport: 80, flags: TCP_SYN } };
const FORWARD: FrameMeta = { probe: 1, dir: 'forward' };

describe('selectMember', () => {
  it('a port or protocol without a listener is not the balancer\'s: none, and tracing it does nothing', () => {
    const b = balancer('round_robin');
    for (const [proto, port] of [['tcp', 443], ['udp', 80]] as const) {
      const s = selectMember(b, proto, port, { src: CLIENT, sport: 40001 });
      expect(s.kind).toBe('none');
      const f = fakeSim();
      expect(traceSelection(f.sim, 'router:r', 'r/qg', syn, FORWARD, s, 'lb:lb')).toBeNull();
      expect(f.traced).toEqual([]);
      expect(f.facts).toEqual([]);
    }
  });

  it('a choice counts a connection on the member, so least_connections takes turns: m0, m1, m0, m1', () => {
    const b = balancer('least_connections');
    const picks = [1, 2, 3, 4].map((i) => {
      const s = selectMember(b, 'tcp', 80, { src: CLIENT, sport: 40000 + i });
      return s.kind === 'select' ? s.member.member.instance : s.kind;
    });
    expect(picks).toEqual(['m0', 'm1', 'm0', 'm1']);
    expect(b.listenerPool('tcp', 80)!.members.map((m) => m.connections)).toEqual([2, 2]);
  });
});

describe('traceSelection', () => {
  it('a selection is traced with lb, pool, member, algorithm and why, and reported for the verdict; nothing to send back', () => {
    const s = selectMember(balancer('round_robin'), 'tcp', 80, { src: CLIENT, sport: 40001 });
    const f = fakeSim();
    expect(traceSelection(f.sim, 'router:r', 'r/qg', syn, FORWARD, s, 'lb:lb')).toBeNull();
    expect(f.traced).toEqual([{ node: 'router:r', port: 'r/qg', stage: 'lb.select', action: 'select', detail: { lb: 'lb', pool: 'p', member: 'm0', algorithm: 'round_robin', why: 'next in weighted round robin' } }]);
    expect(f.facts).toEqual([{ kind: 'balanced', choice: { node: 'lb:lb', member: 'm0', algorithm: 'round_robin' } }]);
  });

  it('with no healthy member the connection is refused: traced, reported as refused at lb.select, answered with a RST from the VIP', () => {
    const b = balancer('round_robin', 1);
    b.listenerPool('tcp', 80)!.members[0]!.health = 'down';
    const s = selectMember(b, 'tcp', 80, { src: CLIENT, sport: 40001 });
    expect(s.kind).toBe('reject');
    const f = fakeSim();
    const reply = traceSelection(f.sim, 'router:r', 'r/qg', syn, FORWARD, s, 'lb:lb');
    expect(reply).toMatchObject({ src: VIP, dst: CLIENT, l4: { proto: 'tcp', sport: 80, dport: 40001, flags: TCP_RST | TCP_ACK } });
    expect(f.traced).toEqual([{ node: 'router:r', port: 'r/qg', stage: 'lb.select', action: 'reject', detail: { lb: 'lb', reason: 'no healthy member in pool p (down: m0)' } }]);
    expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'refused', node: 'router:r', stage: 'lb.select', reason: 'load balancer lb: no healthy member in pool p (down: m0)' } }]);
    // On a reply's path the refusal is not the probe's outcome; it is still answered.
    const g = fakeSim();
    expect(traceSelection(g.sim, 'router:r', 'r/qg', syn, { probe: 1, dir: 'reply' }, s, 'lb:lb')).toMatchObject({ src: VIP, dst: CLIENT });
    expect(g.facts).toEqual([]);
  });

  it('with recording off nothing is traced, but the verdict still hears of the choice and the refusal', () => {
    const ok = selectMember(balancer('round_robin'), 'tcp', 80, { src: CLIENT, sport: 40001 });
    const down = balancer('round_robin', 1);
    down.listenerPool('tcp', 80)!.members[0]!.health = 'down';
    const refused = selectMember(down, 'tcp', 80, { src: CLIENT, sport: 40001 });
    const f = fakeSim(false);
    traceSelection(f.sim, 'router:r', 'r/qg', syn, FORWARD, ok, 'lb:lb');
    traceSelection(f.sim, 'router:r', 'r/qg', syn, FORWARD, refused, 'lb:lb');
    expect(f.traced).toEqual([]);
    expect(f.facts.map((x) => x.kind)).toEqual(['balanced', 'outcome']);
  });
});
