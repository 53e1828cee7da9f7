/**
 * The verdict of one probe (docs/trace-json.md): what happened to the packet, whether an answer made it
 * back, the path it took, why it stopped, and what the destination saw. Computed from the
 * outcome the stages reported and the probe's trace events.
 */
import type { TraceEvent } from './events.js';

/**
 * `misdelivered`: the probe named a node (an instance, a load balancer, a floating IP, an
 * external host) but the packet was taken by another one — an address that means something
 * else in the sender's address space (overlapping project subnets), or the sender itself.
 */
export type VerdictKind = 'delivered' | 'dropped' | 'refused' | 'unreachable' | 'expired' | 'misdelivered';

/** Every verdict kind (misdelivered last: it came last). */
export const VERDICT_KINDS: readonly VerdictKind[] = ['delivered', 'refused', 'dropped', 'unreachable', 'expired', 'misdelivered'];

/** Where a probe's packet was taken: the node (and its port; null over loopback or when not traced). */
export interface Landing {
  readonly node: string;
  readonly port: string | null;
  /** What that node did with it (for misdelivered: what the wrong node did). */
  readonly outcome: 'delivered' | 'refused';
}

/**
 * The node a probe is meant for, when it named one: the name as written, the node ids that
 * count as it receiving the packet (an LB or its members; a floating IP's instance), and what
 * a misdelivery's reason adds about how the target is reached from the sender.
 */
export interface ProbeTarget {
  readonly name: string;
  readonly nodes: readonly string[];
  /** The sender as the user named it. */
  readonly sender: string;
  /** "b-vm1 is in project beta, reachable from alpha by its floating IP b-fip". */
  readonly hint: string;
}

export interface NatEntry {
  readonly node: string;
  readonly kind: 'snat' | 'dnat' | 'fip';
  readonly from: string;
  readonly to: string;
}

export interface Verdict {
  readonly verdict: VerdictKind;
  readonly reply: boolean;
  /** The nodes the probe's packet passed, from the sender to where it ended. */
  readonly path: readonly string[];
  readonly drop: { readonly node: string; readonly stage: string; readonly reason: string } | null;
  /** Every filter that would drop the probe's packet (more than one only with `--explain all`). */
  readonly blockers: readonly { readonly node: string; readonly stage: string; readonly reason: string }[];
  readonly nat: readonly NatEntry[];
  readonly lb: { readonly node: string; readonly member: string; readonly algorithm: string } | null;
  readonly observed: { readonly src: string; readonly dst: string } | null;
  /** The node (and port) that took the packet, for delivered, refused and misdelivered; null otherwise. */
  readonly landed: Landing | null;
  /** One sentence saying why: "delivered: listening on tcp/5432". */
  readonly reason: string;
  readonly events: readonly TraceEvent[];
}

/** The path: nodes of the probe's forward packet, in order, skipping copies that were ignored. */
export function pathOf(events: readonly TraceEvent[]): string[] {
  const path: string[] = [];
  for (const e of events) {
    if (e.direction !== 'forward' || e.action === 'ignore' || e.stage === 'arp' || e.stage === 'nd') continue;
    if (path[path.length - 1] !== e.node) path.push(e.node);
  }
  return path;
}
