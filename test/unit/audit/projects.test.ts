/**
 * The audit per project (issue 14): every finding names the project that owns its group,
 * network ACL or load balancer; `vnet audit` prints one block per project when the file
 * declares projects (and a per-project summary in JSON); and `overlap-remote-prefix` flags a
 * rule whose remote prefix names another address space's range only because that range is
 * also a subnet of the group's own space.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCloud } from '../../../src/audit/audit.js';
import { runAudit } from '../../../src/cli/audit.js';
import { memoryIo } from '../../../src/cli/io.js';
import { brief, cloudOf } from './helpers.js';

/** Alpha and beta with one subnet each (CIDRs given), an alpha group with `rule`, and a beta group open to the world on ssh. */
function twoProjects(alphaCidr: string, betaCidr: string, rule: string): string {
  return `version: 1
name: t
projects: { alpha: {}, beta: {} }
networks:
  a-net: { project: alpha, subnets: { a-sub: { cidr: ${alphaCidr} } } }
  b-net: { project: beta, subnets: { b-sub: { cidr: ${betaCidr} } } }
routers:
  a-r: { project: alpha, interfaces: [a-sub] }
  b-r: { project: beta, interfaces: [b-sub] }
security_groups:
  a-web: { project: alpha, rules: [${rule}] }
  b-ssh: { project: beta, rules: [{ direction: ingress, protocol: tcp, ports: 22 }] }
instances:
  a-vm1: { project: alpha, ports: [{ subnet: a-sub, security_groups: [a-web] }], services: [tcp/80] }
  b-vm1: { project: beta, ports: [{ subnet: b-sub, security_groups: [b-ssh] }], services: [tcp/22] }
`;
}

const FROM_10_0_0 = '{ direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 10.0.0.0/24 }';

describe('overlap-remote-prefix', () => {
  it('flags a remote prefix that is the group\'s own subnet and, by overlap, another project\'s', () => {
    const f = auditCloud(cloudOf(twoProjects('10.0.0.0/24', '10.0.0.0/24', FROM_10_0_0))).filter((x) => x.kind === 'overlap-remote-prefix');
    expect(brief(f)).toEqual(['info a-web#2 security_groups.a-web.rules.0.remote_ip_prefix']);
    expect(f[0]!.project).toBe('alpha');
    expect(f[0]!.message).toContain('b-sub');
    expect(f[0]!.message).toContain('a-sub');
  });

  it('is quiet without the overlap, without a twin in the group\'s own space, or when both are one space', () => {
    const kinds = (yaml: string) => auditCloud(cloudOf(yaml)).filter((x) => x.kind === 'overlap-remote-prefix');
    expect(kinds(twoProjects('10.0.0.0/24', '10.5.0.0/24', FROM_10_0_0))).toEqual([]);
    // Beta's range named from alpha, but alpha has no subnet there: it means nothing in alpha's space, not an accident of overlap.
    expect(kinds(twoProjects('10.1.0.0/24', '10.0.0.0/24', FROM_10_0_0))).toEqual([]);
    // One router joining both networks (one address space): the rule means both, no accident.
    const joined = twoProjects('10.0.0.0/24', '10.0.1.0/24', '{ direction: ingress, protocol: tcp, ports: 80, remote_ip_prefix: 10.0.0.0/16 }')
      .replace('  a-r: { project: alpha, interfaces: [a-sub] }\n  b-r: { project: beta, interfaces: [b-sub] }', '  a-r: { interfaces: [a-sub, b-sub] }')
      .replace('b-net: { project: beta,', 'b-net: { project: beta, shared: true,')
      .replace('a-net: { project: alpha,', 'a-net: { project: alpha, shared: true,');
    expect(kinds(joined)).toEqual([]);
  });

  it('two-project.yaml: admin\'s mirror group admits 10.0.0.0/8, which in its ports\' space is alpha\'s a-sub, not beta\'s b-sub', () => {
    const f = auditCloud(cloudOf(readFileSync('topologies/two-project.yaml', 'utf8')));
    expect(brief(f)).toEqual(['info mirror#2 security_groups.mirror.rules.0.remote_ip_prefix']);
    expect(f[0]!.project).toBe('admin');
  });
});

describe('findings per project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-audit-projects-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 't.yaml');
  writeFileSync(file, twoProjects('10.0.0.0/24', '10.0.0.0/24', FROM_10_0_0));

  it('every finding names its owner\'s project', () => {
    const f = auditCloud(cloudOf(twoProjects('10.0.0.0/24', '10.0.0.0/24', FROM_10_0_0)));
    expect(f.map((x) => `${x.kind} ${x.group ?? '-'} ${x.project}`)).toEqual(['open-to-world b-ssh beta', 'overlap-remote-prefix a-web alpha']);
  });

  it('vnet audit prints a block per project, and JSON a summary per project', () => {
    const io = memoryIo();
    expect(runAudit(file, {}, io)).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain('Open to the world on sensitive ports — project beta (1)');
    expect(out).toContain('Remote prefixes that name another project\'s range only by overlap — project alpha (1)');
    // alpha's block comes first: projects in file order.
    expect(out.indexOf('project alpha')).toBeLessThan(out.indexOf('project beta'));
    const json = memoryIo();
    runAudit(file, { json: true }, json);
    const parsed = JSON.parse(json.stdout.join('\n')) as { projects: Record<string, { warnings: number; info: number }> };
    expect(parsed.projects).toEqual({ admin: { warnings: 0, info: 0 }, alpha: { warnings: 0, info: 1 }, beta: { warnings: 1, info: 0 } });
  });
});
