/**
 * Connection tracking for one port (src/firewall/conntrack.ts) on the virtual clock: states
 * new / established / related, TCP teardown (RST ends an entry, FIN shortens it) and expiry with
 * Linux's default timeouts (nf_conntrack_udp_timeout 30 s, _udp_timeout_stream 120 s,
 * _tcp_timeout_syn_sent 120 s, _tcp_timeout_established 432000 s, _icmp_timeout 30 s). The
 * firewall uses it as lookup → update (a tracked packet) or commit (a new flow the rules allowed);
 * the tests drive it the same way.
 */
import { describe, expect, it } from 'vitest';
import { ConnTrack, CT_TIMEOUT_US } from '../../../src/firewall/conntrack.js';
import { ICMP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type IpPacket, type L4 } from '../../../src/packet/frame.js';
import type { IpValue } from '../../../src/packet/ip-value.js';

const A = 0x0a000002; // 10.0.0.2
const B = 0x0a000103; // 10.0.1.3
const R = 0x0a000001; // 10.0.0.1, a router
const A6 = (0x20010db8n << 96n) | 2n;
const B6 = (0x20010db8n << 96n) | 3n;
const S = 1_000_000;

const ip = (src: IpValue, dst: IpValue, l4: L4): IpPacket => ({ kind: 'ip', version: typeof src === 'number' ? 4 : 6, src, dst, ttl: 64, l4 });
const tcp = (src: IpValue, sport: number, dst: IpValue, dport: number, flags: number) => ip(src, dst, { proto: 'tcp', sport, dport, flags });
const udp = (src: IpValue, sport: number, dst: IpValue, dport: number) => ip(src, dst, { proto: 'udp', sport, dport });
const echo = (src: IpValue, dst: IpValue, id: number, reply = false) => {
  const v = typeof src === 'number' ? ICMP.v4 : ICMP.v6;
  return ip(src, dst, { proto: 'icmp', type: reply ? v.echoReply : v.echoRequest, code: 0, id, seq: 1 });
};
const unreachable = (from: IpValue, about: IpPacket) => {
  const v4 = about.version === 4;
  return ip(from, about.src, { proto: 'icmp', type: v4 ? ICMP.v4.unreachable : ICMP.v6.unreachable, code: v4 ? ICMP.v4.codes.port : ICMP.v6.codes.port, quoted: about });
};
const reverse = (p: IpPacket): IpPacket => {
  const l4 = p.l4;
  return ip(p.dst, p.src, l4.proto === 'icmp' ? l4 : { ...l4, sport: l4.dport, dport: l4.sport });
};

/** What the port firewall does with a packet: update the entry it belongs to, or commit it as new. */
function pass(ct: ConnTrack, p: IpPacket, now: number, openedBy: 'ingress' | 'egress' = 'egress'): string {
  const r = ct.lookup(p, now);
  if (r.entry) ct.update(r.entry, p, r.reply === true, now);
  else ct.commit(p, openedBy, now);
  return r.state;
}

