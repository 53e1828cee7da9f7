/**
 * The reachability matrix: for every source (instance or external host) and every service
 * declared on every destination (instance, LB listener, floating IP, external host), the
 * verdict and its reason, as a cloud's network access analyzer reports it. One probe per
 * pair of equivalence classes (endpoints.ts), run in one simulator; each row says how many
 * sources and destinations its verdict stands for. Each probe carries its target (the
 * destination by name), so a packet another node takes is `misdelivered`, never delivered;
 * an instance is probed at its address in the sender's address space.
 */
import { parseIp } from '../address/ip.js';
import { Simulator } from '../engine/simulator.js';
import { toIpValue } from '../packet/ip-value.js';
import { addressInSenderSpace, probeTarget } from '../probe/address-space.js';
import { formatIp } from '../address/ip.js';
import type { Cloud } from '../topology/model.js';
import type { VerdictKind } from '../trace/verdict.js';
import { endpointsOf, type Endpoint } from './endpoints.js';

export interface ReachRow {
  readonly from: string;
  readonly to: string;
  readonly address: string;
  readonly service: string;
  readonly verdict: VerdictKind;
  readonly reply: boolean;
  readonly reason: string;
  /** The node that took the packet (delivered, refused, misdelivered), or null. */
  readonly landed: string | null;
  /** Endpoints this row stands for (the row's own included), when classes were merged. */
  readonly fromClass: readonly string[];
  readonly toClass: readonly string[];
}

export interface ReachResult {
  readonly rows: readonly ReachRow[];
  /** Class pairs probed, and how many there were (fewer probed only beyond the budget). */
  readonly sampled: { readonly probed: number; readonly total: number } | null;
  readonly probes: number;
  readonly pairs: number;
  readonly sources: number;
  readonly destinations: number;
}

/** Beyond this many class pairs the matrix samples them evenly (deterministically) and says so. */
export const REACH_BUDGET = 20_000;

export function reachMatrix(cloud: Cloud, filter: { from?: string; to?: string; project?: string; budget?: number } = {}): ReachResult {
  const all = endpointsOf(cloud);
  const sources = all.filter((e) => e.node !== null && (!filter.from || e.name === filter.from) && (!filter.project || e.project === filter.project));
  const destinations = all.filter((e) => e.services.length > 0 && (!filter.to || e.name === filter.to));
  const group = (list: Endpoint[]) => {
    const m = new Map<string, Endpoint[]>();
    for (const e of list) {
      const g = m.get(e.classKey);
      if (g) g.push(e);
      else m.set(e.classKey, [e]);
    }
    return [...m.values()];
  };
  const sim = new Simulator(cloud, { record: false });
  const rows: ReachRow[] = [];
  let probes = 0;
  let pairs = 0;
  const srcClasses = group(sources);
  const dstClasses = group(destinations);
  const total = srcClasses.length * dstClasses.length;
  const budget = filter.budget ?? REACH_BUDGET;
  // Every k-th class pair when over budget: an even spread over sources and destinations.
  const stride = total > budget ? Math.ceil(total / budget) : 1;
  let index = -1;
  let probed = 0;
  for (const srcClass of srcClasses) {
    const src = srcClass[0]!;
    for (const dstClass of dstClasses) {
      if (++index % stride !== 0) continue;
      probed++;
      // A class probed against itself needs two distinct members to stand for "another one".
      const dst = dstClass.find((d) => d.name !== src.name);
      if (!dst) continue;
      const named = parseIp(dst.address);
      if (!named) continue;
      const ip = dst.kind === 'instance' ? addressInSenderSpace(cloud, src.name, dst.name, named) : named;
      const target = probeTarget(cloud, src.name, dst.name, ip);
      for (const svc of dst.services) {
        const v = sim.probe({ from: src.node!, to: toIpValue(ip), proto: svc.proto, port: svc.port, ...(target ? { target } : {}) });
        probes++;
        pairs += srcClass.length * dstClass.filter((d) => d.name !== src.name || dstClass.length === 1).length;
        rows.push({ from: src.name, to: dst.name, address: formatIp(ip), service: svc.text, verdict: v.verdict, reply: v.reply, reason: v.reason, landed: v.landed?.node ?? null, fromClass: srcClass.map((e) => e.name), toClass: dstClass.map((e) => e.name) });
      }
    }
  }
  return { rows, probes, pairs, sources: sources.length, destinations: destinations.length, sampled: stride > 1 ? { probed, total } : null };
}
