/**
 * One process's engine figures for `npm run bench -- engine-old` (engine-old.bench.ts), which
 * bundles this file twice: against this checkout's src/ and against an older checkout's, so
 * both builds run the same measurement. It uses only what both have had since the stage
 * tables began (parseTopology, resolveSource/resolveDestination, the engine's Simulator with
 * probe, drainEvents and processed). Prints one JSON line: steady hop events/s with recording
 * off and on (median of batches, and per 1,000 hops of the reference loop run beside each
 * batch), and the two three-tier traces' µs, recording on and warm.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolveDestination, resolveSource } from '../src/engine/endpoints.js';
import { Simulator, type ProbeSpec } from '../src/engine/simulator.js';
import { parseTopology } from '../src/topology/load.js';
import type { Cloud } from '../src/topology/model.js';

const REPS = 7;
const BATCH = 3_000;
const WARM_PROBES = 20_000;

export interface HarnessFigures {
  readonly offEventsPerS: number;
  readonly onEventsPerS: number;
  readonly offPer1kBaseline: number;
  readonly onPer1kBaseline: number;
  readonly traceWebDbUs: number;
  readonly traceClientLbUs: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The reference loop engine.bench.ts also measures beside every batch: per "hop", one lookup
 * in a Map with string keys (as the engine's node and port tables are) and one small object.
 * Here, not in measure.ts, because this file is bundled against older checkouts too.
 */
const KEYS = Array.from({ length: 16 }, (_, i) => `instance:vm-${i}/eth0`);
const MAP = new Map(KEYS.map((k, i) => [k, i]));
export function referenceHopsPerS(): number {
  const n = 2_000_000;
  let acc = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const key = KEYS[(i + acc) & 15]!;
    const hop = { key, value: MAP.get(key)! };
    acc = (acc + hop.value) & 0xff;
  }
  if (acc < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return n / ((performance.now() - t0) / 1000);
}

function probeOf(cloud: Cloud, from: string, to: string, port: number): ProbeSpec {
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok || !dst.ok) throw new Error(`engine-harness: bad probe ${from} → ${to}`);
  return { from: src.value.node, to: dst.value, proto: 'tcp', port };
}

/**
 * Runs `n` probes; returns wall time and the simulator events they took. The event log is
 * drained after each probe, as the server does (the verdict keeps the probe's own events).
 */
export function batch(sim: Simulator, spec: ProbeSpec, n: number): { ms: number; events: number } {
  const before = sim.processed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    sim.probe(spec);
    sim.drainEvents();
  }
  return { ms: performance.now() - t0, events: sim.processed - before };
}

function steady(cloud: Cloud, spec: ProbeSpec, record: boolean): { eventsPerS: number; per1k: number } {
  const sim = new Simulator(cloud, { record });
  batch(sim, spec, 500);
  const rates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const base = referenceHopsPerS();
    const b = batch(sim, spec, BATCH);
    rates.push(b.events / (b.ms / 1000));
    ratios.push((rates[r]! / base) * 1000);
  }
  return { eventsPerS: median(rates), per1k: median(ratios) };
}

function perTraceUs(cloud: Cloud, spec: ProbeSpec, n: number): number {
  const sim = new Simulator(cloud, { record: true });
  batch(sim, spec, 200);
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) times.push((batch(sim, spec, n).ms * 1000) / n);
  return median(times);
}

export function measure(topologyFile: string): HarnessFigures {
  const parsed = parseTopology(readFileSync(topologyFile, 'utf8'), topologyFile);
  if (!parsed.ok) throw new Error(`engine-harness: ${topologyFile} does not load`);
  const cloud = parsed.cloud;
  const webToDb = probeOf(cloud, 'web-1', 'db-1', 5432);
  // Code warm in both recording modes on throwaway simulators, as engine.bench.ts does.
  for (let i = 0; i < 2; i++) for (const record of [false, true]) batch(new Simulator(cloud, { record }), webToDb, WARM_PROBES);
  const off = steady(cloud, webToDb, false);
  const on = steady(cloud, webToDb, true);
  return {
    offEventsPerS: off.eventsPerS,
    onEventsPerS: on.eventsPerS,
    offPer1kBaseline: off.per1k,
    onPer1kBaseline: on.per1k,
    traceWebDbUs: perTraceUs(cloud, webToDb, 1_000),
    traceClientLbUs: perTraceUs(cloud, probeOf(cloud, 'client', '203.0.113.80', 80), 200),
  };
}

// Run as a program (the bundles engine-old.bench.ts writes): argv[2] is the topology file.
if (process.argv[2] !== undefined && process.env.VNET_ENGINE_HARNESS === '1') console.log(JSON.stringify(measure(process.argv[2])));
