/**
 * Load-balancer members whose health checks their own security groups would block. The LB
 * probes each member (Octavia health monitors: TCP connect or HTTP GET to the member's
 * protocol port, PING as an ICMP echo) from its own address — here the VIP, in dnat and proxy
 * mode alike — so the member's port must allow that in; a member that fails its checks is
 * marked down and gets no traffic. On a stateless port the reply needs an egress rule too
 * (checked for the source ports the LB's checks use, 33000-39999, as src/lb/lb-node.ts sends
 * them). Admin-down members are not probed.
 * The check uses the firewall's own rule semantics (ruleMatches over portRules).
 */
import { groupMembers, portRules } from '../firewall/install.js';
import { PROTO, type PacketFields } from '../firewall/packet-fields.js';
import { ruleMatches, type GroupMembers, type MatchRule } from '../firewall/rule.js';
import { toIpValue } from '../packet/ip-value.js';
import type { Cloud, HealthMonitor, LoadBalancer, PoolMember } from '../topology/model.js';
import type { Finding } from './findings.js';

/** The first and last source port of the LB's health checks: a stateless port's replies go back to them. */
const CHECK_PORTS = [33000, 39999];

export function findBlockedHealthChecks(cloud: Cloud): Finding[] {
  const members = groupMembers(cloud);
  const out: Finding[] = [];
  for (const lb of cloud.loadBalancers.values()) {
    for (const pool of lb.pools) {
      const hm = pool.healthMonitor;
      if (!hm) continue;
      pool.members.forEach((m, i) => {
        if (!m.adminStateUp) return;
        const problem = healthCheckProblem(cloud, lb, hm, m, members);
        if (problem === undefined) return;
        out.push({
          kind: 'lb-health-blocked', severity: 'warning', path: ['load_balancers', lb.name, 'pools', pool.name, 'members', i],
          message: `${lb.name} pool ${pool.name}: the ${hm.type} health check of ${m.instance} (${checkText(hm, m)} from the LB at ${lb.vip.text}) is blocked: ${problem}; the member will be marked down`,
        });
      });
    }
  }
  return out;
}

const checkText = (hm: HealthMonitor, m: PoolMember) => (hm.type === 'ping' ? 'icmp echo' : `tcp/${m.protocolPort}`);

/** Why the member's groups block the check, or undefined when they let it (and its reply) through. */
export function healthCheckProblem(cloud: Cloud, lb: LoadBalancer, hm: HealthMonitor, m: PoolMember, members: GroupMembers): string | undefined {
  const port = cloud.ports.get(m.port);
  if (!port || !port.portSecurity) return undefined;
  const version = m.address.ip.version;
  if (lb.vip.ip.version !== version) return undefined;
  const lbAddr = toIpValue(lb.vip.ip);
  const memberAddr = toIpValue(m.address.ip);
  const ping = hm.type === 'ping';
  const icmp = version === 4 ? PROTO.icmp : PROTO.icmpv6;
  const check: PacketFields = ping
    ? { version, proto: icmp, src: lbAddr, dst: memberAddr, dport: -1, sport: -1, icmpType: version === 4 ? 8 : 128, icmpCode: 0 }
    : { version, proto: PROTO.tcp, src: lbAddr, dst: memberAddr, dport: m.protocolPort, sport: CHECK_PORTS[0]!, icmpType: -1, icmpCode: -1 };
  const rules = portRules(cloud, port.securityGroups);
  const allows = (f: PacketFields, direction: 'ingress' | 'egress') => rules.some((r: MatchRule) => ruleMatches(r, f, direction, members));
  const groups = `[${port.securityGroups.join(', ')}]`;
  if (!allows(check, 'ingress')) {
    return `no rule of groups ${groups} on ${port.id} allows ${checkText(hm, m)} from ${lb.vip.text} (ingress)`;
  }
  const stateful = port.securityGroups.every((g) => cloud.securityGroups.get(g)?.stateful ?? true);
  if (stateful) return undefined;
  const replies: PacketFields[] = ping
    ? [{ version, proto: icmp, src: memberAddr, dst: lbAddr, dport: -1, sport: -1, icmpType: version === 4 ? 0 : 129, icmpCode: 0 }]
    : CHECK_PORTS.map((dport) => ({ version, proto: PROTO.tcp, src: memberAddr, dst: lbAddr, dport, sport: m.protocolPort, icmpType: -1, icmpCode: -1 }));
  const blocked = replies.find((f) => !allows(f, 'egress'));
  if (!blocked) return undefined;
  const what = ping ? 'icmp echo replies' : `tcp replies to port ${blocked.dport}`;
  return `${port.id} is stateless and no rule of groups ${groups} allows ${what} to ${lb.vip.text} (egress)`;
}
