/**
 * The learning switch (src/switching/switch.ts) driven directly, with a fake Sim that records
 * what it transmits and lets the test move the virtual clock. Random frames between a small
 * pool of MACs (unicast, broadcast, multicast) arrive on random ports; the switch must behave
 * as IEEE 802.1D §7.7–7.9 says: learn the source on the ingress port, forward known unicast
 * out of the one port it was learnt on, flood broadcast, multicast and unknown unicast out of
 * every other port, never send a frame back where it came from, and forget after the ageing time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC, isMulticastMac, type Mac } from '../../../src/address/mac.js';
import { SWITCH_PIPELINE, type Stage } from '../../../src/engine/pipeline.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import type { Frame, IpPacket } from '../../../src/packet/frame.js';
import { MAC_AGEING_US } from '../../../src/switching/mac-table.js';
import { SwitchNode } from '../../../src/switching/switch.js';

interface Sent {
  readonly from: string;
  readonly port: string;
  readonly frame: Frame;
}

interface Traced {
  readonly node: string;
  readonly port: string | null;
  readonly stage: Stage;
  readonly action: string;
  readonly detail: Record<string, unknown>;
}

/** The part of the Sim contract a switch uses: the clock, recording, transmit and trace. */
type SwitchSim = Pick<Sim, 'now' | 'recording' | 'transmit' | 'trace'>;

/**
 * The smallest Sim a switch can run on: it records transmissions and trace events and lets the
 * test move the clock. The rest of the contract (timers, outcomes, NAT records…) is not
 * implemented: `asSim` makes any use of it throw, so a switch that starts using more of the
 * Sim shows up here, and new members of the interface do not break this fake.
 */
class FakeSim implements SwitchSim {
  now = 0;
  sent: Sent[] = [];
  traced: Traced[] = [];
  readonly sim: Sim;

  constructor(readonly recording: boolean) {
    this.sim = new Proxy(this, {
      get(target, key, receiver) {
        if (key in target) return Reflect.get(target, key, receiver);
        throw new Error(`the switch used Sim.${String(key)}, which this fake does not implement`);
      },
    }) as unknown as Sim;
  }

  transmit(from: string, port: string, frame: Frame, _meta: FrameMeta): void {
    this.sent.push({ from, port, frame });
  }

  trace(node: string, port: string | null, stage: Stage, action: string, _what: unknown, _meta: FrameMeta, detail: Record<string, unknown> = {}): void {
    this.traced.push({ node, port, stage, action, detail });
  }

  /** Clears what the last frame caused. */
  reset(): void {
    this.sent = [];
    this.traced = [];
  }
}

const META: FrameMeta = { probe: 1, dir: 'forward' };
const UNICAST: Mac[] = [0xfa163e000001, 0xfa163e000002, 0xfa163e000003, 0xfa163e000004, 0x020000000001];
const GROUP: Mac[] = [BROADCAST_MAC, 0x01005e0000fb /* IPv4 mDNS */, 0x333300000001 /* IPv6 all-nodes */];
const PORTS = ['p0', 'p1', 'p2', 'p3', 'p4'];

const IP: IpPacket = { kind: 'ip', version: 4, src: 0x0a000002, dst: 0x0a000003, ttl: 64, l4: { proto: 'udp', sport: 40001, dport: 53 } };
const frameOf = (src: Mac, dst: Mac, arp: boolean): Frame => ({
  src,
  dst,
  payload: arp ? { kind: 'arp', op: 'request', senderMac: src, senderIp: 0x0a000002, targetMac: 0, targetIp: 0x0a000003 } : IP,
});

/** Unicast MACs most of the time, so that tables fill and known unicast is common. */
const macArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...UNICAST) }, { weight: 1, arbitrary: fc.constantFrom(...GROUP) });
const switchArb = fc.integer({ min: 2, max: PORTS.length }).map((n) => PORTS.slice(0, n));
const arrivalArb = (ports: readonly string[]) =>
  fc.record({ src: macArb, dst: macArb, port: fc.constantFrom(...ports), arp: fc.boolean(), dt: fc.nat({ max: 1_000_000 }) });

/** What 802.1D says one frame does, given the table before it: the ports it leaves by, in order. */
function expectedOuts(ports: readonly string[], learnt: ReadonlyMap<Mac, string>, ingress: string, dst: Mac): string[] {
  if (!isMulticastMac(dst)) {
    const out = learnt.get(dst);
    if (out === ingress) return []; // filtered: the destination sits behind the ingress port
    if (out !== undefined) return [out];
  }
  return ports.filter((p) => p !== ingress);
}

