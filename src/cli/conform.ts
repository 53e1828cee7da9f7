/**
 * `vnet conform FILE [--probes PROBES.yaml] [--json] [--prefix P]`: realizes the cloud in network
 * namespaces, runs each probe for real inside them and in vnet, and prints both side by side:
 * the verdicts, the source address the far end saw and the member that served. Expected
 * differences (src/realize/differences.ts) carry their reason; an unexplained one exits 1.
 * The realization is torn down at the end, on failure, and on SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseProbes } from '../audit/probes.js';
import { Simulator } from '../engine/simulator.js';
import { formatIpValue } from '../packet/ip-value.js';
import type { ResolvedProbe } from '../probe/probe.js';
import { planRealization } from '../realize/build-plan.js';
import { ConformSession } from '../realize-runner/conform-session.js';
import { defaultProbes } from '../realize/default-probes.js';
import { compare, type Comparison, type RealOutcome } from '../realize/differences.js';
import { agentPath, runPlan, teardown } from '../realize-runner/run-plan.js';
import { formatIssue } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import type { Verdict } from '../trace/verdict.js';
import type { Io } from './io.js';
import { failWith, realizeTarget } from './realize-target.js';
import { renderTable } from './table.js';

export interface ConformOptions {
  readonly probes?: string;
  readonly json?: boolean;
  readonly prefix?: string;
  /** Leave the realization up after the probes, to look around in it (an interrupt still tears down). */
  readonly keep?: boolean;
}

/** A real probe waits this long for an answer (TCP connect, UDP answer, echo reply). */
const TIMEOUT_MS = 1000;
/** Probe i sends from this port + i (TCP, UDP) in vnet and in the kernel: unique in a run, so no TIME_WAIT clash. */
const FIRST_SOURCE_PORT = 41000;

interface Row {
  readonly probe: ResolvedProbe;
  readonly vnet: Verdict;
  readonly real: RealOutcome & { ms: number };
  readonly comparison: Comparison;
}

