/**
 * A probe says where it landed (issue 14): a probe that names a node is delivered or refused
 * only when that node (for a load balancer, it or a member; for a floating IP, its instance)
 * took the packet; elsewhere it is `misdelivered`, with `landed` naming the node and port.
 * Over topologies/two-project.yaml (two projects on 10.0.0.0/24) and a bastion with a port in
 * each. Verdicts, landed nodes and the names the reason must give are asserted, not wording.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { resolveProbe, type NamedProbe } from '../../../src/probe/probe.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import type { Verdict } from '../../../src/trace/verdict.js';

function load(path: string): Cloud {
  const r = parseTopology(readFileSync(path, 'utf8'), path);
  if (!r.ok) throw new Error(`${path} does not load`);
  return r.cloud;
}

const twoProject = load('topologies/two-project.yaml');
const bastion = load('test/fixtures/projects/bastion.yaml');

function probe(cloud: Cloud, p: Partial<NamedProbe> & { from: string; to: string }): Verdict {
  const r = resolveProbe(cloud, { proto: p.port ? 'tcp' : 'icmp', port: 0, ipv6: false, spoof: null, ...p });
  if (!r.ok) throw new Error(`bad probe ${p.from} → ${p.to}`);
  return new Simulator(cloud).probe(r.probe.spec);
}

describe('a probe says where it landed', () => {
  it('b-vm1 by name from a-vm1: its address is a-vm1 itself there, so misdelivered over loopback, naming b-fip', () => {
    const v = probe(twoProject, { from: 'a-vm1', to: 'b-vm1', port: 80 });
    expect(v.verdict).toBe('misdelivered');
    expect(v.landed).toEqual({ node: 'instance:a-vm1', port: null, outcome: 'delivered' });
    expect(v.drop).toBeNull();
    expect(v.reason).toContain('a-vm1 itself');
    expect(v.reason).toContain('beta');
    expect(v.reason).toContain('b-fip');
  });

  it('the same address written as an address names no node: delivered where it lands', () => {
    const v = probe(twoProject, { from: 'a-vm1', to: '10.0.0.2', port: 80 });
    expect(v.verdict).toBe('delivered');
    expect(v.landed).toEqual({ node: 'instance:a-vm1', port: null, outcome: 'delivered' });
  });

  it('b-vm1 by its floating IP from a-vm1: delivered at b-vm1\'s port', () => {
    const v = probe(twoProject, { from: 'a-vm1', to: 'b-fip', port: 80 });
    expect(v.verdict).toBe('delivered');
    expect(v.landed).toEqual({ node: 'instance:b-vm1', port: 'b-vm1/eth0', outcome: 'delivered' });
  });

  it('beta\'s b-cache on the shared network is in alpha\'s address space: delivered', () => {
    const v = probe(twoProject, { from: 'a-vm1', to: 'b-cache', port: 80 });
    expect(v.verdict).toBe('delivered');
    expect(v.landed).toEqual({ node: 'instance:b-cache', port: 'b-cache/eth0', outcome: 'delivered' });
  });

  it('refused names where it was refused; a refusal by another node is misdelivered too', () => {
    const refused = probe(bastion, { from: 'bastion', to: 'a-vm1', port: 81 });
    expect(refused.verdict).toBe('refused');
    expect(refused.landed).toEqual({ node: 'instance:a-vm1', port: 'a-vm1/eth0', outcome: 'refused' });
    const elsewhere = probe(bastion, { from: 'bastion', to: 'b-vm1', port: 81 });
    expect(elsewhere.verdict).toBe('misdelivered');
    expect(elsewhere.landed).toEqual({ node: 'instance:a-vm1', port: 'a-vm1/eth0', outcome: 'refused' });
  });

  it('stopped probes have no landing', () => {
    const v = probe(twoProject, { from: 'client', to: 'b-vm1', port: 80 });
    expect(v.verdict).toBe('unreachable');
    expect(v.landed).toBeNull();
  });

  it('the bastion with 10.0.0.200 in both projects: a probe meant for b-vm1 lands on a-vm1 and says which port it left by', () => {
    const v = probe(bastion, { from: 'bastion', to: 'b-vm1', port: 80 });
    expect(v.verdict).toBe('misdelivered');
    expect(v.landed).toEqual({ node: 'instance:a-vm1', port: 'a-vm1/eth0', outcome: 'delivered' });
    expect(v.path.at(-1)).toBe('instance:a-vm1');
    expect(v.reason).toContain('bastion/eth0');
    expect(v.reason).toContain('b-sub');
    const sent = v.events.find((e) => e.stage === 'host.route' && e.direction === 'forward');
    expect(sent?.port).toBe('bastion/eth0');
    // a-vm1 by name from the bastion is where the packet goes: delivered.
    expect(probe(bastion, { from: 'bastion', to: 'a-vm1', port: 80 }).verdict).toBe('delivered');
  });
});

describe('a sender named by an address', () => {
  it('is ambiguous when instances of two address spaces hold it: an error at from, naming both', () => {
    const r = resolveProbe(twoProject, { from: '10.0.0.2', to: 'b-fip', proto: 'tcp', port: 80, ipv6: false, spoof: null });
    expect(r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path.join('.')}`)).toEqual(['ambiguous-source from']);
    expect(!r.ok && r.issues[0]!.message).toContain('a-vm1');
    expect(!r.ok && r.issues[0]!.message).toContain('b-vm1');
    // One instance holding it on two ports (the bastion) is not ambiguous.
    expect(resolveProbe(bastion, { from: '10.0.0.200', to: 'a-vm1', proto: 'tcp', port: 80, ipv6: false, spoof: null }).ok).toBe(true);
  });
});

describe('load balancers and their floating IPs', () => {
  const lbCloud = load('test/fixtures/engine/lb-member-down.yaml');

  it('a probe to an LB lands on a member and is delivered; with no healthy member the router serving the VIP refuses it, which counts as the LB', () => {
    const v = probe(lbCloud, { from: 'client', to: 'lb-fip', port: 80 });
    expect(v.verdict).toBe('delivered');
    expect(v.landed?.node).toBe(`instance:${v.lb!.member}`);
    const none = probe(lbCloud, { from: 'client', to: 'empty-fip', port: 80 });
    expect(none.verdict).toBe('refused');
    expect(none.landed).toMatchObject({ node: 'router:edge', outcome: 'refused' });
  });
});
