/**
 * The one probe checker (probe/probe.ts) that `vnet trace`, probes files and the server's inject
 * share: defaults, every issue code with its path relative to the probe, and resolution against
 * a cloud with structured endpoint errors. Codes and paths are asserted, not wording, except
 * that no message names a flag: callers word them for their place.
 */
import { describe, expect, it } from 'vitest';
import { checkProbe, MAX_ENDPOINT_LENGTH, resolveProbe, type NamedProbe } from '../../../src/probe/probe.js';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import { cloudOf } from '../audit/helpers.js';

const cloud = cloudOf(`version: 1
networks:
  lan:
    subnets:
      v4: { cidr: 10.0.0.0/24 }
      v6: { cidr: "2001:db8::/64" }
instances:
  web-1: { ports: [v4] }
  dual: { ports: [{ subnet: v4, ip: 10.0.0.30 }, { subnet: v6, ip: "2001:db8::30" }] }
external_hosts:
  client: { ip: 198.51.100.7 }
`);

const issuesOf = (raw: unknown, spoof = false) => {
  const r = checkProbe(raw, { spoof });
  return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path.join('.')}`);
};
const named = (p: Partial<NamedProbe>): NamedProbe => ({ from: 'web-1', to: 'dual', proto: 'icmp', port: 0, ipv6: false, spoof: null, ...p });

describe('checkProbe', () => {
  it('fills in the defaults of vnet trace: tcp when a port is given, icmp echo otherwise; proto in any case', () => {
    expect(checkProbe({ from: 'a', to: 'b', port: 80 })).toEqual({ ok: true, probe: { from: 'a', to: 'b', proto: 'tcp', port: 80, ipv6: false, spoof: null } });
    expect(checkProbe({ from: 'a', to: 'b' })).toEqual({ ok: true, probe: { from: 'a', to: 'b', proto: 'icmp', port: 0, ipv6: false, spoof: null } });
    const udp = checkProbe({ from: 'a', to: 'b', proto: 'UDP', port: 53, ipv6: true });
    expect(udp.ok && udp.probe).toMatchObject({ proto: 'udp', port: 53, ipv6: true });
    const spoofed = checkProbe({ from: 'a', to: 'b', port: 80, spoof: '10.0.0.99' }, { spoof: true });
    expect(spoofed.ok && spoofed.probe.spoof).toBe('10.0.0.99');
  });

  it('each problem has its code and its path in the probe', () => {
    expect(issuesOf('hello')).toEqual(['type ']);
    expect(issuesOf([1])).toEqual(['type ']);
    expect(issuesOf({ to: 'b' })).toEqual(['missing-key from']);
    expect(issuesOf({ from: 'a' })).toEqual(['missing-key to']);
    expect(issuesOf({ from: '', to: 7 })).toEqual(['type from', 'type to']);
    expect(issuesOf({ from: 'x'.repeat(MAX_ENDPOINT_LENGTH + 1), to: 'b' })).toEqual(['too-long from']);
    expect(issuesOf({ from: 'x'.repeat(MAX_ENDPOINT_LENGTH), to: 'b' })).toEqual([]);
    expect(issuesOf({ from: 'a', to: 'b', proto: 'sctp', port: 1 })).toEqual(['enum proto']);
    expect(issuesOf({ from: 'a', to: 'b', proto: 6, port: 1 })).toEqual(['enum proto']);
    expect(issuesOf({ from: 'a', to: 'b', proto: 'udp' })).toEqual(['missing-key port']);
    expect(issuesOf({ from: 'a', to: 'b', proto: 'icmp', port: 7 })).toEqual(['port-protocol port']);
    for (const port of ['80', 0, 65536, 80.5, null, -1]) expect(issuesOf({ from: 'a', to: 'b', port })).toEqual(['port port']);
    expect(issuesOf({ from: 'a', to: 'b', port: 1 })).toEqual([]);
    expect(issuesOf({ from: 'a', to: 'b', port: 65535 })).toEqual([]);
    expect(issuesOf({ from: 'a', to: 'b', ipv6: 'yes' })).toEqual(['type ipv6']);
    expect(issuesOf({ from: 'a', to: 'b', prot: 'tcp' })).toEqual(['unknown-key prot']);
  });

  it('reports every problem of a probe, not the first', () => {
    expect(issuesOf({ from: 1, prot: 'tcp', port: 'x', ipv6: 0 })).toEqual(['unknown-key prot', 'type from', 'missing-key to', 'port port', 'type ipv6']);
  });

  it('spoof: only where the caller takes it, an address, for tcp and udp', () => {
    expect(issuesOf({ from: 'a', to: 'b', port: 80, spoof: '10.0.0.9' })).toEqual(['unknown-key spoof']);
    expect(issuesOf({ from: 'a', to: 'b', port: 80, spoof: 'nowhere' }, true)).toEqual(['ip spoof']);
    expect(issuesOf({ from: 'a', to: 'b', spoof: '10.0.0.9' }, true)).toEqual(['spoof-protocol spoof']);
  });

  it('keys the caller checks itself are not unknown; a did-you-mean for near misses', () => {
    expect(checkProbe({ type: 'inject', v: 1, id: 'x', count: 3, from: 'a', to: 'b' }, { otherKeys: ['type', 'v', 'id', 'count'] }).ok).toBe(true);
    const r = checkProbe({ from: 'a', to: 'b', prto: 'tcp' });
    expect(!r.ok && r.issues[0]!.message).toContain('did you mean "proto"?');
  });

  it('quotes values with the caller\'s quote (the server bounds what it echoes)', () => {
    const r = checkProbe({ from: 'a', to: 'b', proto: 'x'.repeat(10_000) }, { quote: () => '<value>' });
    expect(!r.ok && r.issues[0]!.message).toBe('expected one of tcp, udp, icmp, got <value>');
  });
});

describe('resolveProbe', () => {
  it('names and addresses → the simulator\'s probe; an address as sender is its source', () => {
    const r = resolveProbe(cloud, named({ from: 'client', to: 'web-1', proto: 'tcp', port: 22 }));
    // A named destination carries its target: the node that must take the packet.
    const target = (sender: string) => ({ name: 'web-1', nodes: ['instance:web-1'], sender, hint: expect.any(String) as string });
    expect(r.ok && r.probe.spec).toEqual({ from: 'host:client', to: 10 * 2 ** 24 + 2, proto: 'tcp', port: 22, target: target('client') });
    const byAddress = resolveProbe(cloud, named({ from: '10.0.0.30', to: 'web-1' }));
    expect(byAddress.ok && byAddress.probe.spec).toEqual({ from: 'instance:dual', to: 10 * 2 ** 24 + 2, proto: 'icmp', port: 0, src: 10 * 2 ** 24 + 30, target: target('dual') });
    const toAddress = resolveProbe(cloud, named({ from: 'client', to: '10.0.0.2' }));
    expect(toAddress.ok && toAddress.probe.spec.target).toBeUndefined();
    const v6 = resolveProbe(cloud, named({ from: 'web-1', to: 'dual', ipv6: true }));
    expect(v6.ok && typeof v6.probe.spec.to).toBe('bigint');
    const spoofed = resolveProbe(cloud, named({ to: 'dual', proto: 'tcp', port: 80, spoof: '10.0.0.99' }));
    expect(spoofed.ok && spoofed.probe.spec.src).toBe(10 * 2 ** 24 + 99);
  });

  it('structured errors: code and path; the message is about the name and names no flag', () => {
    const codes = (p: NamedProbe) => { const r = resolveProbe(cloud, p); return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path.join('.')}`); };
    expect(codes(named({ from: 'web-9' }))).toEqual(['unknown-source from']);
    expect(codes(named({ from: '10.0.0.250' }))).toEqual(['unknown-source from']);
    expect(codes(named({ from: 'web-9', to: 'nowhere' }))).toEqual(['unknown-source from', 'unknown-destination to']);
    expect(codes(named({ to: 'web-1', ipv6: true }))).toEqual(['destination-family to']);
    expect(codes(named({ from: '10.0.0.30', to: '2001:db8::1' }))).toEqual(['probe-family ']);
    expect(codes(named({ proto: 'tcp', port: 80, spoof: '2001:db8::9' }))).toEqual(['probe-family spoof']);
    const r = resolveProbe(cloud, named({ from: 'web-9', to: 'nowher' }));
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map((i) => i.message)).toEqual(['no instance or external host named "web-9"; did you mean "web-1"?', 'no instance, external host, load balancer or floating IP named "nowher"']);
  });

  it('engine/endpoints: a failure is a code and a message without the CLI\'s flags', () => {
    const results = [resolveSource(cloud, 'nobody'), resolveSource(cloud, '192.0.2.1'), resolveDestination(cloud, 'nobody'), resolveDestination(cloud, 'web-1', 6)];
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['unknown-source', 'unknown-source', 'unknown-destination', 'destination-family']);
    for (const r of results) expect(!r.ok && r.message).not.toMatch(/--|^(from|to)\b/);
  });
});
