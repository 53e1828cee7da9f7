/**
 * Router NAT (src/routing/nat.ts) case by case, with RouterNat driven directly: ICMP errors
 * about a translated connection come back translated onto the original flow (outer header and
 * quote); a port forwarding takes only its own protocol and port; the SNAT source port moves
 * to the next free one and wraps from 65535 to 1024; what lookup and postrouting leave alone.
 */
import { describe, expect, it } from 'vitest';
import { ICMP, TCP_ACK, TCP_SYN, type IpPacket, type L4 } from '../../../src/packet/frame.js';
import { prefixValue, type IpValue } from '../../../src/packet/ip-value.js';
import { Balancer } from '../../../src/lb/balancer.js';
import type { LoadBalancer } from '../../../src/topology/model.js';
import { NewFlow, RouterNat } from '../../../src/routing/nat.js';

const GW = 0xcb00710a; // 203.0.113.10
const FIP = 0xcb00710b; // 203.0.113.11 → 10.0.0.2, and tcp/2222 → 10.0.0.3:22
const PF = 0xcb00710c; // 203.0.113.12: port forwardings only (udp/53 → 10.0.0.5:5353)
const SERVER = 0x0a000002;
const SSH = 0x0a000003;
const DNS = 0x0a000005;
const CLIENT = 0x0a000004; // 10.0.0.4, no floating IP
const OUTSIDE = 0xc6336407; // 198.51.100.7
const TRANSIT = 0xc6336401; // 198.51.100.1, a router on the way

function router(snat = true): RouterNat {
  return new RouterNat({
    gatewayPort: 'r/qg', gatewayIp: GW, snat,
    floatingIps: [
      { name: 'fip', floating: FIP, fixed: SERVER, forwardings: [{ proto: 'tcp', externalPort: 2222, internal: SSH, internalPort: 22 }] },
      { name: 'pf', floating: PF, fixed: null, forwardings: [{ proto: 'udp', externalPort: 53, internal: DNS, internalPort: 5353 }] },
    ],
  });
}

const ip = (src: IpValue, dst: IpValue, l4: L4): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl: 64, l4 });
const tcp = (src: IpValue, sport: number, dst: IpValue, dport: number, flags = TCP_SYN) => ip(src, dst, { proto: 'tcp', sport, dport, flags });
const udp = (src: number, sport: number, dst: number, dport: number) => ip(src, dst, { proto: 'udp', sport, dport });
const icmpError = (src: number, about: IpPacket, type: number = ICMP.v4.unreachable, code: number = ICMP.v4.codes.host): IpPacket => ip(src, about.src, { proto: 'icmp', type, code, quoted: about });

/** One packet through the router as its stages call NAT: prerouting, then postrouting. */
function through(nat: RouterNat, p: IpPacket, inPort: string, outPort: string) {
  const pre = nat.prerouting(p);
  const mid = pre?.packet ?? p;
  const post = nat.postrouting(mid, inPort, outPort, pre);
  return { out: post?.packet ?? mid, pre, post };
}

const sportOf = (p: IpPacket) => (p.l4.proto === 'icmp' ? p.l4.id : p.l4.sport);

