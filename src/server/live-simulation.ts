/**
 * The one simulation every client of a server shares: the current model (cloud, graph, JSON),
 * one Simulator, and a queue of injections run one probe at a time, a few milliseconds of
 * probes per turn of the event loop so the server stays responsive. Each probe's events, then
 * its verdict, are serialised once and offered to every client's outbox (its filter decides).
 * A reset or a good reload replaces the simulator and greets everyone with a new `hello`; so
 * does an update (`vnet api` after a write), applied on the next turn of the event loop (a burst
 * of writes costs one rebuild) or at once when a client or a request needs the model first.
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nodeState, stateNodes } from '../engine/node-state.js';
import { Simulator } from '../engine/simulator.js';
import { MAX_ENDPOINT_LENGTH, resolveProbe, type ResolvedProbe } from '../probe/probe.js';
import { suggestion } from '../topology/did-you-mean.js';
import { buildGraph, type NodeKind } from '../topology/graph.js';
import { formatIssue, formatPath, type Issue } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { cloudToJson } from '../topology/to-json.js';
import type { TraceEvent } from '../trace/events.js';
import { shortNode, verdictJson } from '../trace/render.js';
import type { VerdictKind } from '../trace/verdict.js';
import type { Outbox } from './outbox.js';
import { clip, preview } from './preview.js';
import { encodeMessage, PROTOCOL_VERSION, type CompactTopology, type ErrorMessage, type HelloMessage, type Injection, type IssueJson, type ProbeInfo, type ProtocolError, type TopologyPayload, type VerdictBody } from './protocol.js';
import { wantsEvent, wantsVerdict, type Subscription } from './subscription.js';
import { TraceStore } from './trace-store.js';

/** A connected client, as the simulation sees it. */
export interface Peer {
  readonly outbox: Outbox;
  subscription: Subscription;
}

export interface LiveSimulationOptions {
  /** Injections waiting to run, over all clients; more are refused with `busy`. */
  readonly maxQueuedInjections: number;
  /** Milliseconds of probes per turn of the event loop. */
  readonly sliceMs: number;
  /** How often outboxes with a backlog are retried, ms. */
  readonly flushMs: number;
}

interface Model {
  readonly cloud: Cloud;
  /** cloudToJson of the cloud, made when first asked (details, /api/topology). */
  json: ReturnType<typeof cloudToJson> | undefined;
  /** The `CompactTopology` as JSON text, for hello. */
  readonly topology: string;
  /** The full `TopologyPayload` as JSON, for /api/topology (made when first asked). */
  topologyBuffer: Buffer | undefined;
}

interface Job {
  readonly peer: Peer;
  /** The `id` the client gave its inject, or null. */
  readonly ref: string | null;
  readonly probe: ResolvedProbe;
  readonly count: number;
  done: number;
}

export interface SimulationStats {
  readonly probes: number;
  readonly events: number;
  readonly queuedInjections: number;
}

/** hello's topology: the graph's nodes and links as indexes, and the inject form's endpoints. */
export function compactTopology(cloud: Cloud, file: string | null): CompactTopology {
  const graph = buildGraph(cloud);
  const kinds: NodeKind[] = [];
  const kindIndex = new Map<NodeKind, number>();
  const index = new Map<string, number>();
  const nodes: CompactTopology['nodes'][number][] = [];
  graph.forEachNode((id, a) => {
    let k = kindIndex.get(a.kind);
    if (k === undefined) kindIndex.set(a.kind, (k = kinds.push(a.kind) - 1));
    index.set(id, nodes.length);
    nodes.push(shortNode(id) === a.name ? [id, k, a.label] : [id, k, a.label, a.name]);
  });
  const edges: number[] = [];
  graph.forEachEdge((_e, _a, s, t) => edges.push(index.get(s)!, index.get(t)!));
  const json = cloudToJson(cloud);
  // Each node's project, as the graph has it (admin's: external parts and the internet).
  const projects = json.projects.map((p) => p.name);
  let owners: { projects: string[]; project_of: number[] } | undefined;
  if (projects.length > 1) owners = { projects, project_of: graph.mapNodes((_id, a) => Math.max(0, projects.indexOf(a.project))) };
  return {
    name: cloud.name,
    file,
    kinds,
    nodes,
    edges,
    ...owners,
    endpoints: {
      external_hosts: json.external_hosts.map((h) => [h.name, h.ip]),
      floating_ips: json.floating_ips.map((f) => [f.name, f.ip]),
      load_balancers: json.load_balancers.map((l) => [l.name, l.vip]),
    },
  };
}

