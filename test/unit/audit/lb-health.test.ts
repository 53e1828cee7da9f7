/**
 * Load-balancer members whose own groups block the LB's health checks (sent from the VIP):
 * TCP/HTTP to the member's protocol port, PING as an ICMP echo, and on a stateless port the
 * reply too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBlockedHealthChecks } from '../../../src/audit/lb-health.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { toIpValue } from '../../../src/packet/ip-value.js';
import { cloudOf, groupsCloud } from './helpers.js';

const lbCloud = (rules: string, monitor = '{ type: tcp }', opts: { mode?: string; lbGroups?: string; member?: string; groupOpts?: string; extraGroups?: string } = {}) => groupsCloud(`  web:
    ${opts.groupOpts ?? ''}
    rules:
${rules}
  lb: {}
${opts.extraGroups ?? ''}`, `  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }] }
  web-2: { ports: [{ subnet: lan-v4, port_security: false }] }`, `load_balancers:
  front:
    subnet: lan-v4
    vip: 10.0.0.100
    mode: ${opts.mode ?? 'dnat'}
    ${opts.lbGroups ?? ''}
    listeners: [{ protocol: tcp, port: 80, pool: p }]
    pools:
      p:
        members: [${opts.member ?? 'web-1'}, web-2]${monitor ? `\n        health_monitor: ${monitor}` : ''}`);

describe('load-balancer health checks blocked by the members\' groups', () => {
  it('web allows port 80 only from the clients\' prefix, not from the LB (dnat and proxy alike)', () => {
    for (const mode of ['dnat', 'proxy']) {
      const f = findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 198.51.100.0/24 }', '{ type: http }', { mode }));
      expect(f.map((x) => [x.severity, x.path.join('.')])).toEqual([['warning', 'load_balancers.front.pools.p.members.0']]);
      expect(f[0]!.message).toBe('front pool p: the http health check of web-1 (tcp/80 from the LB at 10.0.0.100) is blocked: no rule of groups [web] on web-1/eth0 allows tcp/80 from 10.0.0.100 (ingress); the member will be marked down');
    }
  });

  it('a ping monitor needs an ICMP echo rule; a member port other than the listener\'s is checked', () => {
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80 }', '{ type: ping }'))).toHaveLength(1);
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80 }', '{ type: tcp }', { member: '{ instance: web-1, port: 8080 }' }))[0]!.message).toContain('tcp/8080');
  });

  it('a stateless port needs an egress rule for the reply to the LB', () => {
    const f = findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80 }', '{ type: tcp }', { groupOpts: 'stateful: false\n    default_egress: false' }));
    expect(f.map((x) => x.message)).toEqual(['front pool p: the tcp health check of web-1 (tcp/80 from the LB at 10.0.0.100) is blocked: web-1/eth0 is stateless and no rule of groups [web] allows tcp replies to port 33000 to 10.0.0.100 (egress); the member will be marked down']);
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80 }', '{ type: tcp }', { groupOpts: 'stateful: false' }))).toEqual([]);
  });

  it('no finding when the check is allowed: from anywhere, from the LB subnet, or from the VIP port\'s group', () => {
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80 }'))).toEqual([]);
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 10.0.0.0/24 }'))).toEqual([]);
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: icmp, type: 8 }', '{ type: ping }'))).toEqual([]);
    expect(findBlockedHealthChecks(lbCloud('      - { direction: ingress, protocol: tcp, ports: 80, remote_group: lb }', '{ type: tcp }', { lbGroups: 'security_groups: [lb]' }))).toEqual([]);
  });

  it('no finding for admin-down members, members with port security off, or pools with no monitor', () => {
    const blocked = '      - { direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 198.51.100.0/24 }';
    expect(findBlockedHealthChecks(lbCloud(blocked, '{ type: tcp }', { member: '{ instance: web-1, admin_state_up: false }' }))).toEqual([]);
    const noMonitor = lbCloud(blocked, '');
    expect(noMonitor.loadBalancers.get('front')!.pools[0]!.healthMonitor).toBeNull();
    expect(findBlockedHealthChecks(noMonitor)).toEqual([]);
  });
});

describe('agrees with the engine\'s health monitors (src/lb)', () => {
  const file = 'test/fixtures/engine/lb-member-down.yaml';

  it('the members the audit says are blocked are exactly those the monitors take down', () => {
    const cloud = cloudOf(readFileSync(file, 'utf8'));
    const flagged = findBlockedHealthChecks(cloud).map((f) => `${f.path[1]}/${f.path[3]}/${cloud.loadBalancers.get(String(f.path[1]))!.pools.find((p) => p.name === f.path[3])!.members[Number(f.path[5])]!.instance}`);
    expect(flagged).toEqual(['lb/p/b', 'empty-lb/q/b']);
    const sim = new Simulator(cloud);
    sim.probe({ from: 'host:client', to: toIpValue(cloud.floatingIps.get('lb-fip')!.address.ip), proto: 'tcp', port: 80 });
    const down = sim.events.filter((e) => e.stage === 'lb.health' && e.action === 'member-down').map((e) => `${e.node.replace(/^.*:/, '')}/${e.packet.split(' ')[0]}`);
    expect(down.sort()).toEqual(flagged.sort());
  });
});