export async function runConform(file: string, opts: ConformOptions, io: Io): Promise<number> {
  const fail = failWith(io);
  const target = realizeTarget(file, opts.prefix, io);
  if (!target.ok) return target.code;
  const { cloud, prefix } = target;
  let probes: ResolvedProbe[];
  if (opts.probes !== undefined) {
    let text: string;
    try { text = readFileSync(opts.probes, 'utf8'); } catch (e) { return fail(`${opts.probes}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    const parsed = parseProbes(text, cloud, opts.probes);
    if (!parsed.ok) {
      for (const issue of parsed.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
      return 1;
    }
    probes = parsed.probes;
  } else {
    probes = defaultProbes(cloud);
  }
  if (process.getuid?.() !== 0) return fail('conform realizes the cloud in network namespaces: run as root');
  const agent = agentPath();
  if (agent === null) return fail('dist/realize-agent.cjs not found: run npm run build');

  // vnet first: one simulation, probes in order (caches, conntrack and LB state carry over).
  const vnetStart = performance.now();
  const sim = new Simulator(cloud);
  // Both sides send from the same source port (it decides source hashing and SNAT's choice).
  const sportOf = (i: number, p: ResolvedProbe) => (p.proto === 'icmp' ? undefined : FIRST_SOURCE_PORT + i);
  const verdicts = probes.map((p, i) => sim.probe({ ...p.spec, ...(sportOf(i, p) !== undefined ? { sport: sportOf(i, p)! } : {}) }));
  const vnetMs = performance.now() - vnetStart;

  const plan = planRealization(cloud, prefix);
  // Drop counters: security groups (instances), NAT and ACLs (routers), port security (the fabric).
  const session = new ConformSession(agent, plan.namespaces.filter((n) => n.role.startsWith('instance ') || n.role.startsWith('router ') || n.role === 'fabric').map((n) => n.name));
  let interrupted = false;
  let kept = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    session.close();
    teardown(prefix);
    io.err(`vnet conform: ${signal}: tore down ${prefix}-*`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const realizeStart = performance.now();
    const made = await runPlan(plan, agent);
    if (!made.ok) return fail(made.message);
    const realizeMs = performance.now() - realizeStart;
    const nsOf = senderNamespaces(cloud, plan.namespaces);
    await session.start(probes.map((p) => nsOf(p.from)));
    const rows: Row[] = [];
    const realStart = performance.now();
    for (const [i, probe] of probes.entries()) {
      if (interrupted) break;
      const sport = sportOf(i, probe);
      const real = await session.probe(nsOf(probe.from), { proto: probe.proto, dst: formatIpValue(probe.spec.to), port: probe.port, timeoutMs: TIMEOUT_MS, ...(sport !== undefined ? { sport } : {}), ...(probe.spoof !== null ? { src: probe.spoof } : {}) });
      rows.push({ probe, vnet: verdicts[i]!, real, comparison: compare(verdicts[i]!, real, probe.proto) });
    }
    const realMs = performance.now() - realStart;
    session.close();
    const downStart = performance.now();
    kept = opts.keep === true && !interrupted;
    if (!kept) teardown(prefix);
    const teardownMs = kept ? null : Math.round(performance.now() - downStart);
    const timing: Timing = { realizeMs: Math.round(realizeMs), teardownMs, realProbesPerSecond: round1(rows.length / (realMs / 1000)), vnetProbesPerSecond: round1(rows.length / (vnetMs / 1000)) };
    const differ = rows.filter((r) => r.comparison.status === 'differ').length;
    const expected = rows.filter((r) => r.comparison.status === 'expected').length;
    if (opts.json) io.out(JSON.stringify({ topology: cloud.name, prefix, rows: rows.map(rowJson), summary: { probes: rows.length, agree: rows.length - differ - expected, expected, differ }, timing, kept }, null, 2));
    else printTable(rows, timing, io);
    if (kept) io.err(`vnet conform: left up: ${prefix}-* (see ip netns list); remove it with: vnet realize ${file} --down --prefix ${prefix}`);
    return differ > 0 ? 1 : 0;
  } finally {
    session.close();
    if (!kept) teardown(prefix);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The namespace a probe's sender lives in. */
function senderNamespaces(cloud: Cloud, namespaces: readonly { name: string; role: string }[]): (from: string) => string {
  const byRole = new Map(namespaces.map((n) => [n.role, n.name]));
  return (from) => {
    const inst = [...cloud.instances.values()].find((i) => i.name === from || i.ports.some((id) => cloud.ports.get(id)!.fixedIps.some((f) => f.address.text === from)));
    if (inst) return byRole.get(`instance ${inst.name}`)!;
    const host = [...cloud.externalHosts.values()].find((h) => h.name === from || h.address.text === from)!;
    return byRole.get(`external host ${host.name}`)!;
  };
}

const what = (p: ResolvedProbe) => `${p.proto === 'icmp' ? 'icmp' : `${p.proto}/${p.port}`}${typeof p.spec.to === 'bigint' ? ' (IPv6)' : ''}${p.spoof !== null ? ` from ${p.spoof}` : ''}`;
const vnetCell = (v: Verdict) => (v.verdict === 'delivered' && v.observed ? `${v.verdict} ${v.observed.src}${v.lb ? ` → ${v.observed.dst}` : ''}` : v.verdict);
const realCell = (r: RealOutcome & { ms: number }) => `${r.verdict}${r.seenSrc ? ` ${r.seenSrc}` : ''}${r.seenDst && r.seenSrc ? ` → ${r.seenDst}` : ''} (${Math.round(r.ms)} ms)`;

interface Timing {
  readonly realizeMs: number;
  /** Null when the realization was kept (--keep). */
  readonly teardownMs: number | null;
  readonly realProbesPerSecond: number;
  readonly vnetProbesPerSecond: number;
}

function printTable(rows: readonly Row[], timing: Timing, io: Io): void {
  const s = io.outStyle;
  const status = (c: Comparison) => (c.status === 'agree' ? s.green('agree') : c.status === 'expected' ? s.yellow('expected') : s.red('DIFFER'));
  io.out(renderTable(['#', 'probe', 'vnet (far end saw)', 'kernel (far end saw)', '', 'why'],
    rows.map((r, i) => [String(i + 1), `${r.probe.from} → ${r.probe.to} ${what(r.probe)}`, vnetCell(r.vnet), realCell(r.real), status(r.comparison), r.comparison.reason ?? (r.real.dropAt ? `dropped at ${r.real.dropAt}` : '')]), s));
  const differ = rows.filter((r) => r.comparison.status === 'differ').length;
  const expected = rows.filter((r) => r.comparison.status === 'expected').length;
  io.out('');
  io.out(`${rows.length} probes: ${rows.length - differ - expected} agree, ${expected} expected differences, ${differ} unexplained`);
  io.out(`realize ${timing.realizeMs} ms, ${timing.teardownMs === null ? 'kept up' : `teardown ${timing.teardownMs} ms`}; probes/s: kernel ${timing.realProbesPerSecond}, vnet ${timing.vnetProbesPerSecond}`);
}

function rowJson(r: Row) {
  return {
    probe: { from: r.probe.from, to: r.probe.to, proto: r.probe.proto, port: r.probe.port, ipv6: typeof r.probe.spec.to === 'bigint', spoof: r.probe.spoof },
    vnet: { verdict: r.vnet.verdict, observed: r.vnet.observed, lb: r.vnet.lb, reason: r.vnet.reason },
    kernel: { verdict: r.real.verdict, seen: r.real.seenSrc === null ? null : { src: r.real.seenSrc, dst: r.real.seenDst }, dropAt: r.real.dropAt, detail: r.real.detail, ms: r.real.ms },
    status: r.comparison.status,
    reason: r.comparison.reason,
  };
}
