/** auditCloud: every check, findings by kind then file order, the same every time. */
import { describe, expect, it } from 'vitest';
import { auditCloud } from '../../../src/audit/audit.js';
import { hasWarnings, KIND_ORDER, rulePath } from '../../../src/audit/findings.js';
import { cloudOf, groupsCloud, groupsYaml } from './helpers.js';

const messy = groupsYaml(`  web:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 3389 }
  db:
    rules:
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: old }
  old: {}`, `  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }] }
  db-1: { ports: [{ subnet: lan-v4, security_groups: [db] }] }`, `network_acls:
  a:
    subnets: [lan-v4]
    ingress:
      - { rule: 1, action: allow }
      - { rule: 2, action: deny, protocol: tcp }`);

describe('auditCloud', () => {
  it('runs every static check and orders findings by kind, then file order', () => {
    const f = auditCloud(cloudOf(messy));
    expect(f.map((x) => `${x.kind} ${x.group ?? ''}#${x.rule ?? ''}`)).toEqual([
      'open-to-world web#4',
      'redundant-rule web#3',
      'empty-remote-group db#2',
      'unused-group old#',
      'acl-unreachable-rule #2',
    ]);
    const ranks = f.map((x) => KIND_ORDER.indexOf(x.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(hasWarnings(f)).toBe(true);
  });

  it('is deterministic: the same cloud, loaded twice, gives equal findings', () => {
    expect(auditCloud(cloudOf(messy))).toEqual(auditCloud(cloudOf(messy)));
  });

  it('rulePath maps a model index to the file list, and a default rule to its group', () => {
    const cloud = groupsCloud('  g:\n    rules: [{ direction: ingress, protocol: tcp, ports: 80 }]\n  h:\n    default_egress: false\n    rules: [{ direction: ingress, protocol: tcp, ports: 80 }]', '  a: { ports: [{ subnet: lan-v4, security_groups: [g, h] }] }');
    const g = cloud.securityGroups.get('g')!;
    const h = cloud.securityGroups.get('h')!;
    expect(rulePath(g, g.rules[0]!)).toEqual(['security_groups', 'g']);
    expect(rulePath(g, g.rules[2]!)).toEqual(['security_groups', 'g', 'rules', 0]);
    expect(rulePath(h, h.rules[0]!)).toEqual(['security_groups', 'h', 'rules', 0]);
  });
});
