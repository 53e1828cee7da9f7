/**
 * Ingress rules open to the world on sensitive ports: a rule whose remote is any address (no
 * remote, 0.0.0.0/0 or ::/0) and whose protocol and ports cover a service that should never
 * face the internet — remote shells and desktops, databases, caches, search and container
 * APIs. The list follows the usual cloud-posture checks (AWS Trusted Advisor's "Security
 * Groups – Specific Ports Unrestricted", CIS benchmarks 5.2/5.3); protocol any covers them all.
 */
import { PROTO } from '../firewall/packet-fields.js';
import { toMatchRule, type MatchRule } from '../firewall/rule.js';
import type { Cloud } from '../topology/model.js';
import { ruleName, rulePath, type Finding } from './findings.js';

export interface SensitivePort {
  readonly service: string;
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
}

export const SENSITIVE_PORTS: readonly SensitivePort[] = [
  { service: 'ssh', proto: 'tcp', port: 22 },
  { service: 'telnet', proto: 'tcp', port: 23 },
  { service: 'mssql', proto: 'tcp', port: 1433 },
  { service: 'docker', proto: 'tcp', port: 2375 },
  { service: 'etcd', proto: 'tcp', port: 2379 },
  { service: 'mysql', proto: 'tcp', port: 3306 },
  { service: 'rdp', proto: 'tcp', port: 3389 },
  { service: 'rdp', proto: 'udp', port: 3389 },
  { service: 'postgres', proto: 'tcp', port: 5432 },
  { service: 'vnc', proto: 'tcp', port: 5900 },
  { service: 'redis', proto: 'tcp', port: 6379 },
  { service: 'elasticsearch', proto: 'tcp', port: 9200 },
  { service: 'memcached', proto: 'tcp', port: 11211 },
  { service: 'memcached', proto: 'udp', port: 11211 },
  { service: 'mongodb', proto: 'tcp', port: 27017 },
];

/** The sensitive ports an ingress rule opens to every address (none when its remote is narrower). */
export function exposedPorts(r: MatchRule): SensitivePort[] {
  if (r.direction !== 'ingress' || r.remote.kind !== 'any') return [];
  return SENSITIVE_PORTS.filter((s) => r.proto === -1 || (r.proto === PROTO[s.proto] && r.portFrom <= s.port && s.port <= r.portTo));
}

export function findOpenToWorld(cloud: Cloud): Finding[] {
  const out: Finding[] = [];
  for (const g of cloud.securityGroups.values()) {
    g.rules.forEach((r, i) => {
      const exposed = exposedPorts(toMatchRule(g.name, r, i));
      if (exposed.length === 0) return;
      const what = exposed.map((s) => `${s.service} (${s.proto}/${s.port})`).join(', ');
      const world = r.ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0';
      out.push({
        kind: 'open-to-world', severity: 'warning', group: g.name, rule: r.index, path: rulePath(g, r),
        message: `${ruleName(g.name, r)} opens ${what} to the world (${world}); restrict remote_ip_prefix to the addresses that need it`,
      });
    });
  }
  return out;
}
