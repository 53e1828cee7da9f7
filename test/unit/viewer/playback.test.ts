/**
 * The animation's clock (viewer/playback.ts) with a fake clock: rows come one step at a time,
 * the verdict only after the last step has run, step back and forward move one event, a new
 * probe finishes the old one, and no probe takes longer than MAX_PROBE_MS however idle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COPY_MS, GAP_US, HOP_MS, MAX_PROBE_MS, Playback, sourceOf, STAGE_MS, stepDurations } from '../../../viewer/playback.js';
import type { TraceEvent } from '../../../src/trace/events.js';

function harness() {
  let now = 0;
  let pending: (() => void)[] = [];
  const log: string[] = [];
  const shown = new Set<number>();
  const pb = new Playback({ now: () => now, frame: (f) => pending.push(f) }, {
    reveal: (e) => { shown.add(e.seq); log.push(`reveal ${e.seq}`); },
    hide: (e) => { shown.delete(e.seq); log.push(`hide ${e.seq}`); },
    current: (e) => log.push(`current ${e?.seq ?? '-'}`),
    finished: (p) => log.push(`finished ${p}`),
    unfinished: (p) => log.push(`unfinished ${p}`),
    changed: () => undefined,
  });
  /** Advances the clock in 16 ms frames. */
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 16) {
      now += 16;
      const f = pending;
      pending = [];
      for (const cb of f) cb();
    }
  };
  return { pb, log, shown, run, finished: () => log.some((l) => l.startsWith('finished')) };
}

const ev = (seq: number, node: string, t: number, probe = 1): TraceEvent => ({ seq, probe, t, node, port: null, stage: 'host.send', action: 'send', packet: '', direction: 'forward', detail: {} });
const probe = (probeId: number, nodes: string[], from = 0) => nodes.map((n, i) => ev(from + i, n, 100 * i, probeId));

