/**
 * The verdict as a reduction over what a probe's stages report: each fact (an outcome, a
 * filter that would drop, a load balancer's choice, a translation, an answer, what the
 * destination saw) folds into the verdict state by one pure function, as a Redux reducer does.
 * The rules that were spread over six simulator callbacks live here: the first decisive outcome
 * wins, only the probe's own (forward) packet counts as blocked, balanced or translated.
 */
import type { IpPacket } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import type { Stage } from '../engine/pipeline.js';
import type { Direction, TraceEvent } from './events.js';
import { pathOf, type Landing, type NatEntry, type ProbeTarget, type Verdict, type VerdictKind } from './verdict.js';

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

/** What a probe named and where it was sent from, for the landing check of verdictFrom. */
export interface ProbeAim {
  readonly target: ProbeTarget;
  /** The sender's node id and the destination address the packet carried. */
  readonly from: string;
  readonly to: IpValue;
}

/** A node id as a reason names it: `a-vm1`, `load balancer web-lb`, `router edge`. */
function describeNode(id: string, sender: string): string {
  if (id === sender) return `${id.slice(id.indexOf(':') + 1)} itself`;
  const colon = id.indexOf(':');
  const kind = colon < 0 ? id : id.slice(0, colon);
  const name = id.slice(colon + 1);
  switch (kind) {
    case 'lb': return `load balancer ${name}`;
    case 'router': return `router ${name}`;
    case 'internet': return 'an undeclared host on the internet';
    default: return name;
  }
}

/** The port where the deciding stage ran at the node that took the packet (null over loopback). */
function landingPort(events: readonly TraceEvent[], o: Outcome): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.direction === 'forward' && e.node === o.node && e.stage === o.stage) return e.port;
  }
  return null;
}

/**
 * The verdict JSON of a probe from its final state and its own trace events; `fallback` is the
 * outcome of a probe no stage decided (its packet was lost). With `aim` (the probe named a
 * node), a packet taken by any other node is `misdelivered`, never delivered or refused.
 */
export function verdictFrom(s: VerdictState, events: readonly TraceEvent[], fallback: Outcome, aim?: ProbeAim): Verdict {
  let o = s.outcome ?? fallback;
  const stopped = o.kind === 'dropped' || o.kind === 'unreachable' || o.kind === 'expired';
  const landed: Landing | null = stopped ? null : { node: o.node, port: landingPort(events, o), outcome: o.kind === 'refused' ? 'refused' : 'delivered' };
  if (aim && landed && !aim.target.nodes.includes(landed.node)) {
    const t = aim.target;
    const reason = `${t.name}'s address ${formatIpValue(aim.to)} is, in ${t.sender}'s address space, ${describeNode(landed.node, aim.from)}; ${t.hint}`;
    o = { ...o, kind: 'misdelivered', reason };
  }
  return {
    verdict: o.kind,
    reply: s.replied,
    path: pathOf(events),
    drop: stopped ? { node: o.node, stage: o.stage, reason: o.reason } : null,
    blockers: s.blockers.map((b) => ({ node: b.node, stage: b.stage, reason: b.reason })),
    nat: s.nat,
    lb: s.lb,
    observed: s.observed ? { src: formatIpValue(s.observed.src), dst: formatIpValue(s.observed.dst) } : null,
    landed,
    reason: o.reason,
    events,
  };
}
