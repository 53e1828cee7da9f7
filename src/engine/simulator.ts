/**
 * The discrete-event simulator: one entry point, `probe`, runs a probe to quiescence and
 * returns its verdict and trace. Events are "frame F arrives at node N on port P at virtual
 * time t" and node timers, taken from a queue ordered by (time, insertion order). Links have
 * a fixed latency. Bounds on events and virtual time end loops and storms with `expired`.
 * State (MAC tables, neighbour caches, flows) persists across probes, so a second probe sees
 * warm caches. Deterministic: no wall clock and no randomness (member choice, ports and ids are computed).
 */
import type { Frame, IpPacket } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { summarizeFrame, summarizePacket } from '../packet/summary.js';
import type { Cloud } from '../topology/model.js';
import type { PacketHeaders, TraceEvent, TraceLink } from '../trace/events.js';
import { TracedHeaders } from '../trace/headers.js';
import type { ProbeTarget, Verdict } from '../trace/verdict.js';
import { INITIAL_VERDICT_STATE, reduceVerdict, verdictFrom, type VerdictFact, type VerdictState } from '../trace/verdict-reducer.js';
import { buildPortFirewalls } from '../firewall/install.js';
import { buildWorld, type World } from './build-world.js';
import { Capture } from './capture.js';
import { EventQueue } from './event-queue.js';
import { HostNode } from './host.js';
import { PORT_TABLES, type Stage } from './pipeline.js';
import type { PortFilter } from './port-filter.js';
import type { FrameMeta, Sim, SimNode } from './node-contract.js';

export interface SimulatorOptions {
  /** Virtual latency of every link, µs (default 100 µs). */
  readonly latencyUs?: number;
  /** Record trace events (off for benchmarks of raw forwarding). */
  readonly record?: boolean;
  /** Bounds per probe: events processed and virtual time elapsed. */
  readonly maxEvents?: number;
  readonly maxTimeUs?: number;
  /** Accepted for compatibility and unused: nothing in the engine draws random numbers. */
  readonly seed?: number;
  /** Security groups and port security: by rule count (default), always compiled, the linear reference, or off. */
  readonly firewall?: 'auto' | 'compiled' | 'linear' | 'off';
  /** Let filtered packets go on so that every blocker on the path is reported (`--explain all`). */
  readonly explainAll?: boolean;
  /** Encode every frame put on a wire and keep it in `capture` (for pcap export). */
  readonly capture?: boolean;
}

export interface ProbeSpec {
  /** Node id of the sender (an instance or external host). */
  readonly from: string;
  readonly to: IpValue;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port?: number;
  readonly src?: IpValue;
  /** The source port (TCP, UDP); by default the sender's next ephemeral port. */
  readonly sport?: number;
  /**
   * The node the probe is meant for, when it named one (resolveProbe fills it in): a packet
   * another node takes is then `misdelivered`, not delivered or refused.
   */
  readonly target?: ProbeTarget;
}

/** One end of a wire as the engine uses it per frame, resolved once: the node and the port. */
interface WireEndpoint {
  readonly nodeId: string;
  readonly node: SimNode | undefined;
  readonly port: string;
}

/** A wire leaving a node's port: the port and the far end. */
interface Link {
  readonly fromNode: string;
  readonly from: string;
  readonly peer: WireEndpoint;
}

class FrameArrival {
  readonly kind = 'frame';
  /** `crossing`: the frame's number among all frames put on a wire (events carry it in `link`). */
  constructor(readonly link: Link, readonly frame: Frame, readonly meta: FrameMeta, readonly crossing: number) {}
  get node(): string {
    return this.link.peer.nodeId;
  }
}

class TimerEvent {
  readonly kind = 'timer';
  constructor(readonly node: string, readonly data: unknown, readonly probe: number, readonly id: number) {}
}

type Agenda = FrameArrival | TimerEvent;

const NO_EVENTS: readonly TraceEvent[] = Object.freeze([]);

/** The detail of an event that has none (shared: events are read-only). */
const NO_DETAIL: Readonly<Record<string, unknown>> = Object.freeze({});

const isBackground = (a: Agenda): boolean => (a.kind === 'frame' ? a.meta.probe : a.probe) === 0;

