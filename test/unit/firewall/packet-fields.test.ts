/**
 * The fields a rule matches (src/firewall/packet-fields.ts): ethertype, IP protocol number,
 * addresses, TCP/UDP ports and ICMP type and code, -1 where a field does not apply; and how a
 * verdict names the traffic (describeTraffic) for each protocol, port 0 and ICMP type 0 included.
 */
import { describe, expect, it } from 'vitest';
import { describeTraffic, fieldsOf, PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import type { IpPacket, L4 } from '../../../src/packet/frame.js';
import { formatIpValue } from '../../../src/packet/ip-value.js';

const A = 0x0a000002;
const B = 0x0a000003;
const A6 = 0x20010db8000000000000000000000002n;
const B6 = 0x20010db8000000000000000000000003n;
const packet = (src: number | bigint, dst: number | bigint, l4: L4): IpPacket => ({ kind: 'ip', version: typeof src === 'number' ? 4 : 6, src, dst, ttl: 64, l4 });

describe('fieldsOf', () => {
  it('TCP and UDP: protocol 6 and 17, both ports, no ICMP type or code', () => {
    expect(fieldsOf(packet(A, B, { proto: 'tcp', sport: 40000, dport: 5432, flags: 2 }))).toEqual({ version: 4, proto: 6, src: A, dst: B, dport: 5432, sport: 40000, icmpType: -1, icmpCode: -1 });
    expect(fieldsOf(packet(A6, B6, { proto: 'udp', sport: 5353, dport: 53 }))).toEqual({ version: 6, proto: 17, src: A6, dst: B6, dport: 53, sport: 5353, icmpType: -1, icmpCode: -1 });
  });

  it('ICMP over IPv4 is protocol 1, over IPv6 58; type and code, no ports', () => {
    expect(fieldsOf(packet(A, B, { proto: 'icmp', type: 3, code: 4 }))).toEqual({ version: 4, proto: 1, src: A, dst: B, dport: -1, sport: -1, icmpType: 3, icmpCode: 4 });
    expect(fieldsOf(packet(A6, B6, { proto: 'icmp', type: 128, code: 0, id: 1, seq: 1 }))).toEqual({ version: 6, proto: 58, src: A6, dst: B6, dport: -1, sport: -1, icmpType: 128, icmpCode: 0 });
  });

  it('the protocol numbers are IANA\'s', () => {
    expect(PROTO).toEqual({ icmp: 1, tcp: 6, udp: 17, icmpv6: 58 });
  });
});

describe('describeTraffic', () => {
  const f = (over: Partial<PacketFields>): PacketFields => ({ version: 4, proto: 6, src: A, dst: B, dport: -1, sport: -1, icmpType: -1, icmpCode: -1, ...over });
  const say = (x: PacketFields) => describeTraffic(x, 'ingress', formatIpValue);

  it('names the protocol and port, or the ICMP type, and both ends', () => {
    expect(say(f({ proto: 6, dport: 5432 }))).toBe('tcp/5432 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ proto: 17, dport: 53 }))).toBe('udp/53 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ proto: 1, icmpType: 8 }))).toBe('icmp type 8 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ version: 6, proto: 58, icmpType: 128, src: A6, dst: B6 }))).toBe('icmpv6 type 128 from 2001:db8::2 to 2001:db8::3');
  });

  it('port 0 and ICMP type 0 are a port and a type; another protocol is named by number', () => {
    expect(say(f({ proto: 6, dport: 0 }))).toBe('tcp/0 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ proto: 1, icmpType: 0 }))).toBe('icmp type 0 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ proto: 47 }))).toBe('proto 47 from 10.0.0.2 to 10.0.0.3');
    expect(say(f({ proto: 6 }))).toBe('tcp from 10.0.0.2 to 10.0.0.3');
  });

  it('the direction does not change the wording (both ends as the port sees them)', () => {
    const x = f({ proto: 6, dport: 22 });
    expect(describeTraffic(x, 'egress', formatIpValue)).toBe(describeTraffic(x, 'ingress', formatIpValue));
  });
});
