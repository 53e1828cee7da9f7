/**
 * Overlapping subnets on one network are reported once per subnet (naming the earliest subnet
 * it overlaps), not once per pair: 1,000 equal subnets used to give 499,500 errors.
 */
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';

function subnets(cidrs: readonly string[]): string {
  return `version: 1\nnetworks:\n  n:\n    subnets:\n${cidrs.map((c, i) => `      s${i + 1}: {cidr: ${c}}\n`).join('')}`;
}

function overlapIssues(text: string) {
  const result = parseTopology(text, 'x.yaml');
  if (result.ok) return [];
  return result.issues.filter((i) => i.code === 'subnet-overlap');
}

function omitted(text: string) {
  const result = parseTopology(text, 'x.yaml');
  return result.ok ? undefined : result.omitted;
}

describe('subnet overlap', () => {
  it('1,000 equal subnets: 999 errors, one per subnet after the first, each naming s1 at its own line (the first 100 listed)', () => {
    const text = subnets(Array<string>(1000).fill('10.0.0.0/24'));
    const issues = overlapIssues(text);
    expect(issues.map((i) => i.path.join('.'))).toEqual(Array.from({ length: 100 }, (_, i) => `networks.n.subnets.s${i + 2}.cidr`));
    expect(issues.map((i) => i.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 6));
    expect(issues.every((i) => i.message.includes('overlaps subnet s1 (10.0.0.0/24)'))).toBe(true);
    expect(omitted(text)).toEqual({ errors: 899, warnings: 0 });
  });

  it('a subnet inside an earlier one, and one enclosing earlier ones, each name the earliest they meet', () => {
    const issues = overlapIssues(subnets(['10.0.1.0/24', '10.0.0.0/24', '10.0.1.128/25', '10.0.0.0/16', '10.1.0.0/16']));
    expect(issues.map((i) => [i.path[3], /overlaps subnet (\S+)/.exec(i.message)?.[1]])).toEqual([['s3', 's1'], ['s4', 's1']]);
  });

  it('IPv4 and IPv6 never overlap; disjoint subnets give no error', () => {
    // ::a00:0/120 has the same number as 10.0.0.0/24.
    expect(overlapIssues(subnets(['10.0.0.0/24', '10.0.1.0/24', '::a00:0/120', '2001:db8::/64', '2001:db8:0:1::/64']))).toEqual([]);
  });
});