/** A node's entries in cloudToJson: what `details` answers. */
export function detailsOf(json: ReturnType<typeof cloudToJson>, kind: NodeKind, name: string): Record<string, unknown> {
  const portsOf = (ids: readonly string[]) => json.ports.filter((p) => ids.includes(p.id));
  switch (kind) {
    case 'instance': {
      const inst = json.instances.find((i) => i.name === name);
      return inst ? { ...inst, ports: portsOf(inst.ports), floating_ips: json.floating_ips.filter((f) => f.port !== null && inst.ports.includes(f.port)) } : {};
    }
    case 'network': {
      // A fabric switch is drawn as its own node (`dc/tor-1`): its network's entry.
      const net = json.networks.find((n) => n.name === name || n.switches.includes(name));
      return net ? { ...net, subnets: json.subnets.filter((s) => s.network === net.name) } : {};
    }
    case 'router': {
      const r = json.routers.find((x) => x.name === name);
      return r ? { ...r, interfaces: portsOf(r.interfaces) } : {};
    }
    case 'load_balancer':
      return { ...json.load_balancers.find((l) => l.name === name) };
    case 'external_network':
      return { ...json.external_networks.find((n) => n.name === name) };
    case 'external_host':
      return { ...json.external_hosts.find((h) => h.name === name) };
    default:
      return {};
  }
}

const frame = (msg: ErrorMessage | HelloMessage): Buffer => Buffer.from(encodeMessage(msg));

export function errorFrame(e: ProtocolError | { code: ErrorMessage['code']; message: string; ref: string | null }, extra: Partial<ErrorMessage> = {}): Buffer {
  return frame({ type: 'error', v: 1, code: e.code, message: e.message, ref: e.ref, ...('path' in e && e.path !== undefined ? { path: e.path } : {}), ...extra });
}

export class LiveSimulation {
  readonly peers = new Set<Peer>();
  private model: Model;
  private sim: Simulator;
  private probeNo = 0;
  private jobs: Job[] = [];
  private running = false;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The last failed reload's `error`, for clients that connect while the file is still bad. */
  private fileError: Buffer | undefined;
  private closed = false;
  private totalProbes = 0;
  private totalEvents = 0;
  /** The cloud of the last `update` not yet applied, and whether a turn of the event loop will apply it. */
  private pending: Cloud | undefined;
  private settling = false;
  /** The last probes' events and captured frames, for GET /api/trace/<probe>.pcap and .json. */
  readonly traces = new TraceStore();

  constructor(cloud: Cloud, private readonly file: string | null, private readonly options: LiveSimulationOptions) {
    this.model = this.modelOf(cloud);
    this.sim = this.simulatorOf(cloud);
  }

  get cloud(): Cloud {
    this.settle();
    return this.model.cloud;
  }

  /** `GET /api/topology`: the same payload as hello's `topology`. */
  get topologyJson(): Buffer {
    this.settle();
    const m = this.model;
    if (m.topologyBuffer === undefined) {
      const payload: TopologyPayload = { name: m.cloud.name, file: this.fileName, cloud: this.json, graph: buildGraph(m.cloud).export() };
      m.topologyBuffer = Buffer.from(JSON.stringify(payload));
    }
    return m.topologyBuffer;
  }

  private get json(): ReturnType<typeof cloudToJson> {
    return (this.model.json ??= cloudToJson(this.model.cloud));
  }

  /** `details {node}`: the topology's entries for one node (an id or a name), or an `unknown-node` error. */
  nodeDetails(node: string, ref: string | null): Buffer {
    this.settle();
    const graph = buildGraph(this.model.cloud);
    const ids = graph.nodes();
    const id = graph.hasNode(node) ? node : ids.find((n) => shortNode(n) === node);
    if (id === undefined) {
      return errorFrame({ code: 'unknown-node', message: `details: no node ${preview(node)} in this topology${suggestion(node, ids.map(shortNode))}; expected a node id or name such as ${ids.slice(0, 4).join(', ')}`, ref }, { path: 'node' });
    }
    const { kind, name } = graph.getNodeAttributes(id);
    return Buffer.from(encodeMessage({ type: 'details', v: 1, ref, node: id, details: { kind, ...detailsOf(this.json, kind, name) } }));
  }

  private get fileName(): string | null {
    return this.file === null ? null : basename(this.file);
  }