describe('ICMP errors about a translated connection', () => {
  it('an error from a router beyond the SNAT comes back to the client, quoting the client\'s own packet', () => {
    const nat = router();
    const original = tcp(CLIENT, 40001, OUTSIDE, 443);
    const { out } = through(nat, original, 'r/qr', 'r/qg');
    expect(out.src).toBe(GW);
    const error = icmpError(TRANSIT, out, ICMP.v4.timeExceeded, 0);
    const t = nat.prerouting(error)!;
    expect(t).toMatchObject({ kind: 'snat', complete: true, action: 'reverse', why: 'ICMP error about a translated connection' });
    // The transit router stays the sender; the destination and the quote are the client's.
    expect(t.packet).toEqual({ ...error, dst: CLIENT, l4: { ...error.l4, quoted: original } });
    expect([t.from, t.to]).toEqual(['198.51.100.1 → 203.0.113.10', '198.51.100.1 → 10.0.0.4']);
    // Nothing else happens to it on the way in.
    expect(nat.postrouting(t.packet, 'r/qg', 'r/qr', t)).toBeUndefined();
  });

  it('an error from the destination itself keeps it as the sender', () => {
    const nat = router();
    const original = udp(CLIENT, 5000, OUTSIDE, 53);
    const { out } = through(nat, original, 'r/qr', 'r/qg');
    const t = nat.prerouting(icmpError(OUTSIDE, out, ICMP.v4.unreachable, ICMP.v4.codes.port))!;
    expect(t.packet.src).toBe(OUTSIDE);
    expect(t.packet.dst).toBe(CLIENT);
    expect(t.packet.l4).toMatchObject({ type: ICMP.v4.unreachable, code: ICMP.v4.codes.port, quoted: original });
  });

  it('an error from a floating IP\'s fixed address reaches the outside client as from the floating IP', () => {
    const nat = router();
    const original = udp(OUTSIDE, 6000, FIP, 161);
    const { out } = through(nat, original, 'r/qg', 'r/qr');
    expect(out.dst).toBe(SERVER);
    // The server has nothing on udp/161: port unreachable, from its own (fixed) address.
    const t = nat.prerouting(icmpError(SERVER, out, ICMP.v4.unreachable, ICMP.v4.codes.port))!;
    // Undone as its DNAT (a reply's kind is the entry's direction: the destination was translated).
    expect(t.kind).toBe('dnat');
    expect(t.packet.src).toBe(FIP);
    expect(t.packet.dst).toBe(OUTSIDE);
    expect(t.packet.l4).toMatchObject({ quoted: original });
  });

  it('an error about a port forwarding\'s flow names the forwarded port in its quote, from the floating IP', () => {
    const nat = router();
    const original = tcp(OUTSIDE, 7000, FIP, 2222);
    const { out } = through(nat, original, 'r/qg', 'r/qr');
    expect(out).toMatchObject({ dst: SSH, l4: { dport: 22 } });
    const t = nat.prerouting(icmpError(SSH, out))!;
    expect(t.kind).toBe('dnat');
    expect(t.packet).toMatchObject({ src: FIP, dst: OUTSIDE, l4: { quoted: original } });
  });

  it('an error about an ICMP echo keeps the echo\'s quote untouched but its addresses translated', () => {
    const nat = router();
    const echo = ip(CLIENT, OUTSIDE, { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 77, seq: 1 });
    const { out } = through(nat, echo, 'r/qr', 'r/qg');
    expect(out.src).toBe(GW);
    const t = nat.prerouting(icmpError(TRANSIT, out))!;
    expect(t.packet.dst).toBe(CLIENT);
    expect(t.packet.l4).toMatchObject({ quoted: { src: CLIENT, dst: OUTSIDE, l4: { id: 77 } } });
  });

  it('an error about a flow NAT never saw is not translated (nor is one quoting the original, untranslated tuple)', () => {
    const nat = router();
    expect(nat.prerouting(icmpError(TRANSIT, tcp(GW, 40001, OUTSIDE, 443)))).toBeUndefined();
    const original = tcp(CLIENT, 40001, OUTSIDE, 443);
    through(nat, original, 'r/qr', 'r/qg');
    expect(nat.lookup(icmpError(TRANSIT, original))).toBeUndefined();
    // A different destination port is another flow.
    expect(nat.lookup(icmpError(TRANSIT, tcp(GW, 40001, OUTSIDE, 444)))).toBeUndefined();
  });
});

describe('port forwarding of a floating IP', () => {
  it('takes its protocol and external port to the internal address and port', () => {
    const { out, pre } = through(router(), tcp(OUTSIDE, 7000, FIP, 2222), 'r/qg', 'r/qr');
    expect(out).toMatchObject({ src: OUTSIDE, dst: SSH, l4: { sport: 7000, dport: 22 } });
    expect(pre).toMatchObject({ kind: 'dnat', why: 'port forwarding of floating IP fip', complete: false });
  });

  it('the same port over the other protocol is not forwarded: the floating IP\'s own 1:1 DNAT applies', () => {
    const { out, pre } = through(router(), udp(OUTSIDE, 7000, FIP, 2222), 'r/qg', 'r/qr');
    expect(out).toMatchObject({ dst: SERVER, l4: { dport: 2222 } });
    expect(pre).toMatchObject({ kind: 'fip', why: 'floating IP fip' });
  });

  it('another port over the same protocol is not forwarded either', () => {
    const { out, pre } = through(router(), tcp(OUTSIDE, 7000, FIP, 2223), 'r/qg', 'r/qr');
    expect(out).toMatchObject({ dst: SERVER, l4: { dport: 2223 } });
    expect(pre?.kind).toBe('fip');
  });

  it('a forwarding-only floating IP takes its one protocol and port and nothing else', () => {
    const nat = router();
    expect(through(nat, udp(OUTSIDE, 7000, PF, 53), 'r/qg', 'r/qr').out).toMatchObject({ dst: DNS, l4: { dport: 5353 } });
    for (const p of [tcp(OUTSIDE, 7000, PF, 53), udp(OUTSIDE, 7000, PF, 54), ip(OUTSIDE, PF, { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 1, seq: 1 })]) {
      const l = nat.lookup(p);
      expect(l).toBeInstanceOf(NewFlow);
      expect((l as NewFlow).to).toBe((l as NewFlow).flow);
      expect(nat.prerouting(p)).toBeUndefined();
    }
  });

  it('the reply of a forwarded flow leaves from the floating IP and the external port', () => {
    const nat = router();
    const { out } = through(nat, tcp(OUTSIDE, 7000, FIP, 2222), 'r/qg', 'r/qr');
    const back = through(nat, tcp(out.dst, 22, OUTSIDE, 7000, TCP_SYN | TCP_ACK), 'r/qr', 'r/qg');
    expect(back.out).toMatchObject({ src: FIP, dst: OUTSIDE, l4: { sport: 2222, dport: 7000 } });
    expect(back.pre).toMatchObject({ action: 'reverse', complete: true, kind: 'dnat', why: 'reply of a translated connection' });
    expect(back.post).toBeUndefined();
  });
});

