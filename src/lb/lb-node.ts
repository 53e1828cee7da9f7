/**
 * A load balancer's own node, on its VIP port: it answers ARP/ND for the VIP, runs the health
 * monitors — real probe packets on the virtual clock (TCP connect for tcp and http monitors,
 * ICMP echo for ping), each check failing on RST, ICMP unreachable or no answer within the
 * timeout; `retries_down` failures in a row take a member down and `retries` successes bring it
 * back (Octavia's max_retries_down / max_retries) — and serves the clients whose traffic
 * reaches it directly: DNAT to the member plus SNAT to the VIP, so the member's reply comes
 * back through here. That is every client in `proxy` mode (an Octavia amphora: the member sees
 * the load balancer's address) and, in `dnat` mode, clients on the VIP's own subnet, which no
 * router sees (OVN's hairpin SNAT does the same). What a frame on the VIP port meets is the
 * stage table LB_PIPELINE (src/engine/pipeline.ts; the stages are lb-stages.ts).
 */
import { ICMP, TCP_ACK, TCP_RST, TCP_SYN, echoRequestType, type Frame, type IpPacket } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { Flow } from '../packet/flow.js';
import { FlowTable } from '../packet/flow-table.js';
import type { L3Interface } from '../l3/l3-interface.js';
import { NeighborResolver, type NeighborTimer } from '../l3/neighbors.js';
import type { FrameMeta, Sim, SimNode } from '../engine/node-contract.js';
import { RouteTable } from '../l3/route-table.js';
import { compileStages, type Pipeline, type StageRunner } from '../util/stages.js';
import type { Balancer, MemberState, PoolState } from './balancer.js';
import type { LbArrival } from './lb-stages.js';

const S = 1_000_000;
const BACKGROUND: FrameMeta = { probe: 0, dir: 'control' };
/** Health checks use source ports 33000-39999; proxied client connections use 50001 and up. */
const HEALTH_PORT_BASE = 33000;
const HEALTH_PORTS = 7000;

interface CheckTimer {
  readonly kind: 'health-check' | 'health-timeout';
  readonly pool: string;
  readonly member: number;
  readonly check: number;
}

/** A client connection the node serves: the client's end, its member, and the node's port toward the member. */
export interface ProxyEntry {
  readonly client: IpValue;
  readonly clientPort: number;
  readonly member: MemberState;
  readonly vipPort: number;
  readonly lbPort: number;
}

export class LbNode implements SimNode {
  readonly routes = new RouteTable();
  readonly neighbors: NeighborResolver;
  /** The check each member is waiting on (its number), to match answers and timeouts. */
  private readonly pending = new Map<string, number>();
  private checkSeq = 0;
  private nextPort = 50000;
  /** Client connections served, by the client's flow to the VIP and by the flow to the member it stands for. */
  readonly byClient = new FlowTable<ProxyEntry>();
  readonly proxied = new FlowTable<ProxyEntry>();
  /** The one arrival the stages read, refilled per frame (see L3Arrival). */
  private arrival: LbArrival | undefined;
  /** LB_PIPELINE as one function (compileStages). */
  private readonly runStages: StageRunner<LbArrival>;

  constructor(
    readonly id: string,
    readonly iface: L3Interface,
    readonly balancer: Balancer,
    /** The stages a frame on the VIP port meets (src/engine/pipeline.ts's LB_PIPELINE). */
    readonly stages: Pipeline<LbArrival>,
  ) {
    this.neighbors = new NeighborResolver(id, () => undefined);
    this.runStages = compileStages(stages);
  }

  /** Starts every pool's health monitor: one check per member now, then every interval. */
  start(sim: Sim): void {
    for (const pool of this.balancer.pools.values()) {
      if (!pool.pool.healthMonitor) continue;
      pool.members.forEach((_, i) => sim.setTimer(this.id, 0, { kind: 'health-check', pool: pool.pool.name, member: i, check: 0 } satisfies CheckTimer, 0));
    }
  }

  timer(sim: Sim, data: unknown): void {
    const t = data as CheckTimer | NeighborTimer;
    if (t.kind === 'neighbor-retry') return this.neighbors.onTimer(sim, this.iface, t);
    const pool = this.balancer.pools.get(t.pool)!;
    const m = pool.members[t.member]!;
    const hm = pool.pool.healthMonitor!;
    const key = `${t.pool}|${t.member}`;
    if (t.kind === 'health-timeout') {
      if (this.pending.get(key) === t.check) this.result(sim, pool, m, false, `no answer within ${hm.timeout} s`);
      return;
    }
    this.sendCheck(sim, pool, m, key);
    sim.setTimer(this.id, hm.interval * S, { kind: 'health-check', pool: t.pool, member: t.member, check: 0 } satisfies CheckTimer, 0);
  }

