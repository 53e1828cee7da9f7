/**
 * The generated large topology (scripts/gen-large.ts) that benchmarks load: valid at any size,
 * deterministic, and with every address in the cloud given out once.
 */
import { describe, expect, it } from 'vitest';
import { generateLarge } from '../../../scripts/gen-large.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

function load(instances: number): Cloud {
  const result = parseTopology(generateLarge(instances), `large-${instances}.yaml`);
  if (!result.ok) throw new Error(result.issues.slice(0, 10).map(formatIssue).join('\n'));
  return result.cloud;
}

describe('generateLarge', () => {
  const cloud = load(500);

  it('500 instances load with no errors and no warnings', () => {
    const result = parseTopology(generateLarge(500), 'large.yaml');
    expect(result.ok ? result.warnings.map(formatIssue) : result.issues.map(formatIssue)).toEqual([]);
    expect(cloud.instances.size).toBe(500);
  });

  it('every port address in the cloud is unique, and so is every MAC', () => {
    const ips = [...cloud.ports.values()].flatMap((p) => p.fixedIps.map((f) => f.address.text));
    expect(ips.length).toBeGreaterThan(500);
    expect(new Set(ips).size).toBe(ips.length);
    const fips = [...cloud.floatingIps.values()].map((f) => f.address.text);
    expect(new Set([...ips, ...fips]).size).toBe(ips.length + fips.length);
    const macs = [...cloud.ports.values()].map((p) => p.mac);
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('has what a benchmark needs: several routers with routes, floating IPs, two load balancers, remote groups', () => {
    expect(cloud.routers.size).toBeGreaterThanOrEqual(2);
    for (const r of cloud.routers.values()) expect(r.routes.length).toBe(cloud.routers.size - 1);
    expect(cloud.floatingIps.size).toBe(500 / 20 + 2);
    expect(cloud.loadBalancers.size).toBe(2);
    const remoteGroups = [...cloud.securityGroups.values()].filter((g) => !g.implicit).flatMap((g) => g.rules.map((r) => r.remoteGroup)).filter((g) => g !== null);
    expect(new Set(remoteGroups)).toEqual(new Set(['web', 'app']));
  });

  it('is deterministic', () => {
    expect(generateLarge(500)).toBe(generateLarge(500));
  });

  it.each([1, 2, 99, 101, 1700])('%i instances also load cleanly', (n) => {
    expect(load(n).instances.size).toBe(n);
  });

  it('refuses sizes it cannot build', () => {
    expect(() => generateLarge(0)).toThrow(RangeError);
    expect(() => generateLarge(1.5)).toThrow(RangeError);
  });
});
