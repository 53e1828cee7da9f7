/**
 * Hit counts over probes run in one simulation: each security-group decision an allow rule made
 * counts for that rule; the file's rules of groups in use that nothing hit are info findings.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countHits, findUnusedRules } from '../../../src/audit/hits.js';
import { parseProbes } from '../../../src/audit/probes.js';
import type { Cloud } from '../../../src/topology/model.js';
import { cloudOf, groupsCloud } from './helpers.js';

const cloud = groupsCloud(`  web:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 443 }
  db:
    rules:
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: web }
      - { direction: ingress, protocol: tcp, ports: 6379, remote_group: web }
  spare:
    rules: [{ direction: ingress, protocol: tcp, ports: 9000 }]`, `  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }], services: [tcp/80] }
  db-1: { ports: [{ subnet: lan-v4, security_groups: [db] }], services: [tcp/5432] }`);

function run(c: Cloud, text: string) {
  const probes = parseProbes(text, c);
  if (!probes.ok) throw new Error(JSON.stringify(probes.issues));
  return countHits(c, probes.probes);
}

describe('rule hit counts', () => {
  const report = run(cloud, `probes:
  - { from: web-1, to: db-1, port: 5432 }
  - { from: web-1, to: db-1, port: 5432 }
  - { from: db-1, to: web-1, port: 80 }
`);

  it('counts the rule that allowed each new connection, on both ends; groups used by no port are left out', () => {
    expect(report.probes.map((p) => p.verdict)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(report.hits.map((h) => `${h.group}#${h.rule} ${h.hits}`)).toEqual([
      'web#0 2', 'web#1 0', 'web#2 1', 'web#3 0',
      'db#0 1', 'db#1 0', 'db#2 2', 'db#3 0',
    ]);
    expect(report.hits.find((h) => h.group === 'db' && h.rule === 2)!.path).toEqual(['security_groups', 'db', 'rules', 0]);
  });

  it('the file rules nothing hit become unused-rule info findings; default egress rules do not', () => {
    const f = findUnusedRules(cloud, report);
    expect(f.map((x) => `${x.kind} ${x.severity} ${x.group}#${x.rule} ${x.path.join('.')}`)).toEqual([
      'unused-rule info web#3 security_groups.web.rules.1',
      'unused-rule info db#3 security_groups.db.rules.1',
    ]);
    expect(f[0]!.message).toBe('web#3 (ingress tcp/443 from 0.0.0.0/0) allowed nothing in 3 probes');
  });

  it('a probe the groups drop counts for no rule', () => {
    const r = run(cloud, 'probes: [{ from: web-1, to: db-1, port: 22 }]');
    expect(r.probes[0]!.verdict).toBe('dropped');
    expect(r.hits.filter((h) => h.hits > 0).map((h) => `${h.group}#${h.rule}`)).toEqual(['web#0']);
  });

  it('on a stateless group, replies are decided by rules and count too', () => {
    const c = groupsCloud(`  s:
    stateful: false
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 1024-65535 }`, `  a: { ports: [{ subnet: lan-v4, security_groups: [s] }], services: [tcp/80] }
  b: { ports: [{ subnet: lan-v4, security_groups: [s] }] }`);
    const r = run(c, 'probes: [{ from: b, to: a, port: 80 }]');
    expect(r.probes[0]!.verdict).toBe('delivered');
    // b's SYN and a's SYN-ACK leave by the default egress rule; the SYN enters a by #2, the SYN-ACK enters b by #3.
    expect(r.hits.map((h) => `${h.group}#${h.rule} ${h.hits}`)).toEqual(['s#0 2', 's#1 0', 's#2 1', 's#3 1']);
  });
});

describe('rule hit counts through a load balancer', () => {
  it('count the probes\' packets only, not the background health checks', () => {
    const c = cloudOf(readFileSync('test/fixtures/engine/lb-member-down.yaml', 'utf8'));
    const r = run(c, 'probes:\n' + '  - { from: client, to: lb-fip, port: 80 }\n'.repeat(3));
    expect(r.probes.map((p) => p.verdict)).toEqual(['delivered', 'delivered', 'delivered']);
    // Only a is up (b's group admits 192.0.2.0/24 only), so every connection opens through open-web#2.
    expect(r.hits.filter((h) => h.origin === 'file').map((h) => `${h.group}#${h.rule} ${h.hits}`)).toEqual(['open-web#2 3', 'office-only#2 0']);
  });
});