  private sendCheck(sim: Sim, pool: PoolState, m: MemberState, key: string): void {
    const hm = pool.pool.healthMonitor!;
    const check = ++this.checkSeq;
    this.pending.set(key, check);
    const version = typeof m.address === 'number' ? 4 : 6;
    const src = this.iface.addrs.find((a) => typeof a.ip === typeof m.address)?.ip;
    if (src === undefined) return;
    const l4 = hm.type === 'ping'
      ? { proto: 'icmp' as const, type: echoRequestType(version), code: 0, id: 0xbeef, seq: check }
      : { proto: 'tcp' as const, sport: HEALTH_PORT_BASE + (check % HEALTH_PORTS), dport: m.member.protocolPort, flags: TCP_SYN };
    const packet: IpPacket = { kind: 'ip', version, src, dst: m.address, ttl: 64, l4 };
    sim.trace(this.id, this.iface.port, 'lb.health', 'check', packet, BACKGROUND, { pool: pool.pool.name, member: m.member.instance, type: hm.type });
    this.send(sim, packet, BACKGROUND);
    const index = pool.members.indexOf(m);
    sim.setTimer(this.id, hm.timeout * S, { kind: 'health-timeout', pool: pool.pool.name, member: index, check } satisfies CheckTimer, 0);
  }

  private result(sim: Sim, pool: PoolState, m: MemberState, ok: boolean, why: string): void {
    const hm = pool.pool.healthMonitor!;
    this.pending.delete(`${pool.pool.name}|${pool.members.indexOf(m)}`);
    const before = m.health;
    if (ok) { m.successes++; m.failures = 0; } else { m.failures++; m.successes = 0; }
    if (m.health === 'up' && m.failures >= hm.retriesDown) m.health = 'down';
    if (m.health === 'down' && m.successes >= hm.retries) m.health = 'up';
    if (sim.recording) {
      const action = before !== m.health ? `member-${m.health}` : ok ? 'pass' : 'fail';
      sim.trace(this.id, this.iface.port, 'lb.health', action, `${pool.pool.name}/${m.member.instance} ${formatIpValue(m.address)}:${m.member.protocolPort}`, BACKGROUND, { why, failures: m.failures, successes: m.successes, health: m.health });
    }
  }

  /** Routes a packet out of the VIP port. */
  send(sim: Sim, p: IpPacket, meta: FrameMeta): void {
    const route = this.routes.lookup(p.dst);
    if (route) this.neighbors.send(sim, this.iface, route.nexthop ?? p.dst, p, meta);
  }

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    let a = this.arrival;
    if (a) {
      a.sim = sim;
      a.meta = meta;
      a.port = port;
      a.frame = frame;
      a.packet = undefined;
      a.entry = undefined;
      a.fresh = false;
    } else a = this.arrival = { lb: this, sim, meta, node: this.id, port, iface: this.iface, neighbors: this.neighbors, frame, packet: undefined, entry: undefined, fresh: false };
    this.runStages(a);
  }

  /** Tracks a client's new connection (its flow to the VIP) to `member`, and the flow to the member it stands for. */
  track(flow: Flow, client: IpValue, clientPort: number, vipPort: number, member: MemberState): ProxyEntry {
    const entry: ProxyEntry = { client, clientPort, member, vipPort, lbPort: ++this.nextPort };
    this.byClient.set(flow, entry);
    this.proxied.set(new Flow(flow.proto, this.balancer.vip, entry.lbPort, member.address, member.member.protocolPort), entry);
    return entry;
  }

  /** Answers to health checks: SYN-ACK or echo reply pass, RST or ICMP unreachable fail. */
  healthAnswer(sim: Sim, p: IpPacket): boolean {
    const l4 = p.l4;
    for (const pool of this.balancer.pools.values()) {
      if (!pool.pool.healthMonitor) continue;
      const i = pool.members.findIndex((m) => m.address === (l4.proto === 'icmp' && l4.quoted ? l4.quoted.dst : p.src));
      if (i < 0) continue;
      const m = pool.members[i]!;
      const check = this.pending.get(`${pool.pool.name}|${i}`);
      if (check === undefined) continue;
      if (l4.proto === 'tcp' && l4.dport >= HEALTH_PORT_BASE && l4.dport < HEALTH_PORT_BASE + HEALTH_PORTS && l4.sport === m.member.protocolPort) {
        const ok = (l4.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
        this.result(sim, pool, m, ok, ok ? 'connected (SYN-ACK)' : l4.flags & TCP_RST ? 'connection refused (RST)' : 'unexpected answer');
        return true;
      }
      if (l4.proto === 'icmp' && (l4.type === ICMP.v4.echoReply || l4.type === ICMP.v6.echoReply) && l4.id === 0xbeef) {
        this.result(sim, pool, m, true, 'echo reply');
        return true;
      }
      if (l4.proto === 'icmp' && l4.quoted) {
        this.result(sim, pool, m, false, 'ICMP unreachable');
        return true;
      }
    }
    return false;
  }
}