describe('states', () => {
  it('a packet of no tracked flow is new, and lookup alone records nothing', () => {
    const ct = new ConnTrack();
    const syn = tcp(A, 40001, B, 22, TCP_SYN);
    expect(ct.lookup(syn, 0)).toEqual({ state: 'new' });
    expect(ct.lookup(syn, 0)).toEqual({ state: 'new' });
    expect(ct.snapshot(0)).toEqual([]);
  });

  it('after commit, the flow is established both ways: the original direction with reply false, the reply with reply true', () => {
    const ct = new ConnTrack();
    const syn = tcp(A, 40001, B, 22, TCP_SYN);
    const entry = ct.commit(syn, 'egress', 0);
    expect(entry).toMatchObject({ openedBy: 'egress', replied: false, text: 'tcp 10.0.0.2:40001 → 10.0.1.3:22' });
    expect(ct.lookup(syn, 1)).toMatchObject({ state: 'established', reply: false, entry });
    expect(ct.lookup(tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1)).toMatchObject({ state: 'established', reply: true, entry });
    expect(pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1)).toBe('established');
    expect(entry.replied).toBe(true);
  });

  it('the 5-tuple decides: another source port, another protocol or other addresses are a new flow', () => {
    const ct = new ConnTrack();
    ct.commit(udp(A, 40001, B, 53), 'egress', 0);
    expect(ct.lookup(udp(A, 40002, B, 53), 0).state).toBe('new');
    expect(ct.lookup(udp(A, 40001, B, 54), 0).state).toBe('new');
    expect(ct.lookup(tcp(A, 40001, B, 53, TCP_SYN), 0).state).toBe('new');
    expect(ct.lookup(udp(R, 40001, B, 53), 0).state).toBe('new');
    // A "reply" that swaps only the addresses, not the ports, belongs to no flow.
    expect(ct.lookup(udp(B, 40001, A, 53), 0).state).toBe('new');
  });

  it('an echo reply with the request id is established; with another id it answers nothing tracked and is invalid (RFC 792: id and sequence are echoed)', () => {
    for (const [a, b] of [[A, B], [A6, B6]] as const) {
      const ct = new ConnTrack();
      ct.commit(echo(a, b, 7), 'egress', 0);
      expect(ct.lookup(echo(b, a, 7, true), 1)).toMatchObject({ state: 'established', reply: true });
      expect(ct.lookup(echo(b, a, 8, true), 1)).toEqual({ state: 'invalid' });
    }
  });

  it('the ICMP type is part of the tuple: an echo request coming back the other way is a new flow, not the reply (Linux invmap 8 ↔ 0)', () => {
    for (const [a, b] of [[A, B], [A6, B6]] as const) {
      const ct = new ConnTrack();
      ct.commit(echo(a, b, 7), 'egress', 0);
      // The hairpin case: an instance pings its own floating IP and its own request comes back to it.
      expect(ct.lookup(echo(b, a, 7), 1)).toEqual({ state: 'new' });
      // The same request again is still its own flow's packet.
      expect(ct.lookup(echo(a, b, 7), 1)).toMatchObject({ state: 'established', reply: false });
    }
  });

  it('an echo reply that answers no request is invalid (Linux creates connections only from requests), and an echo reply sent out never opens a flow for replies', () => {
    for (const [a, b] of [[A, B], [A6, B6]] as const) {
      const ct = new ConnTrack();
      expect(ct.lookup(echo(b, a, 9, true), 0)).toEqual({ state: 'invalid' });
      ct.commit(echo(b, a, 9), 'ingress', 0);
      expect(ct.lookup(echo(a, b, 9, true), 1)).toMatchObject({ state: 'established', reply: true });
      expect(ct.lookup(echo(a, b, 9), 1)).toEqual({ state: 'new' });
    }
  });

  it('an ICMP error quoting an echo reply is related to the echo flow (the reply a router could not deliver)', () => {
    const ct = new ConnTrack();
    const ping = echo(A, B, 3);
    const entry = ct.commit(ping, 'egress', 0);
    expect(ct.lookup(ip(R, B, { proto: 'icmp', type: ICMP.v4.unreachable, code: ICMP.v4.codes.host, quoted: echo(B, A, 3, true) }), 1)).toEqual({ state: 'related', entry });
    expect(ct.lookup(ip(R, B, { proto: 'icmp', type: ICMP.v4.unreachable, code: ICMP.v4.codes.host, quoted: echo(B, A, 4, true) }), 1)).toEqual({ state: 'new' });
  });

  it('an ICMP error quoting a tracked flow is related, whichever direction the quoted packet went; quoting an untracked flow it is new', () => {
    for (const [a, b] of [[A, B], [A6, B6]] as const) {
      const ct = new ConnTrack();
      const out = udp(a, 40001, b, 9);
      const entry = ct.commit(out, 'egress', 0);
      expect(ct.lookup(unreachable(b, out), 1)).toEqual({ state: 'related', entry });
      // A router on the way back reports the reply it could not deliver.
      expect(ct.lookup(unreachable(R, reverse(out)), 1)).toEqual({ state: 'related', entry });
      expect(ct.lookup(unreachable(b, udp(a, 40002, b, 9)), 1)).toEqual({ state: 'new' });
    }
  });

  it('ICMP errors quoting echo requests are related to the echo flow', () => {
    const ct = new ConnTrack();
    const ping = echo(A, B, 3);
    ct.commit(ping, 'egress', 0);
    expect(ct.lookup(ip(R, A, { proto: 'icmp', type: ICMP.v4.timeExceeded, code: 0, quoted: ping }), 1).state).toBe('related');
  });

  it('entries are per table: a flow committed in one port\'s table is new in another\'s', () => {
    const a = new ConnTrack();
    const b = new ConnTrack();
    a.commit(udp(A, 40001, B, 53), 'egress', 0);
    expect(b.lookup(udp(B, 53, A, 40001), 0).state).toBe('new');
  });
});