/** The probe running now: its id, where its events start in the log, and its verdict so far. */
interface ProbeState {
  readonly id: number;
  readonly firstEvent: number;
  verdict: VerdictState;
}

export class Simulator implements Sim {
  readonly world: World;
  readonly recording: boolean;
  readonly explainAll: boolean;
  /**
   * Every event recorded since the last drainEvents(): probes' and background work's (health
   * checks). It grows until drained; a long-running caller drains it after each probe (the
   * server does), since a verdict already carries its own probe's events.
   */
  private log: TraceEvent[] = [];
  /** Frames as bytes where they went on a wire, when the `capture` option is on. */
  readonly capture: Capture | undefined;
  /** Per-port filters (port security, security groups), installed by the firewall when the simulator is built. */
  readonly filters: ReadonlyMap<string, PortFilter>;
  /** Node → port → its wire, resolved once (node objects) so a hop costs no table walk. */
  private readonly links = new Map<string, Map<string, Link>>();
  private readonly queue = new EventQueue<Agenda>();
  private readonly latency: number;
  private readonly maxEvents: number;
  private readonly maxTime: number;
  private clock = 0;
  /** Queued events that belong to a probe (frames and timers of probe > 0). */
  private foreground = 0;
  private timerIds = 0;
  private readonly liveTimers = new Set<number>();
  private readonly liveTimerProbe = new Map<number, number>();
  private readonly cancelled = new Set<number>();
  private seq = 0;
  private probeCount = 0;
  private current: ProbeState | undefined;
  /** The frame, packet or text traced last and its summary. */
  private lastTraced: Frame | IpPacket | string | undefined;
  private lastSummary = '';
  /** The frame, packet or text whose headers were traced last. */
  private headersFor: Frame | IpPacket | string | undefined;
  private lastHeaders: PacketHeaders | null = null;
  /** The arrival being handled (its events carry its link), and that link as traced. */
  private arriving: FrameArrival | undefined;
  private arrivingLink: TraceLink | null = null;
  /** Frames put on a wire so far. */
  private crossings = 0;
  /** Events processed over the simulator's life (for benchmarks). */
  processed = 0;

  constructor(readonly cloud: Cloud, options: SimulatorOptions = {}) {
    // Port filters are built with the host they sit in, when the simulator first reaches it.
    const firewalls = options.firewall === 'off' ? undefined : buildPortFirewalls(cloud, options.firewall ?? 'auto', PORT_TABLES);
    this.filters = firewalls ?? new Map<string, PortFilter>();
    this.world = buildWorld(cloud, firewalls);
    this.recording = options.record ?? true;
    this.latency = options.latencyUs ?? 100;
    this.maxEvents = options.maxEvents ?? 100_000;
    this.maxTime = options.maxTimeUs ?? 60_000_000;
    this.explainAll = options.explainAll ?? false;
    this.capture = options.capture ? new Capture() : undefined;
    this.startHealthMonitors();
  }

  /** A node's wires by port, resolved the first time the node sends (a large cloud has many nodes that never do). */
  private linksOf(from: string): Map<string, Link> {
    let out = this.links.get(from);
    if (out) return out;
    const { nodes, wires } = this.world;
    out = new Map<string, Link>();
    for (const [port, peer] of wires.get(from) ?? []) {
      out.set(port, { fromNode: from, from: port, peer: { nodeId: peer.node, node: nodes.get(peer.node), port: peer.port } });
    }
    this.links.set(from, out);
    return out;
  }

  /** Every load-balancer member's health, for the viewer, `vnet show` and tests. */
  memberHealth(): { lb: string; pool: string; member: string; health: 'up' | 'down'; failures: number }[] {
    const out: { lb: string; pool: string; member: string; health: 'up' | 'down'; failures: number }[] = [];
    for (const node of this.world.loadBalancers) {
      for (const pool of node.balancer.pools.values()) {
        for (const m of pool.members) out.push({ lb: node.balancer.lb.name, pool: pool.pool.name, member: m.member.instance, health: m.health, failures: m.failures });
      }
    }
    return out;
  }

