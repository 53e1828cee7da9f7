/**
 * A client's subscription: which trace events and verdicts of the shared stream it wants
 * (the `filter` of a `subscribe` message, documented in protocol.ts). Compiled once per
 * subscribe into sets, so the per-event test is a few lookups.
 */
import type { TraceEvent } from '../trace/events.js';
import { shortNode } from '../trace/render.js';
import type { VerdictKind } from '../trace/verdict.js';
import type { SubscribeFilter } from './protocol.js';

export interface Subscription {
  readonly events: boolean;
  readonly background: boolean;
  readonly nodes: ReadonlySet<string> | null;
  readonly stages: ReadonlySet<string> | null;
  /** Stage families: `sg` matches `sg.ingress` and `sg.egress`. */
  readonly stagePrefixes: readonly string[];
  readonly verdicts: ReadonlySet<VerdictKind> | null;
}

/** Everything: what a client gets until it subscribes. */
export const EVERYTHING: Subscription = compileFilter({});

export function compileFilter(f: SubscribeFilter): Subscription {
  return {
    events: f.events ?? true,
    background: f.background ?? true,
    nodes: f.nodes ? new Set(f.nodes) : null,
    stages: f.stages ? new Set(f.stages) : null,
    stagePrefixes: f.stages ? f.stages.map((s) => `${s}.`) : [],
    verdicts: f.verdicts ? new Set(f.verdicts) : null,
  };
}

const nodeListed = (nodes: ReadonlySet<string>, id: string): boolean => nodes.has(id) || nodes.has(shortNode(id));

/** `verdict`: the verdict of the event's probe (undefined for background events). */
export function wantsEvent(s: Subscription, e: TraceEvent, verdict: VerdictKind | undefined): boolean {
  if (!s.events) return false;
  if (e.probe === 0) {
    if (!s.background) return false;
  } else if (s.verdicts && (verdict === undefined || !s.verdicts.has(verdict))) return false;
  if (s.nodes && !nodeListed(s.nodes, e.node)) return false;
  if (s.stages && !s.stages.has(e.stage) && !s.stagePrefixes.some((p) => e.stage.startsWith(p))) return false;
  return true;
}

export function wantsVerdict(s: Subscription, verdict: VerdictKind, path: readonly string[], dropNode: string | null): boolean {
  if (s.verdicts && !s.verdicts.has(verdict)) return false;
  if (s.nodes) {
    const nodes = s.nodes;
    if (!path.some((n) => nodeListed(nodes, n)) && !(dropNode !== null && nodeListed(nodes, dropNode))) return false;
  }
  return true;
}