  private modelOf(cloud: Cloud): Model {
    return { cloud, json: undefined, topology: JSON.stringify(compactTopology(cloud, this.fileName)), topologyBuffer: undefined };
  }

  private simulatorOf(cloud: Cloud): Simulator {
    const sim = new Simulator(cloud, { capture: true });
    // Health checks ran while the simulator settled its load balancers; they are not news.
    sim.drainEvents();
    sim.capture?.drain();
    this.probeNo = 0;
    return sim;
  }

  private hello(reason: HelloMessage['reason']): Buffer {
    // The topology is serialised once per model; hello wraps the same text.
    return Buffer.from(`{"type":"hello","v":1,"version":${PROTOCOL_VERSION},"reason":"${reason}","topology":${this.model.topology}}`);
  }

  connect(peer: Peer): void {
    this.settle();
    this.peers.add(peer);
    peer.outbox.hello(this.hello('connect'));
    if (this.fileError) peer.outbox.reply(this.fileError);
  }

  disconnect(peer: Peer): void {
    this.peers.delete(peer);
    this.jobs = this.jobs.filter((j) => j.peer !== peer);
  }

  /** Checks an injection's endpoints against the current model and queues it; an error otherwise. */
  inject(peer: Peer, msg: Injection): ProtocolError | undefined {
    const ref = msg.id ?? null;
    this.settle();
    const resolved = resolveProbe(this.model.cloud, msg.probe);
    if (!resolved.ok) {
      // `from: web-9: no instance or external host named "web-9"`: the field, the name given, what is wrong.
      const issue = resolved.issues[0]!;
      const key = issue.path[0];
      const named = key === 'from' || key === 'to' ? `${key}: ${clip(msg.probe[key], MAX_ENDPOINT_LENGTH)}: ` : '';
      return { code: 'bad-endpoint', message: `${named}${issue.message}`, ...(key !== undefined ? { path: String(key) } : {}), ref };
    }
    if (this.jobs.length >= this.options.maxQueuedInjections) {
      return { code: 'busy', message: `${this.jobs.length} injections are waiting already (the most this server queues); try again when some verdicts have come`, ref };
    }
    this.jobs.push({ peer, ref, probe: resolved.probe, count: msg.count, done: 0 });
    if (!this.running) {
      this.running = true;
      setImmediate(() => this.runSlice());
    }
    return undefined;
  }

  /** `state {node}` (an id such as `router:edge`, or a name): the node's tables now, or an `unknown-node` error. */
  nodeState(node: string, ref: string | null): Buffer {
    this.settle();
    const ids = stateNodes(this.sim);
    const id = ids.includes(node) ? node : ids.find((n) => shortNode(n) === node);
    const state = id === undefined ? undefined : nodeState(this.sim, id);
    if (state === undefined) {
      const known = [...ids, ...ids.map(shortNode)];
      return errorFrame({ code: 'unknown-node', message: `state: no node ${preview(node)} in this topology${suggestion(node, known)}; expected a node id or name such as ${ids.slice(0, 4).join(', ')}`, ref }, { path: 'node' });
    }
    return Buffer.from(encodeMessage({ type: 'state', v: 1, ref, state }));
  }

  /** A new simulator from the same cloud, for everyone. */
  reset(): void {
    this.settle();
    this.replace(this.model.cloud, 'reset');
  }

  /** A good edit under --watch: the new model replaces the old one. */
  reload(cloud: Cloud): void {
    this.fileError = undefined;
    this.pending = undefined;
    this.replace(cloud, 'reload');
  }

  /**
   * `vnet api`: the cloud after a successful write. Every viewer gets it as a reload on the next
   * turn of the event loop; with no viewer connected it waits until someone connects or asks
   * (an API run without viewers never builds a simulator per write).
   */
  update(cloud: Cloud): void {
    this.pending = cloud;
    if (this.peers.size === 0 || this.settling) return;
    this.settling = true;
    setImmediate(() => {
      this.settling = false;
      this.settle();
    });
  }

  /** Applies a pending update, so what is read or probed next is the current cloud. */
  private settle(): void {
    const cloud = this.pending;
    if (cloud === undefined || this.closed) return;
    this.pending = undefined;
    this.replace(cloud, 'reload');
  }

