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
