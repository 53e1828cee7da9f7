/**
 * Ingress rules open to the world (no remote, 0.0.0.0/0, ::/0) on sensitive ports, each named
 * by its service; protocol any opens them all.
 */
import { describe, expect, it } from 'vitest';
import { findOpenToWorld } from '../../../src/audit/open-to-world.js';
import { brief, groupsCloud } from './helpers.js';

const cloudWith = (rules: string) => groupsCloud(`  g:
    default_egress: false
    rules:
${rules}`, '  a: { ports: [{ subnet: lan-v4, security_groups: [g] }] }');

describe('open to the world', () => {
  it('ssh with no remote, postgres from ::/0, mysql and rdp in one range, memcached over udp', () => {
    const f = findOpenToWorld(cloudWith(`      - { direction: ingress, protocol: tcp, ports: 22 }
      - { direction: ingress, protocol: tcp, ports: 5432, remote_ip_prefix: ::/0 }
      - { direction: ingress, protocol: tcp, ports: 3300-3400, remote_ip_prefix: 0.0.0.0/0 }
      - { direction: ingress, protocol: udp, ports: 11211 }`));
    expect(brief(f)).toEqual(['warning g#0 security_groups.g.rules.0', 'warning g#1 security_groups.g.rules.1', 'warning g#2 security_groups.g.rules.2', 'warning g#3 security_groups.g.rules.3']);
    expect(f[0]!.message).toContain('opens ssh (tcp/22) to the world (0.0.0.0/0)');
    expect(f[1]!.message).toContain('opens postgres (tcp/5432) to the world (::/0)');
    expect(f[2]!.message).toContain('mysql (tcp/3306), rdp (tcp/3389)');
    expect(f[3]!.message).toContain('memcached (udp/11211)');
  });

  it('protocol any, and tcp on every port, open every sensitive tcp service', () => {
    const f = findOpenToWorld(cloudWith('      - { direction: ingress, protocol: any }\n      - { direction: ingress, protocol: tcp, ports: 1-65535 }'));
    expect(f).toHaveLength(2);
    for (const service of ['ssh', 'rdp', 'mysql', 'postgres', 'redis', 'mongodb', 'elasticsearch', 'memcached', 'docker']) expect(f[0]!.message).toContain(service);
    expect(f[1]!.message).toContain('redis (tcp/6379)');
    expect(f[1]!.message).not.toContain('udp/');
  });

  it('no finding for a restricted prefix, a remote group, egress, ordinary ports or the wrong protocol', () => {
    expect(findOpenToWorld(cloudWith(`      - { direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 198.51.100.0/24 }
      - { direction: ingress, protocol: tcp, ports: 6379, remote_group: g }
      - { direction: egress, protocol: tcp, ports: 22 }
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 443, remote_ip_prefix: ::/0 }
      - { direction: ingress, protocol: udp, ports: 22 }
      - { direction: ingress, protocol: icmp }
      - { direction: ingress, protocol: any, remote_ip_prefix: 10.0.0.0/8 }`))).toEqual([]);
  });
});
