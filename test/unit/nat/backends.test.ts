/**
 * The two Neutron back ends' router NAT (src/routing/nat.ts): what the L3 agent and ML2/OVN SNAT,
 * case by case, on one router; the key in a topology file and what it does end to end. The
 * golden traces (test/golden/nat-backends) show the same cases hop by hop.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TCP_SYN, TCP_ACK, type IpPacket } from '../../../src/packet/frame.js';
import { toPrefixValue } from '../../../src/packet/ip-value.js';
import { parseCidr } from '../../../src/address/cidr.js';
import { RouterNat, type NeutronBackend } from '../../../src/routing/nat.js';
import { parseTopology } from '../../../src/topology/load.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';

const GW = 0xcb00710a; // 203.0.113.10
const FIP = 0xcb00710b; // 203.0.113.11 → 10.0.0.2 (the server)
const SERVER = 0x0a000002;
const CLIENT_FIP = 0xcb00710c; // 203.0.113.12 → 10.0.1.9
const ATTACHED = 0x0a000105; // 10.0.1.5, in attached subnet db
const BEHIND = 0xac100005; // 172.16.0.5, behind another router (a static route)
const OUTSIDE = 0xc6336407; // 198.51.100.7

function cidr(text: string) {
  const c = parseCidr(text);
  if (!c.ok) throw new Error(text);
  return { subnet: text === '10.0.0.0/24' ? 'web' : 'db', cidr: text, prefix: toPrefixValue(c.cidr) };
}

function router(backend: NeutronBackend, snat = true): RouterNat {
  return new RouterNat({
    gatewayPort: 'r/qg', gatewayIp: GW, snat, backend,
    snatRows: [cidr('10.0.0.0/24'), cidr('10.0.1.0/24')],
    floatingIps: [
      { name: 'server-fip', floating: FIP, fixed: SERVER, forwardings: [] },
      { name: 'client-fip', floating: CLIENT_FIP, fixed: 0x0a000109, forwardings: [] },
    ],
  });
}

const syn = (src: number, dst: number, sport = 40001, dport = 80): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl: 64, l4: { proto: 'tcp', sport, dport, flags: TCP_SYN } });
const synAck = (p: IpPacket): IpPacket => {
  if (p.l4.proto !== 'tcp') throw new Error('tcp only');
  return { ...p, src: p.dst, dst: p.src, l4: { proto: 'tcp', sport: p.l4.dport, dport: p.l4.sport, flags: TCP_SYN | TCP_ACK } };
};

/** The packet leaving, and the NAT events, for one packet through the router. */
function through(nat: RouterNat, p: IpPacket, inPort: string, outPort: string) {
  const pre = nat.prerouting(p);
  const mid = pre?.packet ?? p;
  const post = nat.postrouting(mid, inPort, outPort, pre);
  return { out: post?.packet ?? mid, pre, post };
}

describe('router SNAT of a flow leaving by the gateway', () => {
  it('a source in an attached subnet: both SNAT it to the gateway, each naming its own rule', () => {
    const l3 = through(router('l3-agent'), syn(ATTACHED, OUTSIDE), 'r/qr', 'r/qg');
    const ovn = through(router('ovn'), syn(ATTACHED, OUTSIDE), 'r/qr', 'r/qg');
    expect(l3.out.src).toBe(GW);
    expect(ovn.out.src).toBe(GW);
    expect(l3.post?.why).toMatch(/^l3-agent: SNAT everything leaving the gateway port/);
    expect(ovn.post?.why).toBe('ovn: snat row for subnet db (10.0.1.0/24)');
  });

  it('a source behind another router: the L3 agent SNATs it, OVN has no row for it and does not', () => {
    const l3 = through(router('l3-agent'), syn(BEHIND, OUTSIDE), 'r/qr', 'r/qg');
    const ovn = through(router('ovn'), syn(BEHIND, OUTSIDE), 'r/qr', 'r/qg');
    expect(l3.out.src).toBe(GW);
    expect(ovn.post).toBeUndefined();
    expect(ovn.out.src).toBe(BEHIND);
  });

  it('snat: false — neither back end SNATs an outbound flow; a floating IP still applies under both', () => {
    for (const backend of ['l3-agent', 'ovn'] as const) {
      expect(through(router(backend, false), syn(ATTACHED, OUTSIDE), 'r/qr', 'r/qg').out.src).toBe(ATTACHED);
      expect(through(router(backend, false), syn(SERVER, OUTSIDE), 'r/qr', 'r/qg').out.src).toBe(FIP);
    }
  });

  it('the reply of an OVN-SNATed flow is translated back to the client', () => {
    const nat = router('ovn');
    const { out } = through(nat, syn(ATTACHED, OUTSIDE), 'r/qr', 'r/qg');
    const back = through(nat, synAck(out), 'r/qg', 'r/qr');
    expect(back.out.dst).toBe(ATTACHED);
    expect(back.pre?.complete).toBe(true);
  });
});

