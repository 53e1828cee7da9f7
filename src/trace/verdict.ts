/**
 * The verdict of one probe (docs/trace-json.md): what happened to the packet, whether an answer made it
 * back, the path it took, why it stopped, and what the destination saw. Computed from the
 * outcome the stages reported and the probe's trace events.
 */
import type { TraceEvent } from './events.js';

export type VerdictKind = 'delivered' | 'dropped' | 'refused' | 'unreachable' | 'expired';

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
