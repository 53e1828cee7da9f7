/**
 * The verdict as a reduction over what a probe's stages report: each fact (an outcome, a
 * filter that would drop, a load balancer's choice, a translation, an answer, what the
 * destination saw) folds into the verdict state by one pure function, as a Redux reducer does.
 * The rules that were spread over six simulator callbacks live here: the first decisive outcome
 * wins, only the probe's own (forward) packet counts as blocked, balanced or translated.
 */
import type { IpPacket } from '../packet/frame.js';
import { formatIpValue } from '../packet/ip-value.js';
import type { Stage } from '../engine/pipeline.js';
import type { Direction, TraceEvent } from './events.js';
import { pathOf, type NatEntry, type Verdict, type VerdictKind } from './verdict.js';

/** Where and why a probe ended (or would have, for a blocker with `--explain all`). */
export interface Outcome {
  readonly kind: VerdictKind;
  readonly node: string;
  readonly stage: Stage;
  readonly reason: string;
}

export interface LbChoice {
  readonly node: string;
  readonly member: string;
  readonly algorithm: string;
}

/** What a stage reports about the probe whose packet it handles. */
export type VerdictFact =
  /** A decisive outcome: delivered, refused, unreachable, expired (or dropped without a filter). */
  | { readonly kind: 'outcome'; readonly outcome: Outcome }
  /** A filter (port security, security group, network ACL) would drop the packet. */
  | { readonly kind: 'blocked'; readonly outcome: Outcome }
  | { readonly kind: 'balanced'; readonly choice: LbChoice }
  | { readonly kind: 'translated'; readonly entry: NatEntry }
  /** The sender got an answer back. */
  | { readonly kind: 'replied' }
  /** The packet as the destination saw it. */
  | { readonly kind: 'observed'; readonly packet: IpPacket };

export interface VerdictState {
  readonly outcome: Outcome | undefined;
  readonly blockers: readonly Outcome[];
  readonly nat: readonly NatEntry[];
  readonly lb: LbChoice | null;
  readonly replied: boolean;
  readonly observed: IpPacket | undefined;
}

export const INITIAL_VERDICT_STATE: VerdictState = Object.freeze({ outcome: undefined, blockers: Object.freeze([]), nat: Object.freeze([]), lb: null, replied: false, observed: undefined });

/**
 * With `--explain all` a blocked packet goes on, so that every blocker on its path is reported;
 * only the probe's own packet: a filtered reply is reported by `reply: false`.
 */
export const liftsBlocker = (explainAll: boolean, dir: Direction): boolean => explainAll && dir === 'forward';

/** The state after one fact about a packet travelling in direction `dir`. Returns `s` itself when nothing changes. */
export function reduceVerdict(s: VerdictState, fact: VerdictFact, dir: Direction): VerdictState {
  switch (fact.kind) {
    case 'outcome':
      return s.outcome ? s : { ...s, outcome: fact.outcome };
    case 'blocked':
      if (dir !== 'forward') return s;
      return { ...s, blockers: [...s.blockers, fact.outcome], outcome: s.outcome ?? fact.outcome };
    case 'balanced':
      return dir === 'forward' && !s.lb ? { ...s, lb: fact.choice } : s;
    case 'translated':
      return dir === 'forward' ? { ...s, nat: [...s.nat, fact.entry] } : s;
    case 'replied':
      return s.replied ? s : { ...s, replied: true };
    case 'observed':
      return s.observed ? s : { ...s, observed: fact.packet };
  }
}

/** The state a sequence of facts leads to (what the simulator computes fact by fact). */
export function reduceVerdictFacts(facts: readonly { readonly fact: VerdictFact; readonly dir: Direction }[]): VerdictState {
  return facts.reduce((s, f) => reduceVerdict(s, f.fact, f.dir), INITIAL_VERDICT_STATE);
}

/**
 * The verdict JSON of a probe from its final state and its own trace events; `fallback` is the
 * outcome of a probe no stage decided (its packet was lost).
 */
export function verdictFrom(s: VerdictState, events: readonly TraceEvent[], fallback: Outcome): Verdict {
  const o = s.outcome ?? fallback;
  const stopped = o.kind === 'dropped' || o.kind === 'unreachable' || o.kind === 'expired';
  return {
    verdict: o.kind,
    reply: s.replied,
    path: pathOf(events),
    drop: stopped ? { node: o.node, stage: o.stage, reason: o.reason } : null,
    blockers: s.blockers.map((b) => ({ node: b.node, stage: b.stage, reason: b.reason })),
    nat: s.nat,
    lb: s.lb,
    observed: s.observed ? { src: formatIpValue(s.observed.src), dst: formatIpValue(s.observed.dst) } : null,
    reason: o.reason,
    events,
  };
}
