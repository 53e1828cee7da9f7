/**
 * The small topology the stateful properties run on, written as topology YAML: instances `a`
 * (group `client`) and `b` (group `server`) on one dual-stack network, at fixed addresses, plus
 * group `ops` that no port uses. Rules come from `vnet/testing` as model values and are written
 * back as the file's rule entries (JSON flow maps, which are YAML).
 */
import { parseIp } from '../../../src/address/ip.js';
import { toIpValue, type IpValue } from '../../../src/packet/ip-value.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud, SecurityGroupRule } from '../../../src/topology/model.js';

const addr = (text: string): IpValue => toIpValue(parseIp(text)!);

export const A = { 4: addr('10.0.0.10'), 6: addr('2001:db8::10') } as const;
export const B = { 4: addr('10.0.0.20'), 6: addr('2001:db8::20') } as const;
const NOBODY = [addr('10.0.0.99'), addr('2001:db8::99')];
/** Addresses rule prefixes are built around: both instances', and one nobody has. */
export const POOL: readonly IpValue[] = [A[4], A[6], B[4], B[6], ...NOBODY];
/** The same, for rules about traffic from a (b's ingress) and from b (a's ingress). */
export const POOL_A: readonly IpValue[] = [A[4], A[6], ...NOBODY];
export const POOL_B: readonly IpValue[] = [B[4], B[6], ...NOBODY];
/** Groups a rule may name as remote_group. */
export const GROUPS = ['client', 'server', 'ops'];

/** A model rule as the topology file writes it. */
export function ruleDoc(r: SecurityGroupRule): Record<string, unknown> {
  const doc: Record<string, unknown> = { direction: r.direction, ethertype: r.ethertype, protocol: r.protocol };
  if (r.ports) doc['ports'] = r.ports.from === r.ports.to ? r.ports.from : `${r.ports.from}-${r.ports.to}`;
  if (r.icmpType !== null) doc['type'] = r.icmpType;
  if (r.icmpCode !== null) doc['code'] = r.icmpCode;
  if (r.remoteIpPrefix) doc['remote_ip_prefix'] = r.remoteIpPrefix.text;
  if (r.remoteGroup !== null) doc['remote_group'] = r.remoteGroup;
  return doc;
}

export interface GroupSpec {
  readonly rules: readonly SecurityGroupRule[];
  readonly stateful?: boolean;
  readonly defaultEgress?: boolean;
}

const group = (g: GroupSpec): string =>
  `    stateful: ${g.stateful ?? true}\n    default_egress: ${g.defaultEgress ?? true}\n    rules:${g.rules.length ? '' : ' []'}\n${g.rules.map((r) => `      - ${JSON.stringify(ruleDoc(r))}\n`).join('')}`;

/** The topology's YAML: `a` in `client`, `b` in `server` listening on `services` (`tcp/22`, `udp/53`). */
export function twoInstancesYaml(client: GroupSpec, server: GroupSpec, services: readonly string[]): string {
  return `version: 1
name: two-instances
networks:
  lan:
    subnets:
      lan-v4: { cidr: 10.0.0.0/24 }
      lan-v6: { cidr: "2001:db8::/64", ipv6_address_mode: dhcpv6-stateful }
security_groups:
  client:
${group(client)}  server:
${group(server)}  ops:
    rules: []
instances:
  a:
    ports: [{ fixed_ips: [{ subnet: lan-v4, ip: 10.0.0.10 }, { subnet: lan-v6, ip: "2001:db8::10" }], security_groups: [client] }]
  b:
    ports: [{ fixed_ips: [{ subnet: lan-v4, ip: 10.0.0.20 }, { subnet: lan-v6, ip: "2001:db8::20" }], security_groups: [server] }]
    services: ${JSON.stringify(services)}
`;
}

export function load(text: string): Cloud {
  const r = parseTopology(text, 'two-instances.yaml');
  if (!r.ok) throw new Error(`the generated topology does not load:\n${r.issues.map(formatIssue).join('\n')}\n${text}`);
  return r.cloud;
}
