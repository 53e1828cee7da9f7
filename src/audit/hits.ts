/**
 * Rule hit counts over a set of probes: the probes run one after another in one simulation
 * (caches and connection tables carry over, as in `vnet trace --count`), and every security-
 * group decision that a rule made — an `sg.ingress`/`sg.egress` event with action allow that
 * names a group and rule — counts for that rule. Packets of tracked connections pass by
 * conntrack and count for no rule, so a stateful rule counts the connections it opened. A rule
 * is credited only when it is the one the matcher names (the first in the port's union), so a
 * rule always beaten to it by another shows zero, like a shadowed rule in a firewall's counters.
 * Only the probes' own packets count (forward and reply), not background traffic such as the
 * LB's health checks, which runs on its own clock (lb-health.ts checks what those need).
 * Rules of groups in use that no probe hit are `unused-rule` info findings (the default egress
 * rules are counted but not reported: the file cannot remove them one by one).
 */
import { Simulator } from '../engine/simulator.js';
import type { Cloud } from '../topology/model.js';
import type { Path } from '../topology/issue.js';
import { ruleName, rulePath, type Finding } from './findings.js';
import type { ResolvedProbe } from '../probe/probe.js';

export interface RuleHits {
  readonly group: string;
  /** The rule's index as `vnet show` numbers it. */
  readonly rule: number;
  readonly text: string;
  readonly origin: 'default' | 'file';
  readonly path: Path;
  readonly hits: number;
}

export interface ProbeOutcome {
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port: number;
  readonly verdict: string;
  readonly reason: string;
}

export interface HitReport {
  /** Every rule of every group that filters at least one instance port, in `vnet show` order. */
  readonly hits: readonly RuleHits[];
  readonly probes: readonly ProbeOutcome[];
}

export function countHits(cloud: Cloud, probes: readonly ResolvedProbe[]): HitReport {
  const sim = new Simulator(cloud, { record: true });
  const outcomes: ProbeOutcome[] = [];
  const counts = new Map<string, number>();
  for (const p of probes) {
    const v = sim.probe(p.spec);
    outcomes.push({ from: p.from, to: p.to, proto: p.proto, port: p.port, verdict: v.verdict, reason: v.reason });
    for (const e of v.events) {
      if ((e.stage !== 'sg.ingress' && e.stage !== 'sg.egress') || e.action !== 'allow' || e.direction === 'control') continue;
      const { group, rule } = e.detail;
      if (typeof group !== 'string' || typeof rule !== 'number') continue;
      const key = `${group}#${rule}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const filtered = new Set<string>();
  for (const port of cloud.ports.values()) {
    if (port.portSecurity && port.owner.kind === 'instance') for (const g of port.securityGroups) filtered.add(g);
  }
  const hits: RuleHits[] = [];
  for (const g of cloud.securityGroups.values()) {
    if (!filtered.has(g.name)) continue;
    for (const r of g.rules) {
      hits.push({ group: g.name, rule: r.index, text: r.text, origin: r.origin, path: rulePath(g, r), hits: counts.get(`${g.name}#${r.index}`) ?? 0 });
    }
  }
  return { hits, probes: outcomes };
}

export function findUnusedRules(cloud: Cloud, report: HitReport): Finding[] {
  const n = report.probes.length;
  return report.hits.filter((h) => h.hits === 0 && h.origin === 'file').map((h) => {
    const rule = cloud.securityGroups.get(h.group)!.rules[h.rule]!;
    return {
      kind: 'unused-rule', severity: 'info', group: h.group, rule: h.rule, path: h.path,
      message: `${ruleName(h.group, rule)} allowed nothing in ${n} probe${n === 1 ? '' : 's'}`,
    };
  });
}
