/**
 * The `lb.select` stage, one for every place a VIP is served: the router of an OVN-style `dnat`
 * load balancer and the load balancer's own node (proxy mode, clients on the VIP's subnet).
 * A new connection to a listener gets a member (balancer.ts decides which) or, with no healthy
 * member, a refusal as OVN's LB with reject answers it (TCP RST, ICMP port unreachable).
 */
import type { IpPacket } from '../packet/frame.js';
import type { Flow } from '../packet/flow.js';
import type { FrameMeta, Sim } from '../engine/node-contract.js';
import { respond } from '../l3/host-stack.js';
import type { Balancer, MemberState, PoolState } from './balancer.js';

export type LbSelection =
  /** The destination port has no listener: the balancer does not take the packet. */
  | { readonly kind: 'none' }
  | { readonly kind: 'select'; readonly balancer: Balancer; readonly pool: PoolState; readonly member: MemberState; readonly why: string }
  | { readonly kind: 'reject'; readonly balancer: Balancer; readonly reason: string };

const NONE: LbSelection = Object.freeze({ kind: 'none' });

/**
 * A member for a new connection `flow` (the client's) to the listener on (proto, port); the
 * member's connection count goes up, as the caller now tracks the connection.
 */
export function selectMember(balancer: Balancer, proto: 'tcp' | 'udp', port: number, flow: Pick<Flow, 'src' | 'sport'>): LbSelection {
  const pool = balancer.listenerPool(proto, port);
  if (!pool) return NONE;
  const pick = balancer.pick(pool, flow);
  if (!pick.ok) return { kind: 'reject', balancer, reason: pick.reason };
  pick.member.connections++;
  return { kind: 'select', balancer, pool, member: pick.member, why: pick.why };
}

/**
 * Traces the selection at (node, port) and reports it for the verdict (`lb`: `verdictNode` and
 * the member); a rejection is refused there. Returns the refusal to send back, if any.
 */
export function traceSelection(sim: Sim, node: string, port: string, p: IpPacket, meta: FrameMeta, s: LbSelection, verdictNode: string): IpPacket | null {
  if (s.kind === 'none') return null;
  const lb = s.balancer.lb.name;
  if (s.kind === 'select') {
    sim.trace(node, port, 'lb.select', 'select', p, meta, { lb, pool: s.pool.pool.name, member: s.member.member.instance, algorithm: s.pool.pool.algorithm, why: s.why });
    sim.report(meta, { kind: 'balanced', choice: { node: verdictNode, member: s.member.member.instance, algorithm: s.pool.pool.algorithm } });
    return null;
  }
  sim.trace(node, port, 'lb.select', 'reject', p, meta, { lb, reason: s.reason });
  if (meta.dir === 'forward') sim.report(meta, { kind: 'outcome', outcome: { kind: 'refused', node, stage: 'lb.select', reason: `load balancer ${lb}: ${s.reason}` } });
  const d = respond(p, []);
  return d.kind === 'refuse' ? d.reply : null;
}
