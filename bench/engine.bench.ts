/**
 * Engine benchmark: how fast the simulator forwards once caches are warm (hop events per second,
 * trace recording off and on), what one complete trace costs in-process next to ovn-trace's
 * ~14 ms per call, and how a 10,000-instance cloud (scripts/gen-large.ts) builds and traces.
 * Steady state means warm caches (ARP, MAC tables) and warm code: V8 needs some 40,000 probes
 * (two simulators' worth) before its optimised code stops being replaced, so the suite first
 * reports that cold start as it is, then warms the code on throwaway simulators and measures a
 * fresh one. Every probe opens a new connection (the next ephemeral port), so conntrack and
 * socket tables grow as they would; batches stay under the 28,232 ports before they wrap.
 * Every small figure is the median of several repetitions; large-topology figures take as many
 * repetitions as a time budget allows and say how many. A fixed reference loop (one string-keyed
 * Map lookup and one small allocation per "hop") runs next to every timed batch, and the figures
 * are also given as ratios to it: the machine is shared, so absolute rates move with its load
 * while the ratios hold. Figures, not assertions: the runner prints them (`npm run bench engine`).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolveDestination, resolveSource } from '../src/engine/endpoints.js';
import { Simulator, type ProbeSpec } from '../src/engine/simulator.js';
import { toIpValue } from '../src/packet/ip-value.js';
import { nodeId } from '../src/topology/graph.js';
import { formatIssue } from '../src/topology/issue.js';
import { parseTopology } from '../src/topology/load.js';
import type { Cloud } from '../src/topology/model.js';
import type { VerdictKind } from '../src/trace/verdict.js';
import { batch, referenceHopsPerS } from './engine-harness.js';
import { heapMeasure, heapUsed, median } from './measure.js';

/** ovn-trace's cost per call on a small logical topology, as commonly measured (~14 ms). */
const OVN_TRACE_US = 14_000;
const REPS = 7;
/** Probes per timed batch in steady state, and warm-up probes (caches) before the first batch. */
const BATCH = 3_000;
const WARMUP = 500;
/** Probes per throwaway simulator while the code warms, and how many of them per recording mode. */
const JIT_WARMUP_PROBES = 20_000;
const JIT_WARMUP_SIMULATORS = 2;
const LARGE_INSTANCES = 10_000;
const LARGE_FLOWS = 10_000;
/** Wall-clock budget for repeating the large-topology build (each one takes seconds). */
const LARGE_BUDGET_MS = 30_000;

const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

function load(text: string, file: string): Cloud {
  const r = parseTopology(text, file);
  if (!r.ok) throw new Error(`bench: ${file} does not load:\n${r.issues.slice(0, 5).map(formatIssue).join('\n')}`);
  return r.cloud;
}

function probeOf(cloud: Cloud, from: string, to: string, proto: ProbeSpec['proto'], port: number): ProbeSpec {
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok || !dst.ok) throw new Error(`bench: bad probe ${from} → ${to}`);
  return { from: src.value.node, to: dst.value, proto, port };
}

/** The reference loop's rates so far (one per timed batch). */
const baselineRates: number[] = [];

/**
 * The reference workload (engine-harness.ts's referenceHopsPerS: per "hop", one string-keyed Map
 * lookup and one small object), measured next to every timed batch, so a figure divided by it
 * cancels the load other processes put on the machine.
 */
function baselineHops(): number {
  const rate = referenceHopsPerS();
  baselineRates.push(rate);
  return rate;
}

/** Hop events per second in steady state (median over REPS batches), and events per probe. */
function steadyState(cloud: Cloud, spec: ProbeSpec, record: boolean): { eventsPerS: number; overBaseline: number; eventsPerProbe: number; heapPerProbe: number } {
  const sim = new Simulator(cloud, { record });
  batch(sim, spec, WARMUP);
  const rates: number[] = [];
  const ratios: number[] = [];
  let perProbe = 0;
  const heap0 = heapUsed();
  for (let r = 0; r < REPS; r++) {
    const base = baselineHops();
    const b = batch(sim, spec, BATCH);
    rates.push(b.events / (b.ms / 1000));
    ratios.push(rates[r]! / base);
    perProbe = b.events / BATCH;
  }
  const heapPerProbe = (heapUsed() - heap0) / (REPS * BATCH);
  return { eventsPerS: median(rates), overBaseline: median(ratios), eventsPerProbe: perProbe, heapPerProbe };
}

