/**
 * The filter on one instance port, in the order Neutron's OVS firewall applies it: port
 * security on what leaves the port; ARP and the ICMPv6 Neutron lets through without a rule
 * (neighbour discovery, MLD queries, router solicitations out) pass; then connection
 * tracking — a packet of a tracked flow (either way) or an ICMP error about one passes without
 * rules — and for a new flow the security-group rules, whose union decides; an allowed new flow
 * is committed so its replies come back. Every decision is traced with the rule or the reason.
 * The stages are port-stages.ts, run from src/engine/pipeline.ts's PORT_OUT/PORT_IN tables.
 */
import { formatIpValue } from '../packet/ip-value.js';
import type { Frame, IpPacket } from '../packet/frame.js';
import type { PortFilter } from '../engine/port-filter.js';
import type { FrameMeta, Sim } from '../engine/node-contract.js';
import { compileStages, FELL_THROUGH, type Pipeline, type StageRunner } from '../util/stages.js';
import { ConnTrack } from './conntrack.js';
import type { Matcher } from './matcher.js';
import { describeTraffic, fieldsOf } from './packet-fields.js';
import type { PortIdentity } from './port-security.js';
import type { PortHop } from './port-stages.js';
import type { MatchRule } from './rule.js';
import type { Detail } from '../trace/shared-details.js';
import { liftsBlocker } from '../trace/verdict-reducer.js';

/** The filter's two stage tables (src/engine/pipeline.ts's PORT_OUT_PIPELINE and PORT_IN_PIPELINE). */
export interface PortTables {
  readonly out: Pipeline<PortHop>;
  readonly in: Pipeline<PortHop>;
}

export interface PortFirewallConfig {
  readonly port: string;
  readonly identity: PortIdentity;
  readonly groups: readonly string[];
  readonly stateful: boolean;
  readonly matcher: Matcher;
}

export class PortFirewall implements PortFilter {
  readonly conntrack = new ConnTrack();
  /** The detail of a new flow a rule allowed, per rule (shared by every flow it allows). */
  private allowDetails: Map<MatchRule, Detail> | undefined;
  private hop: PortHop | undefined;
  /** The two tables as functions (compileStages). */
  private readonly runOut: StageRunner<PortHop>;
  private readonly runIn: StageRunner<PortHop>;

  constructor(readonly config: PortFirewallConfig, readonly tables: PortTables) {
    this.runOut = compileStages(tables.out);
    this.runIn = compileStages(tables.in);
  }

  /** A filter table passes the frame when no stage stopped it. */
  egress(sim: Sim, node: string, port: string, frame: Frame, meta: FrameMeta): boolean {
    return this.runOut(this.hopFor(sim, node, port, frame, meta)) === FELL_THROUGH;
  }

  ingress(sim: Sim, node: string, port: string, frame: Frame, meta: FrameMeta): boolean {
    return this.runIn(this.hopFor(sim, node, port, frame, meta)) === FELL_THROUGH;
  }

  /** The filter's one hop context, refilled for this frame. */
  private hopFor(sim: Sim, node: string, port: string, frame: Frame, meta: FrameMeta): PortHop {
    const hop = this.hop;
    if (!hop) return (this.hop = { fw: this, sim, node, port, frame, meta });
    hop.sim = sim;
    hop.node = node;
    hop.port = port;
    hop.frame = frame;
    hop.meta = meta;
    return hop;
  }

  /** The groups' decision on an IP packet (sg.egress, sg.ingress): conntrack first, then the rules. */
  filter(sim: Sim, node: string, port: string, p: IpPacket, direction: 'ingress' | 'egress', meta: FrameMeta): boolean {
    const stage = direction === 'ingress' ? 'sg.ingress' : 'sg.egress';
    if (this.config.stateful) {
      const ct = this.conntrack.lookup(p, sim.now);
      if (ct.state === 'invalid') return this.dropInvalid(sim, node, port, p, stage, meta);
      if (ct.entry) {
        this.conntrack.update(ct.entry, p, ct.reply === true, sim.now);
        if (sim.recording) sim.trace(node, port, stage, 'allow', p, meta, { ct: ct.state, entry: ct.entry.text, reason: ct.state === 'related' ? 'an ICMP error about a tracked connection' : ct.reply ? 'reply of a tracked connection' : 'packet of a tracked connection' });
        return true;
      }
    }
    const fields = fieldsOf(p);
    const rule = this.config.matcher.match(fields, direction);
    if (rule) {
      if (this.config.stateful) this.conntrack.commit(p, direction, sim.now);
      if (sim.recording) {
        let detail = this.allowDetails?.get(rule);
        if (!detail) (this.allowDetails ??= new Map()).set(rule, (detail = { ct: this.config.stateful ? 'new' : 'untracked', group: rule.group, rule: rule.index, text: rule.text }));
        sim.trace(node, port, stage, 'allow', p, meta, detail);
      }
      return true;
    }
    const groups = this.config.groups.length ? `groups [${this.config.groups.join(', ')}]` : 'no security groups (everything is dropped)';
    const traffic = describeTraffic(fields, direction, formatIpValue);
    const reason = this.config.groups.length ? `no rule of ${groups} allows ${traffic} (${direction})` : `port has ${groups}`;
    sim.report(meta, { kind: 'blocked', outcome: { kind: 'dropped', node, stage, reason: `${port}: ${reason}` } });
    const lifted = liftsBlocker(sim.explainAll, meta.dir);
    sim.trace(node, port, stage, lifted ? 'drop-lifted' : 'drop', p, meta, { ct: this.config.stateful ? 'new' : 'untracked', reason, default: 'drop' });
    // With every blocker explained, a lifted drop of a new flow is committed so its replies behave as if allowed.
    if (lifted && this.config.stateful) this.conntrack.commit(p, direction, sim.now);
    return lifted;
  }

  /** Conntrack's invalid state drops before any rule, as Neutron's firewalls do (conntrack.ts). */
  private dropInvalid(sim: Sim, node: string, port: string, p: IpPacket, stage: 'sg.ingress' | 'sg.egress', meta: FrameMeta): boolean {
    const reason = 'connection tracking: invalid (an echo reply that answers no tracked echo request)';
    sim.report(meta, { kind: 'blocked', outcome: { kind: 'dropped', node, stage, reason: `${port}: ${reason}` } });
    const lifted = liftsBlocker(sim.explainAll, meta.dir);
    sim.trace(node, port, stage, lifted ? 'drop-lifted' : 'drop', p, meta, { ct: 'invalid', reason, default: 'drop' });
    return lifted;
  }
}
