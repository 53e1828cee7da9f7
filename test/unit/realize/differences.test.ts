// compare(): a probe's verdict in vnet against what the kernel did. Agreement needs the same
// verdict and, for an answered TCP/UDP probe, the same source at the far end (and for TCP the
// same member); each expected difference applies only where its reason holds, and everything
// else is a `differ` that names both sides.
import { describe, expect, it } from 'vitest';
import { compare, type RealOutcome } from '../../../src/realize/differences.js';
import type { Verdict } from '../../../src/trace/verdict.js';

const vnet = (over: Partial<Verdict> = {}): Verdict => ({
  verdict: 'delivered', reply: true, path: [], drop: null, blockers: [], nat: [], lb: null,
  observed: { src: '10.0.0.2', dst: '10.0.0.3' }, landed: { node: 'instance:web-2', port: 'web-2/eth0', outcome: 'delivered' }, reason: 'delivered: listening on tcp/80', events: [], ...over,
});
const real = (over: Partial<RealOutcome> = {}): RealOutcome => ({ verdict: 'delivered', seenSrc: '10.0.0.2', seenDst: '10.0.0.3', dropAt: null, detail: null, ...over });
const lb = (algorithm: string) => ({ node: 'lb:web-lb', member: 'web-1', algorithm });
const dropped = (stage: string): Partial<Verdict> => ({ verdict: 'dropped', observed: null, drop: { node: 'instance:web-1', stage, reason: 'spoofed source' }, reason: 'dropped' });