  /**
   * Load balancers' health monitors start at time 0 and run until every member's status has
   * settled (the longest monitor's retries × interval + timeout), so the first probe already
   * sees members that fail their checks as down.
   */
  private startHealthMonitors(): void {
    let settle = 0;
    for (const node of this.world.loadBalancers) {
      node.start(this);
      for (const pool of node.balancer.pools.values()) {
        const hm = pool.pool.healthMonitor;
        if (hm) settle = Math.max(settle, Math.max(hm.retries, hm.retriesDown) * hm.interval * 1e6 + hm.timeout * 1e6 + 1);
      }
    }
    if (settle > 0) this.advance(settle);
  }

  get now(): number {
    return this.clock;
  }

  get events(): readonly TraceEvent[] {
    return this.log;
  }

  /** The events recorded since the last call (see `events`), leaving the log empty. */
  drainEvents(): readonly TraceEvent[] {
    const out = this.log;
    if (out.length === 0) return NO_EVENTS;
    this.log = [];
    return out;
  }

  probe(spec: ProbeSpec): Verdict {
    const sender = this.world.nodes.get(spec.from);
    if (!(sender instanceof HostNode)) throw new Error(`${spec.from} is not a host that can send`);
    const state: ProbeState = { id: ++this.probeCount, firstEvent: this.log.length, verdict: INITIAL_VERDICT_STATE };
    this.current = state;
    const meta: FrameMeta = { probe: state.id, dir: 'forward' };
    const port = spec.port ?? 0;
    sender.sendProbe(this, { dst: spec.to, proto: spec.proto, port, ...(spec.src !== undefined ? { src: spec.src } : {}), ...(spec.sport !== undefined ? { sport: spec.sport } : {}) }, meta);
    const bound = this.run(this.clock + this.maxTime, this.maxEvents);
    if (bound) state.verdict = reduceVerdict(state.verdict, { kind: 'outcome', outcome: { kind: 'expired', node: bound.node, stage: 'drop', reason: bound.reason } }, 'forward');
    this.current = undefined;
    return this.verdictOf(state, spec);
  }

  /**
   * Processes events until no foreground work is left (background work such as health checks
   * waits for the next probe) or a bound is hit (returned, with where).
   */
  private run(until: number, maxEvents: number): { node: string; reason: string } | undefined {
    let n = 0;
    for (;;) {
      if (this.foreground === 0) return undefined;
      const next = this.popLive();
      if (!next) return undefined;
      const t = this.queue.poppedTime;
      if (!isBackground(next)) this.foreground--;
      if (t > until || ++n > maxEvents) {
        const why = t > until ? `virtual time bound (${(this.maxTime / 1e6).toFixed(0)} s) reached` : `event bound (${maxEvents} events) reached: a loop or a storm`;
        this.queue.clear();
        this.foreground = 0;
        return { node: next.node, reason: why };
      }
      this.clock = t;
      this.processed++;
      this.dispatch(next);
    }
  }

  private dispatch(item: Agenda): void {
    if (item.kind === 'timer') {
      this.world.nodes.get(item.node)?.timer?.(this, item.data);
      return;
    }
    const to = item.link.peer;
    this.arriving = item;
    this.arrivingLink = null;
    to.node?.receive(this, to.port, item.frame, item.meta);
    this.arriving = undefined;
  }

  transmit(from: string, port: string, frame: Frame, meta: FrameMeta): void {
    // A port's filter ran in its host before this (HostNode.output); a port with no wire takes nothing.
    const link = this.linksOf(from).get(port);
    if (!link) return;
    this.capture?.record(this.clock, meta.probe, from, port, frame);
    // As schedule() does, without its timer bookkeeping.
    if (meta.probe !== 0) this.foreground++;
    this.queue.push(this.clock + this.latency, new FrameArrival(link, frame, meta, ++this.crossings));
  }

  setTimer(node: string, delay: number, data: unknown, probe: number): number {
    const id = ++this.timerIds;
    this.schedule(this.clock + delay, new TimerEvent(node, data, probe, id));
    return id;
  }

  cancelTimer(id: number): void {
    if (!this.liveTimers.has(id)) return;
    this.liveTimers.delete(id);
    this.cancelled.add(id);
    if (this.liveTimerProbe.get(id) !== 0) this.foreground--;
    this.liveTimerProbe.delete(id);
  }

