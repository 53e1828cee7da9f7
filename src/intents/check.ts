/**
 * Checking intents over the whole matrix, exactly: endpoints fall into equivalence classes
 * (reach/endpoints.ts: the same groups, services, routers, significant prefixes, ...) refined by
 * the intent's own selectors, and ports into classes cut at every port boundary any rule, ACL,
 * service, listener or port forwarding of the cloud names. One probe per class pair and port
 * class stands for all of them, so nothing is sampled. A violated intent keeps the first
 * counterexample found, as the probe a user would write, and counts the pairs that violate it.
 */
import { Simulator } from '../engine/simulator.js';
import { resolveProbe } from '../probe/probe.js';
import { endpointsOf } from '../reach/endpoints.js';
import type { Cloud } from '../topology/model.js';
import type { Verdict, VerdictKind } from '../trace/verdict.js';
import type { Flow, Intent } from './intents.js';
import type { Selected } from './selectors.js';

/** A probe as a probes file writes it. */
export interface ProbeText {
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port?: number;
}

export interface Counterexample {
  readonly probe: ProbeText;
  /** What should have happened and what did: `expected reachable, got dropped`. */
  readonly problem: string;
  /** The probe's verdict, run again with its trace recorded (null: nothing to run, the destination has no service). */
  readonly verdict: Verdict | null;
}

export interface IntentResult {
  readonly intent: Intent;
  readonly pass: boolean;
  /** Probes run, and the source-destination-traffic triples they stand for. */
  readonly probes: number;
  readonly pairs: number;
  /** Triples that violate the intent (0 when it holds). */
  readonly violations: number;
  readonly counterexample: Counterexample | null;
}

type Traffic = { readonly proto: 'tcp' | 'udp' | 'icmp'; readonly port?: number };

/** Port-class representatives per protocol: 1 and every range start and end + 1 anything in the cloud names. */
export function portBoundaries(cloud: Cloud): { tcp: number[]; udp: number[] } {
  const cuts = { tcp: new Set([1]), udp: new Set([1]) };
  const cut = (protocol: string | number, from: number, to: number) => {
    const protos: ('tcp' | 'udp')[] = protocol === 'any' ? ['tcp', 'udp'] : protocol === 'tcp' || protocol === 'udp' ? [protocol] : [];
    for (const p of protos) {
      cuts[p].add(from);
      if (to < 65535) cuts[p].add(to + 1);
    }
  };
  for (const g of cloud.securityGroups.values()) for (const r of g.rules) if (r.ports) cut(r.protocol, r.ports.from, r.ports.to);
  for (const a of cloud.networkAcls.values()) for (const r of [...a.ingress, ...a.egress]) if (r.ports) cut(r.protocol, r.ports.from, r.ports.to);
  for (const i of cloud.instances.values()) for (const s of i.services) cut(s.protocol, s.from, s.to);
  for (const h of cloud.externalHosts.values()) for (const s of h.services) cut(s.protocol, s.from, s.to);
  for (const lb of cloud.loadBalancers.values()) for (const l of lb.listeners) cut(l.protocol === 'udp' ? 'udp' : 'tcp', l.port, l.port);
  for (const f of cloud.floatingIps.values()) for (const pf of f.portForwardings) cut(pf.protocol, pf.externalPort, pf.externalPort);
  const sorted = (s: Set<number>) => [...s].filter((p) => p >= 1 && p <= 65535).sort((a, b) => a - b);
  return { tcp: sorted(cuts.tcp), udp: sorted(cuts.udp) };
}

/** The representatives of the classes that meet [from, to]: `from` itself and every cut inside. */
const portsIn = (cuts: readonly number[], range: { from: number; to: number }): number[] => [range.from, ...cuts.filter((c) => c > range.from && c <= range.to)];

/** Services of a destination (what `exact` and a port-less `reachable` are about), as reach lists them. */
type Services = ReadonlyMap<string, readonly Traffic[]>;


const key = (e: Selected) => `${e.kind}\0${e.name}`;

const matchesProto = (flow: Flow, t: Traffic): boolean =>
  (flow.proto === 'any' || flow.proto === t.proto) && (flow.ports === null || t.port === undefined || (t.port >= flow.ports.from && t.port <= flow.ports.to));

interface Context {
  readonly cloud: Cloud;
  readonly sim: Simulator;
  readonly classOf: ReadonlyMap<string, string>;
  readonly services: Services;
  readonly cuts: { tcp: number[]; udp: number[] };
}

/** Members grouped by class, refined by which of `refine`'s sets each is in (so membership is constant per class). */
function classes(ctx: Context, members: readonly Selected[], refine: readonly ReadonlySet<string>[]): Selected[][] {
  const m = new Map<string, Selected[]>();
  for (const e of members) {
    const k = `${ctx.classOf.get(key(e)) ?? key(e)}|${refine.map((s) => (s.has(key(e)) ? 1 : 0)).join('')}`;
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  }
  return [...m.values()];
}

/** A source and a destination of two classes that are not one endpoint, or undefined when there is none. */
function representatives(src: readonly Selected[], dst: readonly Selected[]): [Selected, Selected] | undefined {
  const s = src[0]!;
  const d = dst.find((x) => x.name !== s.name);
  if (d) return [s, d];
  const other = src.find((x) => x.name !== dst[0]!.name);
  return other ? [other, dst[0]!] : undefined;
}

const selfPairs = (src: readonly Selected[], dst: readonly Selected[]): number => {
  const names = new Set(dst.map((d) => d.name));
  return src.filter((s) => names.has(s.name)).length;
};