describe('TCP teardown (RFC 9293 §3.6)', () => {
  it.each([
    ['RST from the peer', (ct: ConnTrack) => pass(ct, tcp(B, 22, A, 40001, TCP_RST), 3)],
    ['RST-ACK from the peer', (ct: ConnTrack) => pass(ct, tcp(B, 22, A, 40001, TCP_RST | TCP_ACK), 3)],
    ['RST from the opener', (ct: ConnTrack) => pass(ct, tcp(A, 40001, B, 22, TCP_RST), 3)],
  ])('%s removes the entry at once', (_, rst) => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    pass(ct, tcp(A, 40001, B, 22, TCP_ACK), 2);
    expect(rst(ct)).toBe('established');
    expect(ct.snapshot(3)).toEqual([]);
    expect(ct.lookup(tcp(B, 22, A, 40001, TCP_ACK), 3).state).toBe('new');
  });

  it('FIN shortens an established connection to the close timeout (120 s)', () => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    expect(ct.snapshot(1)[0]!.expires).toBe(1 + CT_TIMEOUT_US.tcpEstablished);
    const t = 10 * S;
    pass(ct, tcp(A, 40001, B, 22, TCP_FIN | TCP_ACK), t);
    expect(ct.snapshot(t)[0]!.expires).toBe(t + CT_TIMEOUT_US.tcpClose);
    expect(ct.lookup(tcp(B, 22, A, 40001, TCP_ACK), t + CT_TIMEOUT_US.tcpClose).state).toBe('established');
    expect(ct.lookup(tcp(B, 22, A, 40001, TCP_ACK), t + CT_TIMEOUT_US.tcpClose + 1).state).toBe('new');
  });

  it('FIN from the peer shortens it too', () => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    pass(ct, tcp(B, 22, A, 40001, TCP_FIN | TCP_ACK), 2);
    expect(ct.snapshot(2)[0]!.expires).toBe(2 + CT_TIMEOUT_US.tcpClose);
  });
});

