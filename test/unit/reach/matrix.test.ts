// The reachability matrix on three-tier: what can reach what, and why not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reachMatrix } from '../../../src/reach/matrix.js';
import { parseTopology } from '../../../src/topology/load.js';

function cloudOf(file: string) {
  const r = parseTopology(readFileSync(file, 'utf8'), file);
  if (!r.ok) throw new Error(`${file} does not load`);
  return r.cloud;
}

describe('vnet reach on three-tier', () => {
  const m = reachMatrix(cloudOf('topologies/three-tier.yaml'));
  const row = (from: string, to: string, service: string) => m.rows.find((r) => r.from === from && r.to === to && r.service === service);

  it('covers every source against every destination service once', () => {
    // 6 sources (3 instances, 3 external hosts); destinations' services: web-1 2, web-2 2, db-1 1,
    // web-lb 1, web-1-fip 2, lb-fip 1, client 1, mirror 2 — less each source against itself.
    expect(m.sources).toBe(6);
    expect(m.rows.every((r) => r.from !== r.to)).toBe(true);
    expect(new Set(m.rows.map((r) => `${r.from}|${r.to}|${r.service}`)).size).toBe(m.rows.length);
  });

  it('gives the verdicts the groups, NAT and the load balancer imply', () => {
    expect(row('client', 'web-1-fip', 'tcp/80')?.verdict).toBe('delivered');
    expect(row('client', 'web-1-fip', 'tcp/22')?.verdict).toBe('delivered'); // ssh allowed from 198.51.100.0/24
    expect(row('scanner', 'web-1-fip', 'tcp/22')?.verdict).toBe('dropped');
    expect(row('scanner', 'web-1-fip', 'tcp/22')?.reason).toContain('no rule of groups [web, ssh] allows tcp/22');
    expect(row('web-1', 'db-1', 'tcp/5432')?.verdict).toBe('delivered'); // remote group web
    expect(row('client', 'db-1', 'tcp/5432')?.verdict).toBe('unreachable'); // private address from the internet
    expect(row('db-1', 'mirror', 'tcp/443')?.verdict).toBe('delivered'); // router SNAT
    expect(row('client', 'lb-fip', 'tcp/80')?.verdict).toBe('delivered');
  });
});

describe('vnet reach on two-project (issue 14: overlapping 10.0.0.0/24 in alpha and beta)', () => {
  const cloud = cloudOf('topologies/two-project.yaml');
  const m = reachMatrix(cloud);
  const row = (from: string, to: string, service: string) => m.rows.find((r) => r.from === from && r.to === to && r.service === service);
  /** The nodes that count as `to` receiving a packet (the instance; a floating IP's instance). */
  const targetNodes = (to: string): string[] => {
    const fip = cloud.floatingIps.get(to);
    const owner = fip?.port ? cloud.ports.get(fip.port)?.owner.name : undefined;
    return cloud.instances.has(to) ? [`instance:${to}`] : owner ? [`instance:${owner}`] : cloud.externalHosts.has(to) ? [`host:${to}`] : [];
  };

  it('b-vm1 from a-vm1 by its private address is not delivered: it lands on a-vm1 itself', () => {
    const r = row('a-vm1', 'b-vm1', 'tcp/80');
    expect(r?.verdict).toBe('misdelivered');
    expect(r?.landed).toBe('instance:a-vm1');
    expect(row('b-vm1', 'a-vm1', 'tcp/80')?.verdict).toBe('misdelivered');
    // beta's instances on alpha's ops (RBAC) and admin's shared tools network are in alpha's space.
    expect(row('b-etl', 'b-vm1', 'tcp/80')?.landed).toBe('instance:a-vm1');
    expect(row('a-vm1', 'b-fip', 'tcp/80')?.verdict).toBe('delivered');
    expect(row('a-vm1', 'b-cache', 'tcp/80')?.verdict).toBe('delivered');
  });

  it('every delivered or refused row landed on the destination it names', () => {
    for (const r of m.rows) {
      if (r.verdict !== 'delivered' && r.verdict !== 'refused') continue;
      expect(`${r.from} → ${r.to} ${r.service}: ${r.landed}`).toBe(`${r.from} → ${r.to} ${r.service}: ${targetNodes(r.to).find((n) => n === r.landed) ?? 'elsewhere'}`);
    }
  });

  it('--project keeps the rows whose source is in the project', () => {
    const beta = reachMatrix(cloud, { project: 'beta' });
    expect(new Set(beta.rows.map((r) => r.from))).toEqual(new Set(['b-vm1', 'b-etl', 'b-cache']));
    expect(reachMatrix(cloud, { project: 'alpha' }).rows.every((r) => r.from === 'a-vm1')).toBe(true);
  });
});