function run(ctx: Context, s: Selected, d: Selected, t: Traffic): Verdict | undefined {
  const r = resolveProbe(ctx.cloud, { from: s.name, to: d.name, proto: t.proto, port: t.port ?? 0, ipv6: false, spoof: null });
  return r.ok ? ctx.sim.probe(r.probe.spec) : undefined;
}

const probeText = (s: Selected, d: Selected, t: Traffic): ProbeText => ({ from: s.name, to: d.name, proto: t.proto, ...(t.port !== undefined ? { port: t.port } : {}) });

/** The traffic a reachable or isolated intent is about, from one source class to one destination. */
function trafficOf(ctx: Context, kind: 'reachable' | 'isolated', flow: Flow, d: Selected): Traffic[] {
  const protos = flow.proto === 'any' ? (['tcp', 'udp', 'icmp'] as const) : [flow.proto];
  if (kind === 'reachable' && flow.ports === null && flow.proto !== 'icmp') {
    // Reachable with no port: every service the destination declares (of the protocol).
    return (ctx.services.get(key(d)) ?? []).filter((t) => matchesProto(flow, t));
  }
  const out: Traffic[] = [];
  for (const proto of protos) {
    if (proto === 'icmp') out.push({ proto });
    else for (const port of portsIn(ctx.cuts[proto], flow.ports ?? { from: 1, to: 65535 })) out.push({ proto, port });
  }
  return out;
}

/** Reached for isolation: the packet got to the destination (a closed port's answer proves the path open). */
const reached = (v: VerdictKind) => v === 'delivered' || v === 'refused';

export function checkIntent(ctx: Context, intent: Intent): IntentResult {
  let probes = 0;
  let pairs = 0;
  let violations = 0;
  let first: { s: Selected; d: Selected; t: Traffic; problem: string } | undefined;
  const flowOf = intent.kind === 'exact' ? intent.scope : intent.flow;
  const refineFrom = intent.kind === 'exact' ? intent.allowed.map((f) => new Set(f.from.map(key))) : [];
  const refineTo = intent.kind === 'exact' ? intent.allowed.map((f) => new Set(f.to.map(key))) : [];
  const srcClasses = classes(ctx, flowOf.from, refineFrom);
  const dstClasses = classes(ctx, flowOf.to, refineTo);
  for (const sc of srcClasses) {
    for (const dc of dstClasses) {
      const rep = representatives(sc, dc);
      if (!rep) continue;
      const [s, d] = rep;
      const weight = sc.length * dc.length - selfPairs(sc, dc);
      const traffic = intent.kind === 'exact' ? ctx.services.get(key(d)) ?? [] : trafficOf(ctx, intent.kind, intent.flow, d);
      if (intent.kind === 'reachable' && traffic.length === 0) {
        pairs += weight;
        violations += weight;
        first ??= { s, d, t: { proto: 'tcp' }, problem: `expected reachable, but ${d.name} declares no ${intent.flow.proto === 'any' ? '' : `${intent.flow.proto} `}service to reach` };
        continue;
      }
      for (const t of traffic) {
        const v = run(ctx, s, d, t);
        if (!v) continue;
        probes++;
        pairs += weight;
        let problem: string | undefined;
        if (intent.kind === 'reachable' && v.verdict !== 'delivered') problem = `expected reachable, got ${v.verdict}`;
        if (intent.kind === 'isolated' && reached(v.verdict)) problem = `expected isolated, got ${v.verdict}`;
        if (intent.kind === 'exact') {
          const listed = intent.allowed.findIndex((f) => f.from.some((x) => x.name === s.name) && f.to.some((x) => key(x) === key(d)) && matchesProto(f, t));
          if (listed >= 0 && v.verdict !== 'delivered') problem = `expected delivered (exact[${listed}]: ${intent.allowed[listed]!.fromText} → ${intent.allowed[listed]!.toText}), got ${v.verdict}`;
          if (listed < 0 && v.verdict === 'delivered') problem = 'delivered, but no flow of the exact list allows it';
        }
        if (problem !== undefined) {
          violations += weight;
          first ??= { s, d, t, problem };
        }
      }
    }
  }
  let counterexample: Counterexample | null = null;
  if (first) {
    // Run again alone with the trace recorded: the report shows where it went and why.
    const again = new Simulator(ctx.cloud);
    const verdict = first.t.port === undefined && first.t.proto !== 'icmp' ? undefined : run({ ...ctx, sim: again }, first.s, first.d, first.t);
    counterexample = { probe: probeText(first.s, first.d, first.t), problem: first.problem, verdict: verdict ?? null };
  }
  return { intent, pass: violations === 0, probes, pairs, violations, counterexample };
}

/** Every intent against one cloud, in one simulator (record off: only verdicts are needed). */
export function checkIntents(cloud: Cloud, intents: readonly Intent[]): IntentResult[] {
  const classOf = new Map<string, string>();
  const services = new Map<string, Traffic[]>();
  for (const e of endpointsOf(cloud)) {
    classOf.set(`${e.kind}\0${e.name}`, e.classKey);
    services.set(`${e.kind}\0${e.name}`, e.services.map((s) => ({ proto: s.proto, port: s.port })));
  }
  const ctx: Context = { cloud, sim: new Simulator(cloud, { record: false }), classOf, services, cuts: portBoundaries(cloud) };
  return intents.map((i) => checkIntent(ctx, i));
}