describe('expiry on the virtual clock', () => {
  /** The flow's first packet, its reply, and the timeout before and after the reply. */
  it.each([
    ['udp', udp(A, 40001, B, 53), CT_TIMEOUT_US.udp, CT_TIMEOUT_US.udpStream],
    ['tcp', tcp(A, 40001, B, 22, TCP_SYN), CT_TIMEOUT_US.tcpClose, CT_TIMEOUT_US.tcpEstablished],
    ['icmp echo', echo(A, B, 1), CT_TIMEOUT_US.icmp, CT_TIMEOUT_US.icmp],
    ['udp over IPv6', udp(A6, 40001, B6, 53), CT_TIMEOUT_US.udp, CT_TIMEOUT_US.udpStream],
  ])('%s: alive until the timeout, gone one µs later; a reply moves it to the longer timeout', (_, first, unreplied, replied) => {
    const t0 = 5 * S;
    const ct = new ConnTrack();
    ct.commit(first, 'egress', t0);
    expect(ct.lookup(first, t0 + unreplied).state).toBe('established');
    expect(ct.lookup(first, t0 + unreplied + 1).state).toBe('new');
    expect(ct.snapshot(t0 + unreplied + 1)).toEqual([]);

    const ct2 = new ConnTrack();
    ct2.commit(first, 'egress', t0);
    const back = first.l4.proto === 'icmp' ? echo(first.dst, first.src, 1, true) : reverse(first.l4.proto === 'tcp' ? { ...first, l4: { ...first.l4, flags: TCP_SYN | TCP_ACK } } : first);
    const t1 = t0 + S;
    expect(pass(ct2, back, t1)).toBe('established');
    expect(ct2.lookup(first, t1 + replied).state).toBe('established');
    expect(ct2.lookup(first, t1 + replied + 1).state).toBe('new');
  });

  it('every packet of the flow restarts its timeout', () => {
    const ct = new ConnTrack();
    const q = udp(A, 40001, B, 53);
    ct.commit(q, 'egress', 0);
    for (let t = 20 * S; t <= 200 * S; t += 20 * S) expect(pass(ct, q, t)).toBe('established');
    expect(ct.lookup(q, 200 * S + CT_TIMEOUT_US.udp).state).toBe('established');
  });

  it('an expired flow starts again as new, and committing it makes a fresh entry', () => {
    const ct = new ConnTrack();
    const q = udp(A, 40001, B, 53);
    ct.commit(q, 'egress', 0);
    const late = CT_TIMEOUT_US.udp + 1;
    expect(pass(ct, q, late)).toBe('new');
    expect(ct.snapshot(late)).toHaveLength(1);
    expect(ct.snapshot(late)[0]!.expires).toBe(late + CT_TIMEOUT_US.udp);
  });

  it('a PSH-ACK data segment of an established connection keeps the established timeout', () => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    pass(ct, tcp(A, 40001, B, 22, TCP_PSH | TCP_ACK), 2);
    expect(ct.snapshot(2)[0]!.expires).toBe(2 + CT_TIMEOUT_US.tcpEstablished);
  });
});

