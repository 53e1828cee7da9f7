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

/** Runs the stages in order until one stops: the reference that compileStages' runners agree with. */
export function runStages<C>(pipeline: Pipeline<C>, ctx: C): StageDecision {
  for (let i = 0; i < pipeline.length; i++) {
    const d = pipeline[i]!.run(ctx);
    if (!d.next) return d;
  }
  return FELL_THROUGH;
}

/** A pipeline as one function: the stages called in order until one stops (runStages' result). */
export type StageRunner<C> = (ctx: C) => StageDecision;

const runners = new WeakMap<object, StageRunner<never>>();

/**
 * The pipeline as a function generated once per table, which calls its stages one after the
 * other as hand-written code would. runStages' loop calls every node kind's stages from one
 * call site, which V8 sees reach some twenty functions and then neither inlines nor predicts
 * (megamorphic); a runner's call sites each reach one stage. On a quiet machine
 * (`npm run bench -- engine-old` against the loop) steady forwarding gained 2% recording off
 * and 5-6% recording on. The generated text holds only parameter names, never a table's data.
 * Tables are shared, so every node of a kind shares one runner.
 */
export function compileStages<C>(pipeline: Pipeline<C>): StageRunner<C> {
  const known = runners.get(pipeline) as StageRunner<C> | undefined;
  if (known) return known;
  const names = pipeline.map((_, i) => `s${i}`);
  const body = names.map((n) => `d = ${n}(ctx); if (!d.next) return d;`).join(' ');
  const make = new Function(...names, 'fellThrough', `return function runStages(ctx) { let d; ${body} return fellThrough; };`) as (...fns: unknown[]) => StageRunner<C>;
  const runner = make(...pipeline.map((s) => s.run), FELL_THROUGH);
  runners.set(pipeline, runner as StageRunner<never>);
  return runner;
}
