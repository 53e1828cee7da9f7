/**
 * Security groups and network ACLs resolved into rule lists the firewall can
 * compile: Neutron's rule model (port 0 invalid, 1-65535 = any, ICMP type/code, ethertype
 * inferred from the remote prefix), the implicit default egress rules, and the `default` group.
 */
import { suggestion } from '../../../../../src/topology/did-you-mean.js';
import { ADMIN_PROJECT, defaultGroupKey } from '../../../../../src/topology/projects.js';
import { groupRefs } from './resolve-projects.js';
import type { Path } from '../../../../../src/topology/issue.js';
import type { AclRule, NetworkAcl, Prefix, Protocol, SecurityGroup, SecurityGroupRule } from '../../../../../src/topology/model.js';
import { entries, type ResolveContext } from './resolve-context.js';
import type { AclRuleDoc, RuleDoc } from '../../../../../src/topology/schema.js';
import { portRangeAt, prefixAt } from '../../../../../src/topology/values.js';

const PROTOCOL_NAMES: Record<number, Protocol> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };
const ANY_V4: Prefix = { text: '0.0.0.0/0', cidr: { version: 4, network: 0n, prefix: 0 } };

export function resolveSecurityGroups(ctx: ResolveContext): Map<string, SecurityGroup> {
  const groups = new Map<string, SecurityGroup>();
  for (const [name, g] of entries(ctx.doc.security_groups)) {
    const path: Path = ['security_groups', name];
    const project = ctx.projectOf('security_groups', name);
    const rules: SecurityGroupRule[] = [];
    if (g.default_egress ?? true) rules.push(...defaultEgress(0));
    (g.rules ?? []).forEach((doc, i) => {
      const rule = resolveRule(ctx, doc, [...path, 'rules', i], rules.length, project, name);
      if (rule) rules.push(rule);
    });
    groups.set(name, { name, project: project ?? ADMIN_PROJECT, stateful: g.stateful ?? true, rules, implicit: false });
  }
  // Every project has its own default group (Neutron creates one per project): all egress, and
  // ingress from other members of that project's default group.
  for (const project of ctx.projects.keys()) {
    const key = defaultGroupKey(project);
    if (groups.has(key)) continue;
    const fromMembers = (ethertype: 'IPv4' | 'IPv6', index: number): SecurityGroupRule => ({
      index, origin: 'default', direction: 'ingress', ethertype, protocol: 'any', ports: null, icmpType: null, icmpCode: null,
      remoteIpPrefix: null, remoteGroup: key, text: `ingress any from group ${key} (${ethertype})`,
    });
    groups.set(key, { name: key, project, stateful: true, rules: [...defaultEgress(0), fromMembers('IPv4', 2), fromMembers('IPv6', 3)], implicit: true });
  }
  return groups;
}

function defaultEgress(first: number): SecurityGroupRule[] {
  return (['IPv4', 'IPv6'] as const).map((ethertype, i) => ({
    index: first + i, origin: 'default' as const, direction: 'egress' as const, ethertype, protocol: 'any' as const, ports: null,
    icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: null, text: `egress any to ${ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0'}`,
  }));
}

function resolveRule(ctx: ResolveContext, doc: RuleDoc, path: Path, index: number, project: string | null, group: string): SecurityGroupRule | undefined {
  const { issues } = ctx;
  const before = issues.items.length;
  let protocol = normaliseProtocol(doc.protocol ?? 'any');
  let remoteIpPrefix: Prefix | null = null;
  if (doc.remote_ip_prefix !== undefined && doc.remote_group !== undefined) {
    issues.error(path, 'remote-both', 'give at most one of remote_ip_prefix and remote_group');
  }
  if (doc.remote_ip_prefix !== undefined) remoteIpPrefix = prefixAt(doc.remote_ip_prefix, [...path, 'remote_ip_prefix'], issues, 'normalise') ?? null;
  const remoteGroup = doc.remote_group === undefined ? null : groupRefs(ctx, [doc.remote_group], project, path, `security group ${group}`, 'remote_group')[0]!;
  const inferred = remoteIpPrefix ? (remoteIpPrefix.cidr.version === 4 ? 'IPv4' : 'IPv6') : protocol === 'icmpv6' ? 'IPv6' : 'IPv4';
  const ethertype = doc.ethertype ?? inferred;
  if (doc.ethertype !== undefined && remoteIpPrefix && doc.ethertype !== inferred) {
    issues.error([...path, 'ethertype'], 'ethertype', `ethertype ${doc.ethertype} does not match remote_ip_prefix ${remoteIpPrefix.text} (${inferred})`);
  }
  if (protocol === 'icmp' && ethertype === 'IPv6') {
    // Neutron takes `icmp` on an IPv6 rule as its legacy name for ICMPv6 and stores ipv6-icmp.
    protocol = 'icmpv6';
    issues.warn([...path, 'protocol'], 'icmp-as-icmpv6', 'icmp on an IPv6 rule means icmpv6 (Neutron converts the legacy name); write icmpv6 to say so');
  }
  if (protocol === 'icmpv6' && ethertype === 'IPv4') issues.error([...path, 'protocol'], 'protocol', 'icmpv6 with IPv4: use protocol icmp');
  const fields = matchFields(ctx, protocol, doc, path);
  if (issues.items.slice(before).some((i) => i.severity === 'error') || !fields) return undefined;
  const rule = {
    index, origin: 'file' as const, direction: doc.direction, ethertype, protocol, ...fields,
    remoteIpPrefix, remoteGroup,
  };
  return { ...rule, text: ruleText(rule) };
}