describe('SNAT source ports', () => {
  const out = (nat: RouterNat, src: number, sport: number, dport = 443) => through(nat, tcp(src, sport, OUTSIDE, dport), 'r/qr', 'r/qg').out;

  it('the next free port after a taken one, wrapping from 65535 to 1024 (below it: the reserved ports)', () => {
    const nat = router();
    expect(sportOf(out(nat, CLIENT, 65534))).toBe(65534);
    expect(sportOf(out(nat, 0x0a000006, 65534))).toBe(65535);
    expect(sportOf(out(nat, 0x0a000007, 65534))).toBe(1024);
    expect(sportOf(out(nat, 0x0a000008, 65535))).toBe(1025);
  });

  it('a port is taken only for the same destination: another destination port reuses it', () => {
    const nat = router();
    expect(sportOf(out(nat, CLIENT, 40001, 443))).toBe(40001);
    expect(sportOf(out(nat, 0x0a000006, 40001, 80))).toBe(40001);
    expect(sportOf(out(nat, 0x0a000007, 40001, 443))).toBe(40002);
  });

  it('the same flow again keeps its translation (a retransmission is tracked, not translated anew)', () => {
    const nat = router();
    const first = through(nat, tcp(CLIENT, 40001, OUTSIDE, 443), 'r/qr', 'r/qg');
    const again = through(nat, tcp(CLIENT, 40001, OUTSIDE, 443), 'r/qr', 'r/qg');
    expect(again.out).toEqual(first.out);
    expect(again.pre).toMatchObject({ action: 'tracked', complete: true, kind: 'snat', why: 'packet of a translated connection' });
    expect(again.post).toBeUndefined();
    expect(nat.entries()).toHaveLength(1);
  });

  it('an ICMP echo\'s id is its port: a second client with the same id gets the next one', () => {
    const nat = router();
    const echo = (src: number) => ip(src, OUTSIDE, { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 9, seq: 1 });
    expect(sportOf(through(nat, echo(CLIENT), 'r/qr', 'r/qg').out)).toBe(9);
    expect(sportOf(through(nat, echo(0x0a000006), 'r/qr', 'r/qg').out)).toBe(10);
  });
});

