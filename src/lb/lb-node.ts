/**
 * A load balancer's own node, on its VIP port: it answers ARP/ND for the VIP, runs the health
 * monitors — real probe packets on the virtual clock (TCP connect for tcp and http monitors,
 * ICMP echo for ping), each check failing on RST, ICMP unreachable or no answer within the
 * timeout; `retries_down` failures in a row take a member down and `retries` successes bring it
 * back (Octavia's max_retries_down / max_retries) — and serves the clients whose traffic
 * reaches it directly: DNAT to the member plus SNAT to the VIP, so the member's reply comes
 * back through here. That is every client in `proxy` mode (an Octavia amphora: the member sees
 * the load balancer's address) and, in `dnat` mode, clients on the VIP's own subnet, which no
 * router sees (OVN's hairpin SNAT does the same).
 */
import { ICMP, TCP_ACK, TCP_RST, TCP_SYN, echoRequestType, type Frame, type IpPacket } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { Flow } from '../packet/flow.js';
import { FlowTable } from '../packet/flow-table.js';
import { ownsAddress, type L3Interface } from '../l3/l3-interface.js';
import { NeighborResolver, type NeighborTimer } from '../l3/neighbors.js';
import type { FrameMeta, Sim, SimNode } from '../engine/node-contract.js';
import { RouteTable } from '../l3/route-table.js';
import { respond } from '../l3/host-stack.js';
import type { Balancer, MemberState, PoolState } from './balancer.js';
import { selectMember, traceSelection } from './select.js';

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

interface ProxyEntry {
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
  private readonly byClient = new FlowTable<ProxyEntry>();
  private readonly proxied = new FlowTable<ProxyEntry>();

  constructor(readonly id: string, readonly iface: L3Interface, readonly balancer: Balancer) {
    this.neighbors = new NeighborResolver(id, () => undefined);
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
    if (sim.recording) sim.trace(this.id, this.iface.port, 'lb.health', 'check', packet, BACKGROUND, { pool: pool.pool.name, member: m.member.instance, type: hm.type });
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

  private send(sim: Sim, p: IpPacket, meta: FrameMeta): void {
    const route = this.routes.lookup(p.dst);
    if (route) this.neighbors.send(sim, this.iface, route.nexthop ?? p.dst, p, meta);
  }

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    if (this.neighbors.handle(sim, this.iface, frame, meta)) return;
    const p = frame.payload;
    if (p.kind !== 'ip' || !ownsAddress(this.iface, p.dst) || frame.dst !== this.iface.mac) return;
    if (this.healthAnswer(sim, p)) return;
    const l4 = p.l4;
    if (l4.proto === 'icmp') {
      const d = respond(p, []);
      if ((d.kind === 'accept' || d.kind === 'refuse') && d.reply) {
        if (sim.recording) sim.trace(this.id, port, 'host.receive', d.kind, p, meta, { reason: d.reason });
        if (meta.dir === 'forward') {
          sim.report(meta, { kind: 'observed', packet: p });
          sim.report(meta, { kind: 'outcome', outcome: { kind: 'delivered', node: this.id, stage: 'host.receive', reason: d.reason } });
        }
        this.send(sim, d.reply, { probe: meta.probe, dir: 'reply' });
      }
      return;
    }
    // A member answering a proxied client: translate back to the client.
    const back = this.proxied.getReverse(Flow.of(p));
    if (back) {
      const out: IpPacket = { ...p, src: this.balancer.vip, dst: back.client, l4: { ...l4, sport: back.vipPort, dport: back.clientPort } };
      if (sim.recording) sim.trace(this.id, port, 'nat.dnat', 'reverse', out, meta, { from: `${formatIpValue(p.src)}:${l4.sport}`, to: `${formatIpValue(this.balancer.vip)}:${back.vipPort}`, why: 'reply from the member, back to the client' });
      this.send(sim, out, meta);
      return;
    }
    this.serveClient(sim, p, meta, port);
  }

  private serveClient(sim: Sim, p: IpPacket, meta: FrameMeta, port: string): void {
    const l4 = p.l4;
    if (l4.proto === 'icmp') return;
    const flow = Flow.of(p);
    const known = this.byClient.get(flow);
    let entry = known;
    if (!entry) {
      const selection = selectMember(this.balancer, l4.proto, l4.dport, flow);
      if (selection.kind === 'none') {
        const d = respond(p, []);
        if (sim.recording) sim.trace(this.id, port, 'lb.select', 'no-listener', p, meta, { reason: `no listener on ${l4.proto}/${l4.dport}` });
        if (meta.dir === 'forward') sim.report(meta, { kind: 'outcome', outcome: { kind: 'refused', node: this.id, stage: 'lb.select', reason: `load balancer ${this.balancer.lb.name} has no listener on ${l4.proto}/${l4.dport}` } });
        if (d.kind === 'refuse') this.send(sim, d.reply, { probe: meta.probe, dir: 'reply' });
        return;
      }
      const refusal = traceSelection(sim, this.id, port, p, meta, selection, this.id);
      if (selection.kind !== 'select') {
        if (refusal) this.send(sim, refusal, { probe: meta.probe, dir: 'reply' });
        return;
      }
      entry = { client: p.src, clientPort: l4.sport, member: selection.member, vipPort: l4.dport, lbPort: ++this.nextPort };
      this.byClient.set(flow, entry);
      this.proxied.set(new Flow(flow.proto, this.balancer.vip, entry.lbPort, selection.member.address, selection.member.member.protocolPort), entry);
    }
    const out: IpPacket = { ...p, src: this.balancer.vip, dst: entry.member.address, l4: { ...l4, sport: entry.lbPort, dport: entry.member.member.protocolPort } };
    const from = `${formatIpValue(p.src)}:${l4.sport} → ${formatIpValue(p.dst)}:${l4.dport}`;
    const to = `${formatIpValue(out.src)}:${entry.lbPort} → ${formatIpValue(out.dst)}:${entry.member.member.protocolPort}`;
    const why = this.balancer.lb.mode === 'proxy' ? 'proxy mode: the load balancer connects to the member from the VIP' : 'client on the VIP\'s subnet: DNAT to the member and SNAT to the VIP (hairpin SNAT)';
    if (sim.recording) sim.trace(this.id, port, 'nat.dnat', 'dnat', out, meta, { from, to, why });
    if (!known) sim.report(meta, { kind: 'translated', entry: { node: this.id, kind: 'dnat', from, to } });
    this.send(sim, out, meta);
  }

  /** Answers to health checks: SYN-ACK or echo reply pass, RST or ICMP unreachable fail. */
  private healthAnswer(sim: Sim, p: IpPacket): boolean {
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