  /** Pops the next event (its time in queue.poppedTime), skipping cancelled timers without moving the clock. */
  private popLive(): Agenda | undefined {
    for (;;) {
      const next = this.queue.pop();
      if (!next || next.kind !== 'timer') return next;
      if (this.cancelled.delete(next.id)) continue;
      this.liveTimers.delete(next.id);
      this.liveTimerProbe.delete(next.id);
      return next;
    }
  }

  private schedule(t: number, item: Agenda): void {
    if (!isBackground(item)) this.foreground++;
    if (item.kind === 'timer') {
      this.liveTimers.add(item.id);
      this.liveTimerProbe.set(item.id, item.probe);
    }
    this.queue.push(t, item);
  }

  /** Runs background work alone (health checks) for `duration` µs of virtual time. */
  advance(duration: number): void {
    const until = this.clock + duration;
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > until) break;
      const next = this.popLive();
      if (!next) break;
      const nextT = this.queue.poppedTime;
      if (nextT > until) {
        // Skipped cancelled timers only; the next live event stays for later.
        if (next.kind === 'timer') {
          this.liveTimers.add(next.id);
          this.liveTimerProbe.set(next.id, next.probe);
        }
        this.queue.push(nextT, next);
        break;
      }
      if (!isBackground(next)) this.foreground--;
      this.clock = nextT;
      this.processed++;
      this.dispatch(next);
    }
    this.clock = until;
  }

  trace(node: string, port: string | null, stage: Stage, action: string, what: Frame | IpPacket | string, meta: FrameMeta, detail: Record<string, unknown> = NO_DETAIL): void {
    if (!this.recording) return;
    // Consecutive stages usually trace the same frame or packet: reuse its summary.
    if (what !== this.lastTraced) {
      this.lastTraced = what;
      this.lastSummary = typeof what === 'string' ? what : 'payload' in what ? summarizeFrame(what) : summarizePacket(what);
    }
    // An event about the frame that arrived (or its packet) carries the wire it crossed, and a
    // packet traced as that frame's payload shows the Ethernet header it came in with.
    const arriving = this.arriving;
    const arrived = arriving !== undefined && (what === arriving.frame || what === arriving.frame.payload);
    // One TracedHeaders per traced frame or packet, shared by consecutive events about it (a
    // frame a switch forwards is the same value when the next node receives it).
    const traced = arrived ? arriving.frame : what;
    if (traced !== this.headersFor) {
      this.headersFor = traced;
      this.lastHeaders = typeof traced === 'string' ? null : new TracedHeaders(traced);
    }
    let link: TraceLink | null = null;
    if (arrived) link = this.arrivingLink ??= { from: arriving.link.fromNode, fromPort: arriving.link.from, to: arriving.link.peer.nodeId, toPort: arriving.link.peer.port, crossing: arriving.crossing };
    this.log.push({ seq: this.seq++, probe: meta.probe, t: this.clock, node, port, stage, action, packet: this.lastSummary, direction: meta.dir, detail, headers: this.lastHeaders, link });
  }

  report(meta: FrameMeta, fact: VerdictFact): void {
    const probe = this.current;
    if (probe && probe.id === meta.probe) probe.verdict = reduceVerdict(probe.verdict, fact, meta.dir);
  }

  private verdictOf(state: ProbeState, spec: ProbeSpec): Verdict {
    // Usually every event since the probe began is its own (one array of the right size);
    // background work (health checks) that ran meanwhile is left out.
    let own = true;
    const log = this.log;
    for (let i = state.firstEvent; own && i < log.length; i++) own = log[i]!.probe === state.id;
    const events = own ? log.slice(state.firstEvent) : log.slice(state.firstEvent).filter((e) => e.probe === state.id);
    const aim = spec.target ? { target: spec.target, from: spec.from, to: spec.to } : undefined;
    return verdictFrom(state.verdict, events, { kind: 'dropped', node: spec.from, stage: 'drop', reason: `the packet to ${formatIpValue(spec.to)} was lost: no node took it` }, aim);
  }
}