describe('what NAT leaves alone', () => {
  it('a router with nothing tracked and no floating IP or VIP at the destination builds nothing', () => {
    const nat = router();
    expect(nat.lookup(tcp(CLIENT, 40001, 0x0a000105, 22))).toBeUndefined();
  });

  it('traffic between internal subnets is not SNATed; with snat off, outbound traffic keeps its source', () => {
    expect(router().postrouting(tcp(CLIENT, 1, 0x0a000105, 22), 'r/qr', 'r/qr-db', undefined)).toBeUndefined();
    expect(router(false).postrouting(tcp(CLIENT, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)).toBeUndefined();
    // A floating IP's fixed address is still SNATed to it with snat off.
    expect(router(false).postrouting(tcp(SERVER, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)).toMatchObject({ kind: 'fip', packet: { src: FIP } });
  });

  it('a packet coming in by the gateway and going out of it again is not SNATed', () => {
    expect(router().postrouting(tcp(OUTSIDE, 1, 0x08080808, 22), 'r/qg', 'r/qg', undefined)).toBeUndefined();
  });

  it('a router without a gateway SNATs nothing', () => {
    const n = new RouterNat({ gatewayPort: null, gatewayIp: null, snat: true, floatingIps: [] });
    expect(n.postrouting(tcp(CLIENT, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)).toBeUndefined();
    expect(n.floatingAddresses).toEqual([]);
  });

  it('an IPv6 packet is not SNATed to an IPv4 gateway address', () => {
    const v6: IpPacket = { kind: 'ip', version: 6, src: 0xfd000000000000000000000000000004n, dst: 0x20010db8000000000000000000000001n, ttl: 64, l4: { proto: 'tcp', sport: 1, dport: 22, flags: TCP_SYN } };
    expect(router().postrouting(v6, 'r/qr', 'r/qg', undefined)).toBeUndefined();
  });

  it('lists the floating addresses the gateway answers ARP for', () => {
    expect(router().floatingAddresses).toEqual([FIP, PF]);
  });
});

const VIP = 0x0a000064; // 10.0.0.100, served by the router (OVN-style dnat load balancer)
const LB_FIP = 0xcb00710d; // 203.0.113.13 → the VIP

function vipRouter(backend: 'l3-agent' | 'ovn' = 'l3-agent', healthy = true): RouterNat {
  const lb: LoadBalancer = {
    name: 'web-lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'web-lb/vip', mode: 'dnat',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [{ name: 'p', algorithm: 'round_robin', healthMonitor: null, members: [{ instance: 'web-1', port: 'web-1/eth0', address: { text: '10.0.0.2', ip: { version: 4, value: BigInt(SERVER) } }, protocolPort: 8080, weight: 1, adminStateUp: true }] }],
  };
  const balancer = new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
  if (!healthy) for (const m of balancer.pools.get('p')!.members) m.health = 'down';
  return new RouterNat({
    gatewayPort: 'r/qg', gatewayIp: GW, snat: true, backend, balancers: new Map([[VIP, balancer]]),
    floatingIps: [{ name: 'lb-fip', floating: LB_FIP, fixed: VIP, forwardings: [] }, { name: 'fip', floating: FIP, fixed: SERVER, forwardings: [] }],
  });
}

describe('a VIP the router serves (prerouting: lookup, lb.select, dnat)', () => {
  it('a new connection to a listener is DNATed to the member, naming the balancer, member and reason', () => {
    const t = vipRouter().prerouting(tcp(OUTSIDE, 7000, VIP, 80))!;
    expect(t.packet).toMatchObject({ src: OUTSIDE, dst: SERVER, l4: { sport: 7000, dport: 8080 } });
    expect(t).toMatchObject({ kind: 'dnat', complete: false, why: 'load balancer web-lb → member web-1 (next in weighted round robin)' });
    expect(t.lb).toMatchObject({ balancer: { lb: { name: 'web-lb' } }, member: { member: { instance: 'web-1' } }, why: 'next in weighted round robin' });
    expect(t.entry).toEqual(vipRouter().prerouting(tcp(OUTSIDE, 7000, VIP, 80))!.entry);
  });

  it('by the balancer\'s floating IP: the floating IP\'s DNAT, then the member; both in the reason', () => {
    const t = vipRouter().prerouting(tcp(OUTSIDE, 7000, LB_FIP, 80))!;
    expect(t.packet).toMatchObject({ dst: SERVER, l4: { dport: 8080 } });
    expect(t.why).toBe('floating IP lb-fip, load balancer web-lb → member web-1 (next in weighted round robin)');
  });

  it('no healthy member: refused (no translation), even by the balancer\'s floating IP', () => {
    expect(vipRouter('l3-agent', false).prerouting(tcp(OUTSIDE, 7000, VIP, 80))).toBeUndefined();
    expect(vipRouter('l3-agent', false).prerouting(tcp(OUTSIDE, 7000, LB_FIP, 80))).toBeUndefined();
  });

  it('a port without a listener, or ICMP, is not balanced: the VIP itself, or only the floating IP\'s DNAT', () => {
    expect(vipRouter().prerouting(tcp(OUTSIDE, 7000, VIP, 443))).toBeUndefined();
    expect(vipRouter().prerouting(ip(OUTSIDE, VIP, { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 1, seq: 1 }))).toBeUndefined();
    expect(vipRouter().prerouting(ip(OUTSIDE, LB_FIP, { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 1, seq: 1 }))?.packet.dst).toBe(VIP);
  });

  it('a member on the client\'s own link: SNATed to the router\'s address there, and only when the router gives it', () => {
    const nat = vipRouter();
    const pre = nat.prerouting(tcp(CLIENT, 7000, VIP, 80))!;
    const ROUTER_WEB = 0x0a000001;
    expect(nat.postrouting(pre.packet, 'r/qr', 'r/qr', pre)).toBeUndefined();
    const post = nat.postrouting(pre.packet, 'r/qr', 'r/qr', pre, ROUTER_WEB)!;
    expect(post.packet).toMatchObject({ src: ROUTER_WEB, dst: SERVER });
    expect(post).toMatchObject({ kind: 'snat', why: 'hairpin: the member is on the link the client came from, so SNATed to the router\'s address on it' });
  });
});

describe('floating IP SNAT on the way out names its rule', () => {
  it('l3-agent: `floating IP <name>`, and `(hairpin)` for a flow to another floating IP', () => {
    expect(router().postrouting(tcp(SERVER, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)?.why).toBe('floating IP fip');
    const nat = vipRouter();
    // web-1 (10.0.0.2, with floating IP fip) reaches the balancer by its floating IP: DNATed back inside, then SNATed to its own.
    const { post } = through(nat, tcp(SERVER, 7000, LB_FIP, 80), 'r/qr', 'r/qr-db');
    expect(post?.why).toBe('floating IP fip (hairpin)');
  });

  it('ovn: the dnat_and_snat row, and before the egress loopback for a hairpin', () => {
    expect(vipRouter('ovn').postrouting(tcp(SERVER, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)?.why).toBe('ovn: dnat_and_snat row of floating IP fip');
    const { post } = through(vipRouter('ovn'), tcp(SERVER, 7000, FIP, 80), 'r/qr-db', 'r/qr');
    expect(post?.why).toBe('ovn: dnat_and_snat row of floating IP fip (hairpin: before the egress loopback)');
  });
});

describe('ovn snat rows', () => {
  const ovn = (extra: Partial<ConstructorParameters<typeof RouterNat>[0]>) => new RouterNat({ gatewayPort: 'r/qg', gatewayIp: GW, snat: true, backend: 'ovn', floatingIps: [], ...extra });

  it('a router with no rows SNATs nothing', () => {
    expect(ovn({}).postrouting(tcp(CLIENT, 1, OUTSIDE, 22), 'r/qr', 'r/qg', undefined)).toBeUndefined();
  });

  it('an IPv6 source is not SNATed to the IPv4 gateway, even inside a row\'s prefix', () => {
    const v6 = 0xfd000000000000000000000000000004n;
    const nat = ovn({ snatRows: [{ subnet: 'v6', cidr: 'fd00::/64', prefix: prefixValue(0xfd000000000000000000000000000000n, 64) }] });
    const p: IpPacket = { kind: 'ip', version: 6, src: v6, dst: 0x20010db8000000000000000000000001n, ttl: 64, l4: { proto: 'tcp', sport: 1, dport: 22, flags: TCP_SYN } };
    expect(nat.postrouting(p, 'r/qr', 'r/qg', undefined)).toBeUndefined();
  });

  it('a hairpin no row covers: the reply comes back untranslated, saying why', () => {
    const nat = ovn({ floatingIps: [{ name: 'fip', floating: FIP, fixed: SERVER, forwardings: [] }] });
    const { out } = through(nat, tcp(0xac100005, 7000, FIP, 80), 'r/qr-core', 'r/qr');
    const back = nat.prerouting(tcp(out.dst, 80, 0xac100005, 7000, TCP_SYN | TCP_ACK))!;
    expect(back).toMatchObject({ kind: 'dnat', action: 'untranslated', complete: true });
    expect(back.why).toBe('ovn: not translated back — OVN undoes a floating IP\'s DNAT only on packets leaving by the gateway port (lr_out_undnat), and no snat row covered the client');
  });
});

describe('one entry per connection', () => {
  it('a hairpin\'s DNAT and SNAT are one entry: the server\'s own packets to the client\'s real address are not taken for replies', () => {
    const nat = router();
    const { out } = through(nat, tcp(0x0a000105, 7000, FIP, 80), 'r/qr-db', 'r/qr');
    expect(out).toMatchObject({ src: GW, dst: SERVER });
    expect(nat.entries()).toHaveLength(1);
    // The reply to the SNATed packet is translated back …
    expect(nat.lookup(tcp(SERVER, 80, GW, out.l4.proto === 'tcp' ? out.l4.sport : 0, TCP_SYN | TCP_ACK))).toMatchObject({ action: 'reverse' });
    // … but the tuple the DNAT alone would have answered to is no longer a reply.
    expect(nat.lookup(tcp(SERVER, 80, 0x0a000105, 7000, TCP_SYN | TCP_ACK))).toBeInstanceOf(NewFlow);
  });
});