describe('hairpin: a flow from inside to a floating IP', () => {
  it('from an attached subnet with snat on: both SNAT to the gateway (OVN by the subnet\'s row, before the egress loopback)', () => {
    const l3 = through(router('l3-agent'), syn(ATTACHED, FIP), 'r/qr-db', 'r/qr-web');
    const ovn = through(router('ovn'), syn(ATTACHED, FIP), 'r/qr-db', 'r/qr-web');
    expect(l3.out).toEqual(ovn.out);
    expect(l3.out.src).toBe(GW);
    expect(l3.out.dst).toBe(SERVER);
    expect(l3.post?.why).toMatch(/^l3-agent --ctstate DNAT -j SNAT/);
    expect(ovn.post?.why).toBe('ovn: snat row for subnet db (10.0.1.0/24), applied before the egress loopback');
  });

  it('from behind another router: the L3 agent SNATs to the gateway; OVN keeps the client and does not un-DNAT the reply', () => {
    const l3 = through(router('l3-agent'), syn(BEHIND, FIP), 'r/qr-core', 'r/qr-web');
    expect(l3.out.src).toBe(GW);
    const nat = router('ovn');
    const ovn = through(nat, syn(BEHIND, FIP), 'r/qr-core', 'r/qr-web');
    expect(ovn.out.src).toBe(BEHIND);
    expect(ovn.out.dst).toBe(SERVER);
    const reply = synAck(ovn.out);
    const back = through(nat, reply, 'r/qr-web', 'r/qr-core');
    // The server's own address, not the floating IP the client sent to: the client cannot match it.
    expect(back.out).toEqual(reply);
    expect(back.pre?.action).toBe('untranslated');
    expect(back.pre?.complete).toBe(true);
    // Later packets of the client's flow are still DNATed to the server.
    expect(through(nat, syn(BEHIND, FIP), 'r/qr-core', 'r/qr-web').out.dst).toBe(SERVER);
  });

  it('snat: false — the L3 agent still SNATs to the gateway (its ctstate-DNAT rule is not under enable_snat); OVN does not', () => {
    expect(through(router('l3-agent', false), syn(ATTACHED, FIP), 'r/qr-db', 'r/qr-web').out.src).toBe(GW);
    expect(through(router('ovn', false), syn(ATTACHED, FIP), 'r/qr-db', 'r/qr-web').out.src).toBe(ATTACHED);
  });

  it('a client with its own floating IP: both SNAT it to that floating IP', () => {
    for (const backend of ['l3-agent', 'ovn'] as const) {
      for (const snat of [true, false]) {
        const { out, post } = through(router(backend, snat), syn(0x0a000109, FIP), 'r/qr-db', 'r/qr-web');
        expect(out.src).toBe(CLIENT_FIP);
        expect(post?.kind).toBe('fip');
      }
    }
  });
});

describe('neutron_backend in a topology file', () => {
  const text = readFileSync('topologies/three-tier.yaml', 'utf8');
  const load = (extra: string) => parseTopology(`${text}\n${extra}`, 'three-tier.yaml');

  it('defaults to l3-agent and takes ovn', () => {
    const plain = load('');
    const ovn = load('neutron_backend: ovn');
    expect(plain.ok && plain.cloud.neutronBackend).toBe('l3-agent');
    expect(ovn.ok && ovn.cloud.neutronBackend).toBe('ovn');
  });

  it('any other value is an error at the key', () => {
    const bad = load('neutron_backend: linuxbridge');
    expect(bad.ok).toBe(false);
    const issues = bad.ok ? [] : bad.issues;
    expect(issues.map((i) => ({ code: i.code, path: i.path.join('.') }))).toEqual([{ code: 'enum', path: 'neutron_backend' }]);
    expect(issues[0]!.line).toBeGreaterThan(1);
  });

  function observed(extra: string, from: string, to: string): string | undefined {
    const loaded = load(extra);
    if (!loaded.ok) throw new Error('does not load');
    const src = resolveSource(loaded.cloud, from);
    const dst = resolveDestination(loaded.cloud, to);
    if (!src.ok || !dst.ok) throw new Error('bad probe');
    const v = new Simulator(loaded.cloud).probe({ from: src.value.node, to: dst.value, proto: 'tcp', port: 80 });
    expect(v.verdict).toBe('delivered');
    return v.observed?.src;
  }

  it('a balancer reached by its floating IP from inside: the L3 agent hairpins it to the gateway, OVN treats it as the VIP and keeps the client', () => {
    expect(observed('', 'db-1', 'lb-fip')).toBe('203.0.113.10');
    expect(observed('neutron_backend: ovn', 'db-1', 'lb-fip')).toMatch(/^10\.0\.1\./);
  });
});