  /** A bad edit under --watch: the last good model stays; viewers get the positioned errors. */
  reportInvalid(issues: readonly Issue[]): void {
    const errors = issues.filter((i) => i.severity === 'error');
    const json: IssueJson[] = errors.map((i) => ({ code: i.code, message: i.message, path: formatPath(i.path), file: i.file ?? null, line: i.line ?? null, col: i.col ?? null }));
    const message = `the topology file does not load (${errors.length} error${errors.length === 1 ? '' : 's'}); still serving the last good model:\n${errors.map(formatIssue).join('\n')}`;
    this.fileError = errorFrame({ code: 'topology-invalid', message, ref: null }, { issues: json });
    for (const p of this.peers) p.outbox.reply(this.fileError);
    this.scheduleFlush();
  }

  private replace(cloud: Cloud, reason: 'reset' | 'reload'): void {
    const cancelled = this.jobs;
    this.jobs = [];
    if (reason === 'reload') this.model = this.modelOf(cloud);
    this.sim = this.simulatorOf(cloud);
    this.traces.clear();
    for (const job of cancelled) {
      const left = job.count - job.done;
      job.peer.outbox.reply(errorFrame({ code: 'cancelled', message: `${reason === 'reset' ? 'a reset' : 'a reload of the topology'} cancelled ${left} of ${job.count} probes of this injection`, ref: job.ref }));
    }
    const hello = this.hello(reason);
    for (const p of this.peers) p.outbox.hello(hello);
    this.scheduleFlush();
  }

  private runSlice(): void {
    if (this.closed) return;
    const deadline = performance.now() + this.options.sliceMs;
    // A slice's frames leave in one write per client instead of one per frame.
    const corked = [...this.peers];
    for (const p of corked) p.outbox.cork();
    try {
      while (this.jobs.length > 0) {
        const job = this.jobs[0]!;
        this.runProbe(job);
        if (job.done >= job.count && this.jobs[0] === job) this.jobs.shift();
        if (performance.now() >= deadline) break;
      }
    } finally {
      for (const p of corked) p.outbox.uncork();
    }
    this.scheduleFlush();
    if (this.jobs.length > 0) setImmediate(() => this.runSlice());
    else this.running = false;
  }

  private runProbe(job: Job): void {
    const index = ++job.done;
    let verdict;
    try {
      verdict = this.sim.probe(job.probe.spec);
    } catch (e) {
      job.done = job.count;
      this.sim.drainEvents();
      this.sim.capture?.drain();
      job.peer.outbox.reply(errorFrame({ code: 'internal', message: `the probe failed: ${(e as Error).message}`, ref: job.ref }));
      return;
    }
    const id = verdict.events[0]?.probe ?? this.probeNo + 1;
    this.probeNo = id;
    this.totalProbes++;
    const events = this.sim.drainEvents();
    this.totalEvents += events.length;
    this.broadcastEvents(events, id, verdict.verdict);

    const { events: _events, ...rest } = verdictJson(verdict);
    const body = { ...rest, event_count: verdict.events.length } as unknown as VerdictBody;
    const { from, to, proto, port } = job.probe;
    const probe: ProbeInfo = { id, ref: job.ref, from, to, proto, port: proto === 'icmp' ? null : port, index, count: job.count };
    this.traces.add(probe, body, verdict.events, this.sim.capture?.drain().filter((f) => f.probe === id) ?? []);
    let data: Buffer | undefined;
    for (const p of this.peers) {
      if (!wantsVerdict(p.subscription, verdict.verdict, verdict.path, verdict.drop?.node ?? null)) continue;
      data ??= Buffer.from(encodeMessage({ type: 'verdict', v: 1, probe, verdict: body }));
      p.outbox.stream(data, 'verdict');
    }
  }

  /** Each event is serialised at most once, and only when some client wants it. */
  private broadcastEvents(events: readonly TraceEvent[], probe: number, verdict: VerdictKind): void {
    for (const e of events) {
      const v = e.probe === probe ? verdict : undefined;
      let data: Buffer | undefined;
      for (const p of this.peers) {
        if (!wantsEvent(p.subscription, e, v)) continue;
        data ??= Buffer.from(`{"type":"event","v":1,"event":${JSON.stringify(e)}}`);
        p.outbox.stream(data, 'event');
      }
    }
  }

  /** Retries outboxes with a backlog until every one is drained (or its client paused). */
  scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.closed) return;
    let pending = false;
    for (const p of this.peers) {
      p.outbox.flush();
      pending ||= p.outbox.pending;
    }
    if (!pending) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.scheduleFlush();
    }, this.options.flushMs);
  }

  stats(): SimulationStats {
    return { probes: this.totalProbes, events: this.totalEvents, queuedInjections: this.jobs.length };
  }

  close(): void {
    this.closed = true;
    this.jobs = [];
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
