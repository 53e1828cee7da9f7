/**
 * `vnet audit` through runAudit with a recording Io: exit codes (0 clean or info only, 1 a
 * warning, 2 unreadable or invalid input), text grouped by kind with file positions and no
 * escape codes off a TTY, and the JSON form.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/cli/audit.js';
import { memoryIo } from '../../../src/cli/io.js';
import { groupsYaml } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vnet-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const ESC = String.fromCharCode(27);

const risky = write('risky.yaml', groupsYaml(`  web:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 22 }`, '  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }], services: [tcp/80] }\n  web-2: { ports: [{ subnet: lan-v4, security_groups: [web] }] }'));

function audit(file: string, opts: { json?: boolean; probes?: string } = {}) {
  const io = memoryIo();
  const code = runAudit(file, opts, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('vnet audit', () => {
  it('a clean example: exit 0, a plain summary', () => {
    const r = audit('topologies/three-tier.yaml');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe('audit three-tier (topologies/three-tier.yaml)\n\nclean: no findings');
  });

  it('a warning: exit 1, a section per kind with line:col and the document path, no escape codes', () => {
    const r = audit(risky);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(ESC);
    expect(r.out.split('\n')).toEqual([
      `audit t (${risky})`,
      '',
      'Open to the world on sensitive ports (1)',
      'severity  at    path                          finding',
      'warning   11:9  security_groups.web.rules[1]  web#3 (ingress tcp/22 from 0.0.0.0/0) opens ssh (tcp/22) to the world (0.0.0.0/0); restrict remote_ip_prefix to the addresses that need it',
      '',
      '1 warning, 0 info',
    ]);
  });

  it('with probes: a probes table, hit counts per rule, unused rules as info (which alone do not fail)', () => {
    const probes = write('probes.yaml', 'probes:\n  - { from: web-2, to: web-1, port: 80 }\n');
    const clean = write('clean.yaml', groupsYaml('  web:\n    rules:\n      - { direction: ingress, protocol: tcp, ports: 80 }\n      - { direction: ingress, protocol: tcp, ports: 443 }',
      '  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }], services: [tcp/80] }\n  web-2: { ports: [{ subnet: lan-v4, security_groups: [web] }] }'));
    const r = audit(clean, { probes });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Probes (1)\n#  probe                 verdict\n1  web-2 → web-1 tcp/80  delivered');
    expect(r.out).toMatch(/web {4}#0 {2}egress any to 0\.0\.0\.0\/0 \(default\) +1\n/);
    expect(r.out).toMatch(/#3 {2}ingress tcp\/443 from 0\.0\.0\.0\/0 +0\n/);
    expect(r.out).toContain('Rules no probe used (1)');
    expect(r.out).toContain('info      11:9  security_groups.web.rules[1]  web#3 (ingress tcp/443 from 0.0.0.0/0) allowed nothing in 1 probe');
    expect(r.out.endsWith('0 warnings, 1 info')).toBe(true);
  });

  it('--json: findings with their path and position, hits and probe verdicts, the same exit code', () => {
    const probes = write('probes2.yaml', 'probes: [{ from: web-2, to: web-1, port: 80 }]');
    const r = audit(risky, { json: true, probes });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { findings: Record<string, unknown>[]; hits: { group: string; rule: number; hits: number }[]; probes: { verdict: string }[]; summary: unknown };
    expect(j.findings.map((f) => [f['kind'], f['severity'], f['group'], f['rule'], f['path'], f['line'], f['col']])).toEqual([
      ['open-to-world', 'warning', 'web', 3, ['security_groups', 'web', 'rules', 1], 11, 9],
      ['unused-rule', 'info', 'web', 3, ['security_groups', 'web', 'rules', 1], 11, 9],
    ]);
    expect(j.hits.map((h) => `${h.group}#${h.rule}=${h.hits}`)).toEqual(['web#0=1', 'web#1=0', 'web#2=1', 'web#3=0']);
    expect(j.probes.map((p) => p.verdict)).toEqual(['delivered']);
    expect(j.summary).toEqual({ warnings: 1, info: 1 });
    expect(audit('topologies/aws-vpc.yaml', { json: true }).out).toBe(JSON.stringify({ file: 'topologies/aws-vpc.yaml', findings: [], summary: { warnings: 0, info: 0 } }, null, 2));
  });

  it('exit 2 with positioned errors for a missing or invalid topology or probes file', () => {
    expect(audit(join(dir, 'nope.yaml'))).toMatchObject({ code: 2, out: '', err: `error: ${join(dir, 'nope.yaml')} cannot read the file: no such file` });
    const bad = write('bad.yaml', 'version: 1\nnetworks: { lan: { subnets: { v4: { cidr: 10.0.0.0/33 } } } }\n');
    expect(audit(bad)).toMatchObject({ code: 2, out: '' });
    const badProbes = write('bad-probes.yaml', 'probes:\n  - { from: web-3, to: web-1 }\n');
    const r = audit(risky, { probes: badProbes });
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(`error: ${badProbes}:2:13 probes[0].from: web-3: no instance or external host named "web-3"; did you mean "web-1"?`);
    expect(audit(risky, { probes: join(dir, 'none.yaml') }).code).toBe(2);
  });
});
