/**
 * A node's pipeline as data: an ordered list of named stage functions, each taking the hop's
 * context and returning a decision — go on to the next stage, or stop with a reason — as OVN's
 * northd generates its stage enum, names and order from one table and smoltcp's process_ipv4
 * returns a decision from each step. The tables themselves are in src/engine/pipeline.ts.
 */
import type { Stage } from '../engine/pipeline.js';

export type StageDecision =
  | { readonly next: true }
  /** The packet's life at this node ends here: taken, answered, sent on, or dropped (and why). */
  | { readonly next: false; readonly reason: string };

/** Go on to the next stage: every stage's explicit default when it has nothing to do. */
export const NEXT: StageDecision = Object.freeze({ next: true });

export const stop = (reason: string): StageDecision => Object.freeze({ next: false, reason });

export interface StageStep<C> {
  /** The stage id its trace events carry. */
  readonly id: Stage;
  readonly run: (ctx: C) => StageDecision;
}

export type Pipeline<C> = readonly StageStep<C>[];

export const step = <C>(id: Stage, run: (ctx: C) => StageDecision): StageStep<C> => ({ id, run });

/** What a table whose stages all said "next" decides: no stage took the packet. */
export const FELL_THROUGH: StageDecision = stop('no stage took the packet');

/** Runs the stages in order until one stops. */
export function runStages<C>(pipeline: Pipeline<C>, ctx: C): StageDecision {
  for (let i = 0; i < pipeline.length; i++) {
    const d = pipeline[i]!.run(ctx);
    if (!d.next) return d;
  }
  return FELL_THROUGH;
}
