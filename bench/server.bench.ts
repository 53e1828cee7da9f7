/**
 * Server benchmark (issue 6): trace events per second delivered over loopback WebSockets to 1
 * and to 10 clients (each a worker thread that parses every message, as a viewer would), next
 * to the same probes run in-process without a server (the baseline); and the server's memory
 * with one stalled client (its socket paused, never read) while ~1,000,000 events are produced
 * (or as many as fit in a time budget; the figure says how many). Figures, not assertions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { resolveDestination, resolveSource } from '../src/engine/endpoints.js';
import { Simulator } from '../src/engine/simulator.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { formatIssue } from '../src/topology/issue.js';
import { parseTopology } from '../src/topology/load.js';
import type { Cloud } from '../src/topology/model.js';
import { heapMeasure, heapUsed } from './measure.js';

const FILE = 'topologies/three-tier.yaml';
/** The probe: internet → the LB's floating IP, tcp/80 (ARP, NAT, LB choice, groups: ~45 events). */
const PROBE = { from: 'client', to: 'lb-fip', proto: 'tcp', port: 80 } as const;
const THROUGHPUT_PROBES = 4_000;
const INJECT_COUNT = 1_000;
const STALLED_TARGET_EVENTS = 1_000_000;
const STALLED_BUDGET_MS = 20_000;
const UNLIMITED = { perSecond: 1e9, burst: 1e9 };

const round = (x: number, digits = 0): number => Number(x.toFixed(digits));
const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

function load(): Cloud {
  const r = parseTopology(readFileSync(FILE, 'utf8'), FILE);
  if (!r.ok) throw new Error(`bench: ${FILE} does not load:\n${r.issues.slice(0, 5).map(formatIssue).join('\n')}`);
  return r.cloud;
}

function probeSpec(cloud: Cloud) {
  const src = resolveSource(cloud, PROBE.from);
  const dst = resolveDestination(cloud, PROBE.to);
  if (!src.ok || !dst.ok) throw new Error('bench: bad probe');
  return { from: src.value.node, to: dst.value, proto: PROBE.proto, port: PROBE.port };
}

/**
 * The simulator's own heap growth over `probes` probes after `warm` (no server): its flow and
 * connection-tracking state grows with every new flow, so this is the baseline the server's
 * growth is compared with.
 */
function simulatorHeapGrowth(cloud: Cloud, warm: number, probes: number): number {
  const sim = new Simulator(cloud);
  const spec = probeSpec(cloud);
  for (let i = 0; i < warm; i++) {
    sim.probe(spec);
    sim.drainEvents();
  }
  const before = heapUsed();
  for (let i = 0; i < probes; i++) {
    sim.probe(spec);
    sim.drainEvents();
  }
  const growth = heapUsed() - before;
  if (sim.processed < 0) throw new Error('unreachable'); // keeps `sim` alive until measured
  return growth;
}

/** Events per second of the same probes in-process, recording on, no server. */
function baseline(cloud: Cloud, probes: number): { eventsPerS: number; eventsPerProbe: number } {
  const sim = new Simulator(cloud);
  const spec = probeSpec(cloud);
  for (let i = 0; i < 200; i++) sim.probe(spec);
  sim.drainEvents();
  let events = 0;
  const t0 = performance.now();
  for (let i = 0; i < probes; i++) {
    sim.probe(spec);
    events += sim.drainEvents().length;
  }
  const s = (performance.now() - t0) / 1000;
  return { eventsPerS: events / s, eventsPerProbe: events / probes };
}

/**
 * A viewer in a worker thread: parses every message, counts events, and reports once it has
 * the verdict of the last probe of the injection with id "last".
 */
