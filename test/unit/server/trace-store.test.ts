/**
 * The server's store of recent traces stays bounded: by probe count and by an estimate of the
 * bytes it holds, the oldest going first and the newest always kept; a model-based property
 * checks it against a plain list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapturedFrame } from '../../../src/engine/capture.js';
import type { ProbeInfo, VerdictBody } from '../../../src/server/protocol.js';
import { TRACE_COST, TraceStore } from '../../../src/server/trace-store.js';
import type { TraceEvent } from '../../../src/trace/events.js';

const info = (id: number): ProbeInfo => ({ id, ref: null, from: 'a', to: 'b', proto: 'icmp', port: null, index: 1, count: 1 });
const verdict = { verdict: 'delivered' } as unknown as VerdictBody;
const frames = (n: number, size: number): CapturedFrame[] => Array.from({ length: n }, (_, i) => ({ t: i, probe: 1, node: 'n', port: 'p', bytes: new Uint8Array(size) }));

describe('TraceStore', () => {
  it('keeps the last N probes', () => {
    const store = new TraceStore({ probes: 3, bytes: 1e9 });
    for (let id = 1; id <= 5; id++) store.add(info(id), verdict, [], frames(1, 60));
    expect(store.ids()).toEqual([3, 4, 5]);
    expect(store.pcap(2)).toBeUndefined();
    expect(store.json(2)).toBeUndefined();
    expect(JSON.parse(store.json(5)!)).toEqual({ probe: info(5), events: [], verdict });
    expect(store.pcap(5)!.length).toBe(24 + 16 + 60);
  });

  it('keeps under a byte budget, but always the newest', () => {
    const store = new TraceStore({ probes: 100, bytes: 10_000 });
    store.add(info(1), verdict, [], frames(10, 500)); // ~9 KB
    store.add(info(2), verdict, [], frames(10, 500));
    expect(store.ids()).toEqual([2]);
    store.add(info(3), verdict, [], frames(100, 500)); // alone over budget: kept
    expect(store.ids()).toEqual([3]);
    store.add(info(4), verdict, [], frames(1, 60));
    expect(store.ids()).toEqual([4]);
  });

  it('behaves as a list trimmed from the front to the limits (model-based)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 1, max: 20 }), frames: fc.nat({ max: 20 }), events: fc.nat({ max: 20 }) }),
      fc.constant({ kind: 'clear' as const }),
    );
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1_000, max: 40_000 }), fc.array(op, { maxLength: 40 }), (probes, bytes, ops) => {
      const store = new TraceStore({ probes, bytes });
      let model: { id: number; cost: number }[] = [];
      for (const o of ops) {
        if (o.kind === 'clear') {
          store.clear();
          model = [];
          continue;
        }
        const events = Array.from({ length: o.events }, () => ({}) as TraceEvent);
        store.add(info(o.id), verdict, events, frames(o.frames, 100));
        model = model.filter((m) => m.id !== o.id);
        model.push({ id: o.id, cost: o.events * TRACE_COST.event + o.frames * (TRACE_COST.frame + 100) });
        const total = () => model.reduce((a, m) => a + m.cost, 0);
        while (model.length > 1 && (model.length > probes || total() > bytes)) model.shift();
        expect(store.ids()).toEqual(model.map((m) => m.id));
      }
    }), { numRuns: 200, seed: 20_251_125 });
  });
});
