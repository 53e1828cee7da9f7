/**
 * The audit of the bundled examples (topologies/*.yaml), each finding checked by hand: all five
 * are clean — and the checks do fire on the same files once one line is changed, so "clean"
 * means the rules were looked at, not that nothing ran.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { placeAclFindings } from '../../../src/audit/acl-shadowing.js';
import { auditCloud } from '../../../src/audit/audit.js';
import { readSource } from '../../../src/topology/source.js';
import { brief, cloudOf } from './helpers.js';

const DIR = 'topologies';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const text = (file: string) => readFileSync(`${DIR}/${file}`, 'utf8');

/** The file with one piece of text replaced (which must be there). */
function edited(file: string, from: string, to: string): string {
  const t = text(file);
  if (!t.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  return t.replace(from, to);
}

/** Examples with findings on purpose, each checked where the example is (projects.test.ts). */
const WITH_FINDINGS = new Set(['two-project.yaml']);

describe('the bundled examples', () => {
  it.each(files.filter((f) => !WITH_FINDINGS.has(f)))('%s: no findings', (file) => {
    expect(auditCloud(cloudOf(text(file)))).toEqual([]);
  });

  it('two-project.yaml: only the info finding on admin\'s mirror rule (10.0.0.0/8, also beta\'s range by overlap)', () => {
    expect(brief(auditCloud(cloudOf(text('two-project.yaml'))))).toEqual(['info mirror#2 security_groups.mirror.rules.0.remote_ip_prefix']);
  });

  it('covers every example the docs name', () => {
    expect(files).toEqual(expect.arrayContaining(['aws-vpc.yaml', 'dual-stack.yaml', 'minimal.yaml', 'multi-router.yaml', 'three-tier.yaml']));
  });
});

describe('three-tier.yaml', () => {
  it('its ssh rule is limited to 198.51.100.0/24, so it is not open to the world; without the prefix it is', () => {
    const ssh = '- { direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 198.51.100.0/24 }';
    const f = auditCloud(cloudOf(edited('three-tier.yaml', ssh, '- { direction: ingress, protocol: tcp, ports: 22 }')));
    expect(brief(f)).toEqual(['warning ssh#2 security_groups.ssh.rules.0']);
    expect(f[0]!.message).toBe('ssh#2 (ingress tcp/22 from 0.0.0.0/0) opens ssh (tcp/22) to the world (0.0.0.0/0); restrict remote_ip_prefix to the addresses that need it');
  });

  it('the web-lb health checks (tcp/80 from the VIP 10.0.0.100) pass because web allows tcp/80 from anywhere; limited to the clients they fail', () => {
    const f = auditCloud(cloudOf(edited('three-tier.yaml', '- { direction: ingress, protocol: tcp, ports: 80 }', '- { direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 198.51.100.0/24 }')));
    expect(brief(f, 'lb-health-blocked')).toEqual(['warning # load_balancers.web-lb.pools.web-pool.members.0', 'warning # load_balancers.web-lb.pools.web-pool.members.1']);
  });

  it('db\'s rule from group web has members (web-1, web-2); pointing it at an unused group is two findings', () => {
    const t = edited('three-tier.yaml', 'remote_group: web }', 'remote_group: admin }').replace('  db:\n    rules:', '  admin: {}\n  db:\n    rules:');
    expect(brief(auditCloud(cloudOf(t)))).toEqual(['warning db#2 security_groups.db.rules.0.remote_group', 'warning admin# security_groups.admin']);
  });
});

describe('aws-vpc.yaml', () => {
  it('no ACL rule is shadowed; one inside #110\'s range after it is, and its path is its place in the list', () => {
    const t = edited('aws-vpc.yaml', '# replies to what the subnet opened', '# replies\n      - { rule: 120, action: deny, protocol: tcp, ports: 3389 }');
    const read = readSource(t);
    if (!read.ok) throw new Error('unreadable');
    const f = placeAclFindings(auditCloud(cloudOf(t)), read.source.value);
    expect(f.map((x) => `${x.kind} ${x.rule} ${x.path.join('.')}`)).toEqual(['acl-unreachable-rule 120 network_acls.public-acl.ingress.3']);
    expect(f[0]!.message).toContain('#110 allow tcp/1024-65535 from 0.0.0.0/0 comes first and allows all of it, so this deny never applies');
  });
});

describe('dual-stack.yaml', () => {
  it('db\'s IPv6 rule from group web matches: web\'s ports have SLAAC addresses', () => {
    const cloud = cloudOf(text('dual-stack.yaml'));
    expect(cloud.ports.get('web-1/eth0')!.fixedIps.some((f) => f.address.ip.version === 6)).toBe(true);
    expect(brief(auditCloud(cloud), 'empty-remote-group')).toEqual([]);
  });
});