const CLIENT_SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
const { default: WebSocket } = await import(workerData.ws);
const ws = new WebSocket(workerData.url);
let events = 0, verdicts = 0, dropped = 0, bytes = 0;
ws.on('message', (data) => {
  bytes += data.length;
  const m = JSON.parse(data.toString());
  if (m.type === 'hello') parentPort.postMessage({ ready: true });
  else if (m.type === 'event') events++;
  else if (m.type === 'dropped') dropped += m.count;
  else if (m.type === 'verdict') {
    verdicts++;
    if (m.probe.ref === 'last' && m.probe.index === m.probe.count) {
      parentPort.postMessage({ events, verdicts, dropped, bytes });
      ws.close();
    }
  }
});
`;

interface ClientResult {
  events: number;
  verdicts: number;
  dropped: number;
  bytes: number;
}

function openClient(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends `probes` probes in injections of INJECT_COUNT; the last injection has id "last". Resolves when its last verdict is in. */
function injectAll(control: WebSocket, probes: number): Promise<void> {
  return new Promise((resolve) => {
    const injections = Math.ceil(probes / INJECT_COUNT);
    let sent = 0;
    const next = () => {
      const count = Math.min(INJECT_COUNT, probes - sent * INJECT_COUNT);
      sent++;
      control.send(JSON.stringify({ type: 'inject', v: 1, id: sent === injections ? 'last' : `i${sent}`, ...PROBE, count }));
    };
    control.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; probe?: { ref: string; index: number; count: number } };
      if (m.type !== 'verdict' || m.probe!.index !== m.probe!.count) return;
      if (m.probe!.ref === 'last') resolve();
      else next();
    });
    // Two injections in flight keep the simulator busy without queueing everything at once.
    next();
    if (injections > 1) next();
  });
}

async function throughput(cloud: Cloud, clients: number, wsModule: string, dir: string): Promise<{ perClient: number; aggregate: number; delivered: number; dropped: number; ms: number }> {
  const server = await startServer({ cloud, injectRate: UNLIMITED, maxClients: clients + 2 });
  const url = `${server.url.replace(/^http/, 'ws')}ws`;
  const script = join(dir, 'client.mjs');
  writeFileSync(script, CLIENT_SOURCE);
  const workers = Array.from({ length: clients }, () => new Worker(script, { workerData: { url, ws: wsModule } }));
  try {
    const results = workers.map((w) => new Promise<ClientResult>((resolve, reject) => {
      w.on('message', (m: ClientResult & { ready?: boolean }) => { if (!m.ready) resolve(m); });
      w.on('error', reject);
    }));
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('message', () => resolve()))));
    const control = await openClient(url);
    control.send(JSON.stringify({ type: 'subscribe', v: 1, filter: { events: false } }));
    const t0 = performance.now();
    await injectAll(control, THROUGHPUT_PROBES);
    const got = await Promise.all(results);
    const ms = performance.now() - t0;
    control.close();
    const delivered = got.reduce((a, r) => a + r.events, 0);
    return { perClient: delivered / clients / (ms / 1000), aggregate: delivered / (ms / 1000), delivered, dropped: got.reduce((a, r) => a + r.dropped, 0), ms };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await server.close();
  }
}

async function stalledClient(cloud: Cloud): Promise<Record<string, number | string>> {
  const server: RunningServer = await startServer({ cloud, injectRate: UNLIMITED });
  const url = `${server.url.replace(/^http/, 'ws')}ws`;
  try {
    const stalled = await openClient(url);
    const control = await openClient(url);
    control.send(JSON.stringify({ type: 'subscribe', v: 1, filter: { events: false } }));
    // Warm up (JIT, caches), then stall the client: it never reads again.
    await injectAll(control, 2 * INJECT_COUNT);
    control.removeAllListeners('message');
    stalled.pause();
    const eventsBefore = server.stats().events;
    const probesBefore = server.stats().probes;
    const heapBefore = heapUsed();
    const rssBefore = process.memoryUsage().rss;
    let heapPeak = 0;
    let heldPeak = 0;
    const sample = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      const c = server.stats().clients[0];
      if (c) heldPeak = Math.max(heldPeak, c.bufferedAmount + c.queuedBytes);
    }, 50);
    const t0 = performance.now();
    while (server.stats().events - eventsBefore < STALLED_TARGET_EVENTS && performance.now() - t0 < STALLED_BUDGET_MS) {
      await injectAll(control, 10 * INJECT_COUNT);
      control.removeAllListeners('message');
    }
    const ms = performance.now() - t0;
    clearInterval(sample);
    const st = server.stats();
    const produced = st.events - eventsBefore;
    const heapAfter = heapUsed();
    stalled.terminate();
    control.close();
    const probes = st.probes - probesBefore;
    const simGrowth = simulatorHeapGrowth(cloud, probesBefore, probes);
    return {
      stalled_events_produced: produced,
      stalled_seconds: round(ms / 1000, 1),
      stalled_events_per_s: round(produced / (ms / 1000)),
      stalled_client_held_peak_bytes: heldPeak,
      stalled_client_lost: st.clients[0]?.lostTotal ?? 'client gone',
      stalled_heap_before_mb: mb(heapBefore),
      stalled_heap_after_mb: mb(heapAfter),
      stalled_heap_growth_mb: mb(heapAfter - heapBefore),
      stalled_probes: probes,
      stalled_same_probes_simulator_alone_heap_growth_mb: mb(simGrowth),
      stalled_server_heap_growth_over_simulator_alone_mb: mb(heapAfter - heapBefore - simGrowth),
      stalled_heap_peak_sampled_mb: mb(heapPeak),
      stalled_rss_before_mb: mb(rssBefore),
      stalled_rss_after_mb: mb(process.memoryUsage().rss),
    };
  } finally {
    await server.close();
  }
}

export async function benchServer(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { probe: `${PROBE.from} → ${PROBE.to} ${PROBE.proto}/${PROBE.port}`, cpus: availableParallelism(), heap_measure: heapMeasure() };
  const cloud = load();
  const wsModule = pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('ws')).href;
  const dir = mkdtempSync(join(tmpdir(), 'vnet-bench-'));
  try {
    const base = baseline(cloud, THROUGHPUT_PROBES);
    out.events_per_probe = round(base.eventsPerProbe, 1);
    out.baseline_in_process_events_per_s = round(base.eventsPerS);
    for (const n of [1, 10]) {
      const r = await throughput(cloud, n, wsModule, dir);
      out[`clients_${n}_events_per_s_per_client`] = round(r.perClient);
      out[`clients_${n}_events_per_s_aggregate`] = round(r.aggregate);
      out[`clients_${n}_per_client_over_baseline`] = round(r.perClient / base.eventsPerS, 3);
      out[`clients_${n}_delivered_events`] = r.delivered;
      out[`clients_${n}_dropped_events`] = r.dropped;
      out[`clients_${n}_ms`] = round(r.ms);
    }
    Object.assign(out, await stalledClient(cloud));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