describe('compare', () => {
  it('agrees on the same verdict and the same far-end view', () => {
    expect(compare(vnet(), real(), 'tcp')).toEqual({ status: 'agree', reason: null });
    expect(compare(vnet(dropped('sg.ingress')), real({ verdict: 'dropped', seenSrc: null, seenDst: null, dropAt: 'vn-i-web-1 vnet_sg/ingress_drop' }), 'tcp').status).toBe('agree');
    expect(compare(vnet({ verdict: 'unreachable', observed: null }), real({ verdict: 'unreachable', seenSrc: null, seenDst: null }), 'icmp').status).toBe('agree');
  });

  it('agrees when the kernel could not tell what the far end saw (echo replies carry no address)', () => {
    expect(compare(vnet(), real({ seenSrc: null, seenDst: null }), 'icmp').status).toBe('agree');
    expect(compare(vnet(), real({ seenSrc: null, seenDst: null }), 'tcp').status).toBe('agree');
  });

  it('compares addresses as addresses, not spellings', () => {
    const v6 = vnet({ observed: { src: '2001:db8:1:0:f816:3eff:fe00:1', dst: '2001:db8:2::1' } });
    expect(compare(v6, real({ seenSrc: '2001:DB8:1::F816:3EFF:FE00:1', seenDst: '2001:db8:2:0:0:0:0:1' }), 'tcp').status).toBe('agree');
    expect(compare(v6, real({ seenSrc: '2001:db8:1::f816:3eff:fe00:2', seenDst: '2001:db8:2::1' }), 'tcp').status).toBe('differ');
  });

  it('expects a kernel drop or timeout where vnet delivered or refused but lost the answer, the same way, and only there', () => {
    const answerDrop = (node: string, stage: string, reason: string) =>
      ({ seq: 9, probe: 1, t: 0, node, port: null, stage, action: 'drop', packet: 'answer', direction: 'reply', detail: { reason } }) as unknown as Verdict['events'][number];
    const sent = { ...answerDrop('instance:vm1', 'host.send', ''), seq: 1, action: 'send', direction: 'forward' } as Verdict['events'][number];
    const lost = (verdict: 'delivered' | 'refused', drop?: Verdict['events'][number]) => vnet({ verdict, reply: false, observed: { src: '172.16.0.2', dst: '198.51.100.20' }, events: drop ? [sent, drop] : [sent] });
    const kernel = (verdict: 'dropped' | 'timeout' | 'refused') => real({ verdict, seenSrc: null, seenDst: null });
    for (const verdict of ['delivered', 'refused'] as const) {
      // No drop event: the answer had no route back; the kernel loses it silently.
      expect(compare(lost(verdict), kernel('timeout'), 'tcp')).toMatchObject({ status: 'expected', reason: expect.stringContaining('had no way back') });
      expect(compare(lost(verdict), kernel('dropped'), 'tcp').status).toBe('differ');
      // Dropped by a filter the realization counts: the kernel must count it too.
      const byGroup = lost(verdict, answerDrop('instance:vm1', 'sg.ingress', 'no rule of groups [g1] allows tcp/40001'));
      expect(compare(byGroup, kernel('dropped'), 'tcp')).toMatchObject({ status: 'expected', reason: expect.stringContaining('was dropped at instance:vm1 (sg.ingress: no rule of groups [g1]') });
      expect(compare(byGroup, kernel('timeout'), 'tcp').status).toBe('differ');
      // Dropped by the internet's routing: no counter, a timeout.
      expect(compare(lost(verdict, answerDrop('internet', 'drop', 'no route')), kernel('timeout'), 'tcp').status).toBe('expected');
    }
    expect(compare(lost('delivered'), kernel('refused'), 'tcp').status).toBe('differ');
    expect(compare(vnet({ reply: true }), kernel('dropped'), 'tcp').status).toBe('differ');
    expect(compare(vnet({ verdict: 'dropped', reply: false, observed: null, drop: { node: 'instance:vm1', stage: 'sg.ingress', reason: 'x' } }), kernel('timeout'), 'tcp').status).toBe('differ');
  });

  it('differs on a different verdict, naming both sides', () => {
    const c = compare(vnet(), real({ verdict: 'timeout', seenSrc: null, seenDst: null, detail: 'no answer and no drop counter moved' }), 'tcp');
    expect(c.status).toBe('differ');
    expect(c.reason).toBe('vnet: delivered (delivered: listening on tcp/80); kernel: timeout (no answer and no drop counter moved)');
    expect(compare(vnet(dropped('sg.ingress')), real({ verdict: 'refused' }), 'tcp').status).toBe('differ');
  });

  it('differs when the far end saw another source (SNAT, floating IPs), TCP or UDP', () => {
    for (const proto of ['tcp', 'udp'] as const) {
      const c = compare(vnet({ observed: { src: '203.0.113.10', dst: '198.51.100.7' } }), real({ seenSrc: '203.0.113.11', seenDst: '198.51.100.7' }), proto);
      expect(c).toEqual({ status: 'differ', reason: 'the far end saw 203.0.113.11 in the kernel, 203.0.113.10 in vnet' });
    }
  });

  it('differs when the same source hit another member, and no balancer explains it', () => {
    const c = compare(vnet(), real({ seenDst: '10.0.0.4' }), 'tcp');
    expect(c).toEqual({ status: 'differ', reason: 'member 10.0.0.4 served in the kernel, 10.0.0.3 in vnet' });
    // UDP answers carry the source only: the member is not compared.
    expect(compare(vnet(), real({ seenDst: '10.0.0.4' }), 'udp').status).toBe('agree');
  });

  it('does not excuse port security: the realization filters spoofed frames too, so a delivery is a real difference', () => {
    expect(compare(vnet(dropped('port.security')), real(), 'tcp').status).toBe('differ');
    expect(compare(vnet(dropped('port.security')), real({ verdict: 'dropped', dropAt: 'vn0-fabric vnet_ps/spoof_drop' }), 'tcp').status).toBe('agree');
    expect(compare(vnet(dropped('sg.ingress')), real(), 'tcp').status).toBe('differ');
  });

  it('does not excuse source hashing: vnet and the realization hash alike, so another member is a real difference', () => {
    for (const algorithm of ['source_ip', 'source_ip_port']) {
      const c = compare(vnet({ lb: lb(algorithm) }), real({ seenDst: '10.0.0.4' }), 'tcp');
      expect(c).toEqual({ status: 'differ', reason: 'member 10.0.0.4 served in the kernel, 10.0.0.3 in vnet' });
    }
  });

  it('expects least_connections to walk round robin in the kernel', () => {
    const c = compare(vnet({ lb: lb('least_connections') }), real({ seenDst: '10.0.0.4' }), 'tcp');
    expect(c.status).toBe('expected');
    expect(c.reason).toMatch(/least_connections has no nftables form/);
  });

  it('expects round robin to differ by the realization\'s second counter', () => {
    const c = compare(vnet({ lb: lb('round_robin') }), real({ seenDst: '10.0.0.4' }), 'tcp');
    expect(c.status).toBe('expected');
    expect(c.reason).toMatch(/two \(the router's, and the load-balancer namespace's/);
  });

  it('explains no member difference when the source differs too, or the verdict does', () => {
    const other = compare(vnet({ lb: lb('round_robin') }), real({ seenSrc: '10.0.0.9', seenDst: '10.0.0.4' }), 'tcp');
    expect(other).toEqual({ status: 'differ', reason: 'the far end saw 10.0.0.9 in the kernel, 10.0.0.2 in vnet' });
    expect(compare(vnet({ lb: lb('source_ip') }), real({ verdict: 'refused', seenSrc: null, seenDst: null }), 'tcp').status).toBe('differ');
    // A balanced probe whose member matches simply agrees.
    expect(compare(vnet({ lb: lb('round_robin') }), real(), 'tcp').status).toBe('agree');
  });

  it('expects a misdelivered probe where the kernel saw what the node that took it did, and only there', () => {
    const landedOn = (outcome: 'delivered' | 'refused'): Partial<Verdict> => ({ verdict: 'misdelivered', landed: { node: 'instance:a-vm1', port: null, outcome }, observed: { src: '10.0.0.2', dst: '10.0.0.2' } });
    expect(compare(vnet(landedOn('delivered')), real({ seenDst: '10.0.0.2' }), 'tcp').status).toBe('expected');
    expect(compare(vnet(landedOn('refused')), real({ verdict: 'refused', seenSrc: null, seenDst: null }), 'tcp').status).toBe('expected');
    // The kernel did something else, or the far end saw another source: a real difference.
    expect(compare(vnet(landedOn('delivered')), real({ verdict: 'refused', seenSrc: null, seenDst: null }), 'tcp').status).toBe('differ');
    expect(compare(vnet(landedOn('delivered')), real({ verdict: 'dropped', seenSrc: null, seenDst: null }), 'tcp').status).toBe('differ');
    expect(compare(vnet(landedOn('delivered')), real({ seenSrc: '10.0.0.9' }), 'tcp').status).toBe('differ');
  });
});