describe('Playback', () => {
  it('reveals one event per step and shows the verdict only when the last step has run', () => {
    const h = harness();
    const events = probe(1, ['a', 'a', 'b', 'c', 'c']);
    for (const e of events) h.pb.push(e);
    h.pb.verdict(1);
    h.run(16);
    expect(h.shown.size).toBe(1);
    const plan = stepDurations(events);
    const total = plan.reduce((s, d) => s + d, 0);
    // The last row comes when its step begins; the verdict when that step has run.
    h.run(total - plan.at(-1)! - 40);
    expect(h.shown.size).toBe(4);
    h.run(48);
    expect(h.shown.size).toBe(5);
    expect(h.finished()).toBe(false);
    h.run(200);
    expect(h.finished()).toBe(true);
    expect(h.log.filter((l) => l.startsWith('reveal'))).toEqual(events.map((e) => `reveal ${e.seq}`));
  });

  it('waits for the verdict even when every event is shown', () => {
    const h = harness();
    for (const e of probe(1, ['a', 'b'])) h.pb.push(e);
    h.run(3000);
    expect(h.shown.size).toBe(2);
    expect(h.finished()).toBe(false);
    h.pb.verdict(1);
    h.run(32);
    expect(h.finished()).toBe(true);
  });

  it('steps back and forward one event at a time, paused, and un-shows the verdict when stepping back from the end', () => {
    const h = harness();
    const events = probe(1, ['a', 'b', 'c']);
    for (const e of events) h.pb.push(e);
    h.pb.verdict(1);
    h.run(5000);
    expect(h.finished()).toBe(true);
    h.pb.stepBack();
    expect(h.pb.playing).toBe(false);
    expect(h.log.slice(-3)).toEqual(['unfinished 1', 'hide 2', 'current 1']);
    expect(h.pb.revealed(events[2]!)).toBe(false);
    expect(h.pb.revealed(events[1]!)).toBe(true);
    h.pb.stepBack();
    expect([...h.shown]).toEqual([0]);
    h.pb.stepBack(); // the first event stays: there is always a frame to show
    expect([...h.shown]).toEqual([0]);
    h.run(2000); // paused: nothing moves
    expect([...h.shown]).toEqual([0]);
    h.pb.stepForward();
    h.pb.stepForward();
    expect([...h.shown].sort()).toEqual([0, 1, 2]);
    expect(h.log.at(-1)).toBe('finished 1');
  });

  it('a new probe finishes the old one at once: every row revealed, its verdict shown', () => {
    const h = harness();
    for (const e of probe(1, ['a', 'b', 'c', 'd'])) h.pb.push(e);
    h.pb.verdict(1);
    h.run(16);
    h.pb.push(ev(10, 'x', 0, 2));
    expect([...h.shown].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(h.log).toContain('finished 1');
    expect(h.pb.probe).toBe(2);
    expect(h.pb.revealed(ev(11, 'y', 0, 2))).toBe(false);
    expect(h.pb.revealed(ev(3, 'd', 0, 1))).toBe(true);
  });
});

describe('stepDurations', () => {
  const events = fc.array(fc.record({ node: fc.constantFrom('a', 'b', 'c'), dt: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 30_000_000 })) }), { minLength: 1, maxLength: 400 })
    .map((xs) => { let t = 0; return xs.map((x) => ({ node: x.node, t: (t += x.dt) })); });

  it('never lets a probe take longer than MAX_PROBE_MS, however long or idle', () => {
    fc.assert(fc.property(events, (es) => {
      const d = stepDurations(es);
      expect(d).toHaveLength(es.length);
      expect(d.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(MAX_PROBE_MS + 1e-6);
      for (const x of d) expect(x).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });

  it('gives a hop to another node more time than a stage in the same node, and idle time a pause of its own', () => {
    fc.assert(fc.property(events, (es) => {
      const d = stepDurations(es);
      const hop = (k: number) => es[k]!.node !== es[k - 1]!.node;
      const idle = (k: number) => es[k]!.t - es[k - 1]!.t > GAP_US;
      for (let i = 1; i < es.length; i++) for (let j = 1; j < es.length; j++) {
        if (idle(i) === idle(j) && hop(i) && !hop(j)) expect(d[i]!).toBeGreaterThan(d[j]!);
        if (hop(i) === hop(j) && idle(i) && !idle(j)) expect(d[i]!).toBeGreaterThan(d[j]!);
      }
    }), { numRuns: 100 });
  });

  it('plays a short probe at full length: a hop is HOP_MS, a stage STAGE_MS', () => {
    expect(stepDurations([{ node: 'a', t: 0 }, { node: 'a', t: 0 }, { node: 'b', t: 100 }])).toEqual([STAGE_MS, STAGE_MS, HOP_MS]);
  });

  it('fans a flood out at once: each further copy of the frame at the same instant is COPY_MS', () => {
    const ignore = (node: string) => ({ node, t: 200, stage: 'arp' as const, action: 'ignore', packet: 'ARP who-has 10.0.0.2 tell 10.0.0.1' });
    const d = stepDurations([{ node: 'sw', t: 100 }, ignore('a'), ignore('b'), ignore('c'), { ...ignore('d'), t: 300 }]);
    expect(d).toEqual([STAGE_MS, HOP_MS, COPY_MS, COPY_MS, HOP_MS]);
  });
});

describe('hops from the trace\'s links', () => {
  // Events of a probe with links as the simulator sets them: an arrival's events share its crossing; null for what a node makes.
  const linked = fc.array(fc.record({ node: fc.constantFrom('a', 'b', 'c', 'd'), arrival: fc.boolean(), stages: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 60 })
    .map((xs) => {
      let crossing = 0;
      let prev = 'a';
      let n = 0;
      // Every event its own packet: none is a flood's copy of another.
      return xs.flatMap((x) => {
        const link = x.arrival ? { from: prev, fromPort: `${prev}/p`, to: x.node, toPort: `${x.node}/p`, crossing: ++crossing } : null;
        prev = x.node;
        return Array.from({ length: x.stages }, (_, k) => ({ node: x.node, t: crossing * 100, stage: `s${k}` as TraceEvent['stage'], packet: `p${n++}`, link }));
      });
    });

  it('a frame travels exactly on the first event of each crossing, from the wire\'s other end, whatever the graph says is adjacent', () => {
    fc.assert(fc.property(linked, fc.boolean(), (es, adjacentAll) => {
      const d = stepDurations(es);
      const first = es.map((e, i) => e.link !== null && es[i - 1]?.link?.crossing !== e.link.crossing);
      // Crossings are 100 µs apart: no idle time; the plan is only scaled down when long.
      const raw = first.map((f, i) => (i > 0 && f ? HOP_MS : STAGE_MS));
      const total = raw.reduce((s, x) => s + x, 0);
      const k = total > MAX_PROBE_MS ? MAX_PROBE_MS / total : 1;
      es.forEach((e, i) => {
        expect(sourceOf(es, i, () => adjacentAll)).toBe(first[i] ? e.link!.from : null);
        expect(d[i]).toBeCloseTo(raw[i]! * k, 9);
      });
    }), { numRuns: 300 });
  });

  it('without links (older JSON), guesses from adjacency as before', () => {
    const es = [{ node: 'a', t: 0 }, { node: 'sw', t: 100 }, { node: 'x', t: 200 }, { node: 'b', t: 200 }];
    expect(sourceOf(es, 3, (p, q) => [p, q].sort().join() === 'b,sw')).toBe('sw');
    expect(sourceOf(es, 0, () => true)).toBeNull();
  });
});
