/**
 * compileStages (src/util/stages.ts) turns a stage table into one generated function; it must
 * decide exactly as the reference loop runStages does: the same stages called in the same order
 * with the same context, the first stop returned as it is, FELL_THROUGH when none stops.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileStages, FELL_THROUGH, NEXT, runStages, step, stop, type Pipeline, type StageDecision } from '../../../src/util/stages.js';
import type { Stage } from '../../../src/engine/pipeline.js';

const IDS: readonly Stage[] = ['arp', 'nd', 'acl', 'nat.dnat', 'nat.snat', 'router.route', 'switch.flood', 'host.receive'];

interface Ctx {
  readonly calls: number[];
  /** The value each stage reads, so a runner that passed another context would show. */
  readonly input: number;
}

/** A table of stages: each records that it ran, and goes on or stops as its plan says (possibly reading the context). */
const tableArb = fc.array(fc.record({ id: fc.constantFrom(...IDS), plan: fc.oneof(fc.constant<'next'>('next'), fc.constant<'stop'>('stop'), fc.constant<'odd'>('odd')) }), { maxLength: 14 });

function tableOf(specs: readonly { id: Stage; plan: 'next' | 'stop' | 'odd' }[]): Pipeline<Ctx> {
  return specs.map(({ id, plan }, i) => step<Ctx>(id, (ctx): StageDecision => {
    ctx.calls.push(i);
    if (plan === 'next') return NEXT;
    if (plan === 'stop') return stop(`stage ${i} stops`);
    return ctx.input % 2 === 1 ? stop(`stage ${i} stops odd ${ctx.input}`) : NEXT;
  }));
}

describe('compileStages', () => {
  it('calls the stages runStages calls, in order, and returns its decision (fast-check, 500 tables)', () => {
    fc.assert(fc.property(tableArb, fc.integer({ min: 0, max: 9 }), (specs, input) => {
      const table = tableOf(specs);
      const reference: Ctx = { calls: [], input };
      const compiled: Ctx = { calls: [], input };
      const want = runStages(table, reference);
      const got = compileStages(table)(compiled);
      expect(compiled.calls).toEqual(reference.calls);
      expect(got).toEqual(want);
      expect(got === FELL_THROUGH).toBe(want === FELL_THROUGH);
    }), { numRuns: 500 });
  });

  it('gives one runner per table, shared by every node that runs it, and a stop decision object as the stage returned it', () => {
    const stopped = stop('taken');
    const table: Pipeline<Ctx> = [step('arp', () => NEXT), step('nd', () => stopped), step('acl', () => { throw new Error('runs after a stop'); })];
    expect(compileStages(table)).toBe(compileStages(table));
    expect(compileStages(table)({ calls: [], input: 0 })).toBe(stopped);
    expect(compileStages([] as Pipeline<Ctx>)({ calls: [], input: 0 })).toBe(FELL_THROUGH);
  });
});