/** Ports for TCP/UDP, type/code for ICMP: shared by security-group and ACL rules. */
function matchFields(ctx: ResolveContext, protocol: Protocol, doc: { ports?: number | string | undefined; type?: number | undefined; code?: number | undefined }, path: Path) {
  const { issues } = ctx;
  let ports: { from: number; to: number } | null = null;
  if (doc.ports !== undefined) {
    if (protocol !== 'tcp' && protocol !== 'udp') {
      issues.error([...path, 'ports'], 'ports-protocol', `ports need protocol tcp or udp, not ${protocol}${protocol === 'icmp' || protocol === 'icmpv6' ? ' (for ICMP use type and code)' : ''}`);
      return undefined;
    }
    const r = portRangeAt(doc.ports, [...path, 'ports'], issues);
    if (!r) return undefined;
    // Neutron: 1-65535 is the same as no range.
    ports = r.from === 1 && r.to === 65535 ? null : r;
  }
  const isIcmp = protocol === 'icmp' || protocol === 'icmpv6';
  if ((doc.type !== undefined || doc.code !== undefined) && !isIcmp) {
    issues.error([...path, doc.type !== undefined ? 'type' : 'code'], 'icmp-fields', `type and code apply to icmp and icmpv6 only, not ${protocol}`);
    return undefined;
  }
  if (doc.code !== undefined && doc.type === undefined) {
    issues.error([...path, 'code'], 'icmp-code', 'code needs a type (Neutron stores them as port_range_min/max)');
    return undefined;
  }
  return { ports, icmpType: doc.type ?? null, icmpCode: doc.code ?? null };
}

export function normaliseProtocol(p: string | number): Protocol {
  if (typeof p === 'number') return PROTOCOL_NAMES[p] ?? p;
  return p as Protocol;
}

function matchText(r: { protocol: Protocol; ports: { from: number; to: number } | null; icmpType: number | null; icmpCode: number | null }): string {
  let s = typeof r.protocol === 'number' ? `proto ${r.protocol}` : r.protocol;
  if (r.ports) s += `/${r.ports.from === r.ports.to ? r.ports.from : `${r.ports.from}-${r.ports.to}`}`;
  if (r.icmpType !== null) s += ` type ${r.icmpType}${r.icmpCode !== null ? ` code ${r.icmpCode}` : ''}`;
  return s;
}

function ruleText(r: Omit<SecurityGroupRule, 'text'>): string {
  const dir = r.direction === 'ingress' ? 'from' : 'to';
  const remote = r.remoteGroup !== null ? `group ${r.remoteGroup}${r.ethertype === 'IPv6' ? ' (IPv6)' : ''}` : r.remoteIpPrefix ? r.remoteIpPrefix.text : r.ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0';
  return `${r.direction} ${matchText(r)} ${dir} ${remote}`;
}

export function resolveNetworkAcls(ctx: ResolveContext): Map<string, NetworkAcl> {
  const acls = new Map<string, NetworkAcl>();
  for (const [name, acl] of entries(ctx.doc.network_acls)) {
    const path: Path = ['network_acls', name];
    const project = ctx.projectOf('network_acls', name);
    const subnets: string[] = [];
    acl.subnets.forEach((s, i) => {
      const state = ctx.subnets.get(s);
      if (!state) {
        const all = Object.values(ctx.doc.networks ?? {}).flatMap((n) => Object.keys(n.subnets));
        if (!all.includes(s)) ctx.issues.error([...path, 'subnets', i], 'unknown-subnet', `no subnet named "${s}"${suggestion(s, all)}`);
        return;
      }
      const owner = ctx.networks.get(state.network)?.project ?? null;
      if (project !== null && owner !== null && owner !== project) {
        // Guarding a subnet is changing it: only its own project may, shared or not.
        ctx.issues.error([...path, 'subnets', i], 'project-acl', `subnet ${s} is on network ${state.network} of project ${owner} and network ACL ${name} belongs to project ${project}: an ACL guards only its own project's subnets`);
        return;
      }
      if (state.networkAcl !== null) {
        ctx.issues.error([...path, 'subnets', i], 'acl-twice', `subnet ${s} already has network ACL ${state.networkAcl}; a subnet has one ACL`);
        return;
      }
      state.networkAcl = name;
      subnets.push(s);
    });
    acls.set(name, {
      name, project: project ?? ADMIN_PROJECT, subnets,
      ingress: aclRules(ctx, acl.ingress ?? [], [...path, 'ingress']),
      egress: aclRules(ctx, acl.egress ?? [], [...path, 'egress']),
    });
  }
  return acls;
}

function aclRules(ctx: ResolveContext, docs: AclRuleDoc[], path: Path): AclRule[] {
  const seen = new Map<number, number>();
  const out: AclRule[] = [];
  docs.forEach((doc, i) => {
    const rPath: Path = [...path, i];
    const first = seen.get(doc.rule);
    if (first !== undefined) {
      ctx.issues.error([...rPath, 'rule'], 'acl-duplicate', `rule number ${doc.rule} is already used by ${path.join('.')}[${first}]`);
      return;
    }
    seen.set(doc.rule, i);
    const protocol = normaliseProtocol(doc.protocol ?? 'any');
    const cidr = doc.cidr === undefined ? ANY_V4 : prefixAt(doc.cidr, [...rPath, 'cidr'], ctx.issues, 'normalise');
    const fields = matchFields(ctx, protocol, doc, rPath);
    if (!cidr || !fields) return;
    const base = { number: doc.rule, action: doc.action, protocol, ...fields, cidr };
    out.push({ ...base, text: `#${doc.rule} ${doc.action} ${matchText(base)} ${path[path.length - 1] === 'ingress' ? 'from' : 'to'} ${cidr.text}` });
  });
  return out.sort((a, b) => a.number - b.number);
}