describe('replies, snapshots and sweeping', () => {
  it('only a packet in the reply direction marks the entry replied: a retransmitted SYN keeps the 120 s timeout', () => {
    const ct = new ConnTrack();
    const syn = tcp(A, 40001, B, 22, TCP_SYN);
    pass(ct, syn, 0);
    expect(pass(ct, syn, S)).toBe('established');
    expect(ct.snapshot(S)[0]).toMatchObject({ replied: false, expires: S + CT_TIMEOUT_US.tcpClose });
    expect(ct.lookup(syn, S + CT_TIMEOUT_US.tcpClose + 1).state).toBe('new');
  });

  it('a snapshot lists the entries alive now, one still alive at the very µs it expires, none expired', () => {
    const ct = new ConnTrack();
    ct.commit(udp(A, 40001, B, 53), 'egress', 0);
    ct.commit(udp(A, 40002, B, 53), 'egress', S);
    expect(ct.snapshot(CT_TIMEOUT_US.udp).map((e) => e.flow.sport)).toEqual([40001, 40002]);
    expect(ct.snapshot(CT_TIMEOUT_US.udp + 1).map((e) => e.flow.sport)).toEqual([40002]);
    expect(ct.snapshot(S + CT_TIMEOUT_US.udp + 1)).toEqual([]);
  });

  it('the sweep of a full table (1024 entries) forgets only expired entries: one expiring this very µs stays', () => {
    const ct = new ConnTrack();
    const flows = Array.from({ length: 1024 }, (_, i) => udp(A, 10000 + i, B, 53));
    for (const q of flows) ct.commit(q, 'egress', 0);
    // The 1025th commit sweeps at the moment all 1024 expire (expires === now: still alive).
    ct.commit(udp(A, 9999, B, 53), 'egress', CT_TIMEOUT_US.udp);
    expect(flows.map((q) => ct.lookup(q, CT_TIMEOUT_US.udp).state).every((st) => st === 'established')).toBe(true);
    expect(ct.snapshot(CT_TIMEOUT_US.udp)).toHaveLength(1025);
  });

  it('memory follows live flows: the commit that finds 1024 entries forgets the expired ones, keeps the live ones, and the next sweep waits until twice the survivors', () => {
    // Memory is the behaviour under test, and no public API shows it: read the table's size.
    const held = (ct: ConnTrack): number => (ct as unknown as { entries: { size: number } }).entries.size;
    const ct = new ConnTrack();
    // 300 UDP flows (30 s) and 724 unanswered TCP ones (120 s): 1024 entries.
    for (let i = 0; i < 300; i++) ct.commit(udp(A, 10000 + i, B, 53), 'egress', 0);
    for (let i = 0; i < 724; i++) ct.commit(tcp(A, 20000 + i, B, 22, TCP_SYN), 'egress', 0);
    expect(held(ct)).toBe(1024);
    const t = CT_TIMEOUT_US.udp + 1;
    ct.commit(udp(A, 9999, B, 53), 'egress', t);
    expect(held(ct)).toBe(725);
    expect(ct.snapshot(t)).toHaveLength(725);
    // 724 survived the sweep: the next waits for 1448 entries, even with the TCP flows expired
    // meanwhile, so a table of long-lived flows is not rescanned at every commit.
    const later = CT_TIMEOUT_US.tcpClose + 1;
    for (let i = 0; i < 723; i++) ct.commit(udp(A, 30000 + i, B, 53), 'egress', later);
    expect(held(ct)).toBe(1448);
    // The next commit sweeps the 724 expired TCP flows and the UDP one of time t (expired at t + 30 s).
    ct.commit(udp(A, 31000, B, 53), 'egress', later);
    expect(held(ct)).toBe(724);
  });
});

describe('bugs found by these tests, fixed and kept as regressions', () => {
  const known = it;
  // Linux: an ICMP error is RELATED to its master connection and does not refresh or change the
  // master's timeout (nf_conntrack_proto_icmp.c, icmp_error_message sets ctinfo RELATED only).
  // Here PortFirewall calls update(entry, icmpError) and update sets expires = now + the ICMP
  // timeout (30 s), so one ICMP error (a PMTU "fragmentation needed", a time exceeded) cuts an
  // established TCP connection's entry from 5 days to 30 s.
  known('a related ICMP error leaves the connection\'s timeout alone', () => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    const data = tcp(A, 40001, B, 22, TCP_PSH | TCP_ACK);
    expect(pass(ct, ip(R, A, { proto: 'icmp', type: ICMP.v4.unreachable, code: 4, quoted: data }), 2)).toBe('related');
    expect(ct.lookup(data, 2 + 60 * S).state).toBe('established');
  });

  // Linux: after a FIN the connection is in FIN_WAIT / CLOSE_WAIT / LAST_ACK / TIME_WAIT (timeouts
  // 120 s / 60 s / 30 s / 120 s) and never goes back to ESTABLISHED. Here `update` looks only at
  // the current packet's flags, so the ACK that answers a FIN (the normal close: FIN, ACK, FIN,
  // ACK) puts the entry back on the 5-day established timeout.
  known('the ACK of a FIN does not put a closing connection back on the established timeout', () => {
    const ct = new ConnTrack();
    pass(ct, tcp(A, 40001, B, 22, TCP_SYN), 0);
    pass(ct, tcp(B, 22, A, 40001, TCP_SYN | TCP_ACK), 1);
    pass(ct, tcp(A, 40001, B, 22, TCP_FIN | TCP_ACK), 2);
    pass(ct, tcp(B, 22, A, 40001, TCP_ACK), 3);
    expect(ct.snapshot(3)[0]!.expires).toBeLessThanOrEqual(3 + CT_TIMEOUT_US.tcpClose);
  });
});