describe('SwitchNode over random frame sequences', () => {
  it('(a) never sends a frame back out of its ingress port, and sends it unchanged', () => {
    fc.assert(
      fc.property(switchArb.chain((ports) => fc.tuple(fc.constant(ports), fc.array(arrivalArb(ports), { maxLength: 40 }), fc.boolean())), ([ports, arrivals, recording]) => {
        const sw = new SwitchNode('network:n', ports, SWITCH_PIPELINE);
        const sim = new FakeSim(recording);
        for (const a of arrivals) {
          sim.now += a.dt;
          sim.reset();
          const frame = frameOf(a.src, a.dst, a.arp);
          sw.receive(sim.sim, a.port, frame, META);
          for (const s of sim.sent) {
            expect(s.port).not.toBe(a.port);
            expect(s.from).toBe('network:n');
            expect(s.frame).toBe(frame);
          }
          // No port twice: a flood is one copy per port.
          expect(new Set(sim.sent.map((s) => s.port)).size).toBe(sim.sent.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('(b) after any sequence, every unicast source MAC maps to the port it was last seen on (Map model)', () => {
    fc.assert(
      fc.property(switchArb.chain((ports) => fc.tuple(fc.constant(ports), fc.array(arrivalArb(ports), { maxLength: 60 }))), ([ports, arrivals]) => {
        const sw = new SwitchNode('network:n', ports, SWITCH_PIPELINE);
        const sim = new FakeSim(false);
        const model = new Map<Mac, string>();
        for (const a of arrivals) {
          // Less than the ageing time in all: nothing may be forgotten in this property.
          sim.now += a.dt % 1000;
          sw.receive(sim.sim, a.port, frameOf(a.src, a.dst, a.arp), META);
          if (!isMulticastMac(a.src)) model.set(a.src, a.port);
        }
        for (const [mac, port] of model) expect(sw.table.lookup(mac, sim.now)).toBe(port);
        for (const mac of [...UNICAST, ...GROUP]) if (!model.has(mac)) expect(sw.table.lookup(mac, sim.now)).toBeUndefined();
        expect(new Map(sw.table.snapshot(sim.now).map(([mac, e]) => [mac, e.port]))).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('(c) known unicast leaves by exactly its learnt port; broadcast, multicast and unknown unicast by every other port', () => {
    fc.assert(
      fc.property(switchArb.chain((ports) => fc.tuple(fc.constant(ports), fc.array(arrivalArb(ports), { maxLength: 60 }))), ([ports, arrivals]) => {
        const sw = new SwitchNode('network:n', ports, SWITCH_PIPELINE);
        const sim = new FakeSim(true);
        const learnt = new Map<Mac, string>();
        for (const a of arrivals) {
          sim.now += a.dt % 1000;
          sim.reset();
          sw.receive(sim.sim, a.port, frameOf(a.src, a.dst, a.arp), META);
          // The switch learns the source before it looks the destination up (a frame to itself is filtered).
          if (!isMulticastMac(a.src)) learnt.set(a.src, a.port);
          const outs = expectedOuts(ports, learnt, a.port, a.dst);
          expect(sim.sent.map((s) => s.port)).toEqual(outs);
          const decision = sim.traced.filter((t) => t.stage !== 'switch.learn').map((t) => `${t.stage} ${t.action}`);
          const known = !isMulticastMac(a.dst) && learnt.has(a.dst);
          expect(decision).toEqual([known ? (learnt.get(a.dst) === a.port ? 'switch.forward filter' : 'switch.forward forward') : 'switch.flood flood']);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- Model-based (fc.commands): learning, moves, ageing and the trace of each, against a Map ----

interface Model {
  now: number;
  readonly ports: readonly string[];
  /** MAC → where and when it was last seen as a source. */
  readonly table: Map<Mac, { port: string; seen: number }>;
}

interface Real {
  readonly sw: SwitchNode;
  readonly sim: FakeSim;
}

/** The model's view of the table at `now`: entries within the ageing time. */
function live(m: Model): Map<Mac, string> {
  const out = new Map<Mac, string>();
  for (const [mac, e] of m.table) if (m.now - e.seen <= MAC_AGEING_US) out.set(mac, e.port);
  return out;
}

function checkTable(m: Model, r: Real): void {
  const expected = live(m);
  expect(new Map(r.sw.table.snapshot(r.sim.now).map(([mac, e]) => [mac, e.port]))).toEqual(expected);
  for (const mac of [...UNICAST, ...GROUP]) expect(r.sw.table.lookup(mac, r.sim.now)).toBe(expected.get(mac));
}

class ArriveCommand implements fc.Command<Model, Real> {
  constructor(readonly src: Mac, readonly dst: Mac, readonly port: string, readonly arp: boolean) {}
  check(m: Readonly<Model>): boolean {
    return m.ports.includes(this.port);
  }
  run(m: Model, r: Real): void {
    r.sim.reset();
    r.sw.receive(r.sim.sim, this.port, frameOf(this.src, this.dst, this.arp), META);
    // The learn step: 'learned' for a new or aged entry, 'moved' for a new port, silent refresh otherwise.
    let learnAction: string | undefined;
    if (!isMulticastMac(this.src)) {
      const old = m.table.get(this.src);
      if (!old || m.now - old.seen > MAC_AGEING_US) learnAction = 'learned';
      else if (old.port !== this.port) learnAction = 'moved';
      m.table.set(this.src, { port: this.port, seen: m.now });
    }
    const learns = r.sim.traced.filter((t) => t.stage === 'switch.learn');
    expect(learns.map((t) => t.action)).toEqual(learnAction ? [learnAction] : []);
    if (learnAction === 'moved') expect(learns[0]!.detail['from']).toBeDefined();
    const outs = expectedOuts(m.ports, live(m), this.port, this.dst);
    expect(r.sim.sent.map((s) => s.port)).toEqual(outs);
    expect(r.sim.sent.some((s) => s.port === this.port)).toBe(false);
    checkTable(m, r);
  }
  toString(): string {
    return `arrive(${this.src.toString(16)} → ${this.dst.toString(16)} on ${this.port}${this.arp ? ', arp' : ''})`;
  }
}

class TickCommand implements fc.Command<Model, Real> {
  constructor(readonly dt: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.now += this.dt;
    r.sim.now += this.dt;
    checkTable(m, r);
  }
  toString(): string {
    return `tick(${this.dt} µs)`;
  }
}

describe('SwitchNode against a Map model (fc.commands)', () => {
  it('learns, moves and ages entries as the model does, and forwards by the model', () => {
    const ports = PORTS.slice(0, 4);
    const commands = fc.commands(
      [
        fc.record({ src: macArb, dst: macArb, port: fc.constantFrom(...ports), arp: fc.boolean() }).map((a) => new ArriveCommand(a.src, a.dst, a.port, a.arp)),
        // Small steps, and steps around the ageing boundary (an entry lives while now − seen ≤ 300 s).
        fc.oneof(fc.nat({ max: 5_000_000 }), fc.constantFrom(MAC_AGEING_US - 1, MAC_AGEING_US, MAC_AGEING_US + 1, MAC_AGEING_US / 2)).map((dt) => new TickCommand(dt)),
      ],
      { maxCommands: 80 },
    );
    fc.assert(
      fc.property(commands, (cmds) => {
        const setup = () => ({ model: { now: 0, ports, table: new Map() } satisfies Model, real: { sw: new SwitchNode('network:n', ports, SWITCH_PIPELINE), sim: new FakeSim(true) } });
        fc.modelRun(setup, cmds);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SwitchNode with arp_responder', () => {
  it('answers a request for a known address itself, out of the ingress port, and floods nothing', () => {
    const owners = new Map<number, Mac>([[0x0a000003, 0xfa163e0000aa], [0x0a000004, 0xfa163e0000bb]]);
    fc.assert(
      fc.property(fc.constantFrom(...UNICAST), fc.constantFrom('p0', 'p1', 'p2'), fc.constantFrom(0x0a000003, 0x0a000004, 0x0a000005), (src, port, target) => {
        const sw = new SwitchNode('network:n', ['p0', 'p1', 'p2'], SWITCH_PIPELINE, owners);
        const sim = new FakeSim(true);
        const request: Frame = { src, dst: BROADCAST_MAC, payload: { kind: 'arp', op: 'request', senderMac: src, senderIp: 0x0a000002, targetMac: 0, targetIp: target } };
        sw.receive(sim.sim, port, request, META);
        const owner = owners.get(target);
        if (owner === undefined) {
          // Not a known port's address: an ordinary broadcast.
          expect(sim.sent.map((s) => s.port)).toEqual(['p0', 'p1', 'p2'].filter((p) => p !== port));
          return;
        }
        expect(sim.sent).toHaveLength(1);
        const reply = sim.sent[0]!;
        expect(reply.port).toBe(port);
        expect(reply.frame).toEqual({ src: owner, dst: src, payload: { kind: 'arp', op: 'reply', senderMac: owner, senderIp: target, targetMac: src, targetIp: 0x0a000002 } });
        // The requester was still learnt.
        expect(sw.table.lookup(src, sim.now)).toBe(port);
      }),
      { numRuns: 100 },
    );
  });
});