/**
 * The first probes of a fresh process, recording off, in one simulator: what a short run (a
 * property test, `vnet trace --count`) sees while V8 is still optimising. Returns hop events/s.
 */
function coldStart(cloud: Cloud, spec: ProbeSpec, probes: number): number {
  const sim = new Simulator(cloud, { record: false });
  const b = batch(sim, spec, probes);
  return b.events / (b.ms / 1000);
}

/** Runs throwaway simulators in both recording modes until V8's optimised code has settled. */
function warmCode(cloud: Cloud, spec: ProbeSpec): void {
  for (let i = 0; i < JIT_WARMUP_SIMULATORS; i++) {
    for (const record of [false, true]) {
      const sim = new Simulator(cloud, { record });
      for (let done = 0; done < JIT_WARMUP_PROBES; done += BATCH) batch(sim, spec, BATCH);
    }
  }
}

/** Microseconds per complete trace, recording on, warm (median over REPS batches). */
function perTrace(cloud: Cloud, spec: ProbeSpec, n: number): { us: number; baselineHops: number; verdict: VerdictKind; reason: string; events: number } {
  const sim = new Simulator(cloud, { record: true });
  batch(sim, spec, Math.min(n, 200)); // warm: ARP caches, MAC tables, JIT
  const times: number[] = [];
  const scaled: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const base = baselineHops();
    times.push((batch(sim, spec, n).ms * 1000) / n);
    scaled.push((times[r]! / 1e6) * base);
  }
  const v = sim.probe(spec);
  return { us: median(times), baselineHops: median(scaled), verdict: v.verdict, reason: v.reason, events: v.events.length };
}

/** scripts/gen-large.ts's generator, loaded at run time (see the note in benchLarge). */
async function loadGenerator(): Promise<((n: number) => string) | string> {
  const errors: string[] = [];
  for (const rel of ['../scripts/gen-large.js', '../scripts/gen-large.ts']) {
    try {
      const mod = (await import(new URL(rel, import.meta.url).href)) as { generateLarge?: unknown };
      if (typeof mod.generateLarge === 'function') return mod.generateLarge as (n: number) => string;
      errors.push(`${rel}: no generateLarge export`);
    } catch (e) {
      errors.push(`${rel}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return errors.join('; ');
}

async function benchLarge(out: Record<string, number | string>): Promise<void> {
  // Imported by URL, not bundled: gen-large.ts runs its CLI when import.meta.url equals the
  // program's path, which is true of any bundle it is inlined into (dist/bench/run.js).
  const generate = await loadGenerator();
  if (typeof generate === 'string') {
    out.large = `skipped: scripts/gen-large.ts does not export generateLarge (${generate})`;
    return;
  }
  let t0 = performance.now();
  const text = generate(LARGE_INSTANCES);
  out.large_generate_ms = round(performance.now() - t0);
  t0 = performance.now();
  const cloud = load(text, `large-${LARGE_INSTANCES}.yaml`);
  out.large_parse_ms = round(performance.now() - t0);
  out.large_instances = cloud.instances.size;
  out.large_subnets = cloud.subnets.size;
  out.large_routers = cloud.routers.size;

  // Web instances accept tcp/80 from anywhere: flows between them on different subnets cross a
  // router (or two, between router groups) and are allowed by the security groups.
  const web = [...cloud.instances.values()].filter((i) => i.services.some((s) => s.protocol === 'tcp' && s.from <= 80 && s.to >= 80) && cloud.ports.get(i.ports[0]!)!.securityGroups.includes('web'));
  const subnetOf = (name: string) => cloud.ports.get(cloud.instances.get(name)!.ports[0]!)!.fixedIps[0]!.subnet;
  const addressOf = (name: string) => toIpValue(cloud.ports.get(cloud.instances.get(name)!.ports[0]!)!.fixedIps[0]!.address.ip);
  const flows: ProbeSpec[] = [];
  const names: string[] = [];
  for (let i = 0; flows.length < LARGE_FLOWS && i < LARGE_FLOWS * 2; i++) {
    const a = web[i % web.length]!.name;
    const b = web[(i * 7919 + 13) % web.length]!.name;
    if (subnetOf(a) === subnetOf(b)) continue;
    flows.push({ from: nodeId.instance(a), to: addressOf(b), proto: 'tcp', port: 80 });
    names.push(`${a} (${subnetOf(a)}) → ${b} (${subnetOf(b)})`);
  }
  out.large_flows_web_instances = web.length;

  // Building: each repetition is a fresh Simulator (switches, hosts, routers, port firewalls).
  const builds: number[] = [];
  const build = (record: boolean): Simulator => {
    const t = performance.now();
    const sim = new Simulator(cloud, { record });
    builds.push(performance.now() - t);
    return sim;
  };
  const traced = build(true);
  t0 = performance.now();
  const first = traced.probe(flows[0]!);
  out.large_one_flow_cold_ms = round(performance.now() - t0, 2);
  out.large_one_flow = `${names[0]} tcp/80: ${first.verdict}, ${first.events.length} events, path ${first.path.length} nodes`;
  t0 = performance.now();
  traced.probe(flows[0]!);
  out.large_one_flow_warm_ms = round(performance.now() - t0, 3);

  const sim = build(false);
  const counts: Partial<Record<VerdictKind, number>> = {};
  const before = sim.processed;
  t0 = performance.now();
  for (const f of flows) {
    const v = sim.probe(f);
    counts[v.verdict] = (counts[v.verdict] ?? 0) + 1;
  }
  const flowsMs = performance.now() - t0;
  out.large_flows = flows.length;
  out.large_flows_ms = round(flowsMs);
  out.large_flows_per_s = round(flows.length / (flowsMs / 1000));
  out.large_flows_events = sim.processed - before;
  out.large_flows_verdicts = Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ');

  const budgetEnd = performance.now() + LARGE_BUDGET_MS;
  while (builds.length < 3 && performance.now() + median(builds) < budgetEnd) build(false);
  out.large_build_simulator_ms = round(median(builds));
  out.large_build_repetitions = builds.length;
}

export async function benchEngine(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { repetitions: REPS, batch_probes: BATCH, heap_measure: heapMeasure() };
  const file = 'topologies/three-tier.yaml';
  const cloud = load(readFileSync(file, 'utf8'), file);
  const webToDb = probeOf(cloud, 'web-1', 'db-1', 'tcp', 5432);

  // (a) Steady state: caches and code warm, web-1 → db-1 tcp/5432 over and over, a new
  // connection each time. The cold start comes first, while the process is fresh.
  const cold = coldStart(cloud, webToDb, JIT_WARMUP_PROBES);
  warmCode(cloud, webToDb);
  const off = steadyState(cloud, webToDb, false);
  const on = steadyState(cloud, webToDb, true);
  out.cold_first_20k_probes_record_off_hop_events_per_s = round(cold);
  out.steady_events_per_probe = off.eventsPerProbe;
  out.steady_record_off_hop_events_per_s = round(off.eventsPerS);
  out.steady_record_on_hop_events_per_s = round(on.eventsPerS);
  out.steady_record_on_over_off = round(on.eventsPerS / off.eventsPerS, 3);
  out.steady_record_off_per_1k_baseline_hops = round(off.overBaseline * 1000, 2);
  out.steady_record_on_per_1k_baseline_hops = round(on.overBaseline * 1000, 2);
  out.steady_record_off_heap_bytes_per_probe = round(off.heapPerProbe);
  out.steady_record_on_heap_bytes_per_probe = round(on.heapPerProbe);

  // (b) One complete trace, in-process, recording on, warm; next to ovn-trace's ~14 ms a call.
  const a = perTrace(cloud, webToDb, 1_000);
  out.trace_web1_db1_tcp5432_us = round(a.us, 1);
  out.trace_web1_db1_tcp5432_verdict = `${a.verdict} (${a.events} events)`;
  out.trace_web1_db1_vs_ovn_trace = round(OVN_TRACE_US / a.us);
  out.trace_web1_db1_in_baseline_hops = round(a.baselineHops);
  const fip = probeOf(cloud, 'client', '203.0.113.80', 'tcp', 80);
  const b = perTrace(cloud, fip, 200);
  out.trace_client_lb_fip_tcp80_us = round(b.us, 1);
  out.trace_client_lb_fip_tcp80_verdict = `${b.verdict} (${b.events} events): ${b.reason}`;
  out.trace_client_lb_fip_vs_ovn_trace = round(OVN_TRACE_US / b.us);
  out.trace_client_lb_fip_in_baseline_hops = round(b.baselineHops);
  out.baseline_hops_per_s = round(median(baselineRates));

  // (c) 10,000 instances.
  await benchLarge(out);
  return out;
}
