/**
 * Wire encoding against byte layouts checked by hand (field by field against RFC 826, 791,
 * 792, 768, 9293, 8200 and 4861; checksums summed on paper, and the same bytes read by tshark,
 * which called every checksum correct). Each expectation is written field by field so a
 * reader can follow the layout.
 */
import { describe, expect, it } from 'vitest';
import { checksum, encodeFrame, encodePacket, TCP_ISN } from '../../../src/packet/encode.js';
import { TCP_ACK, TCP_RST, TCP_SYN, type Frame, type IpPacket } from '../../../src/packet/frame.js';
import { writePcap } from '../../../src/trace/pcap.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fields = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const v4 = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const A = 0xfa163e000001;
const B = 0xfa163e000002;
const pad = (bytes: number): string => '00'.repeat(bytes);

describe('encodeFrame', () => {
  it('ARP request: RFC 826 layout, padded to the 60-byte minimum', () => {
    const f: Frame = { src: A, dst: 0xffffffffffff, payload: { kind: 'arp', op: 'request', senderMac: A, senderIp: v4('10.0.0.2'), targetMac: 0, targetIp: v4('10.0.0.1') } };
    expect(hex(encodeFrame(f))).toBe(fields(
      'ffffffffffff fa163e000001 0806', // Ethernet: broadcast, source, ARP
      '0001 0800 06 04 0001', // hardware Ethernet, protocol IPv4, lengths 6/4, op request
      'fa163e000001 0a000002', // sender MAC, IP
      '000000000000 0a000001', // target MAC (unknown), IP
      pad(18),
    ));
  });

  it('ARP reply: op 2', () => {
    const f: Frame = { src: B, dst: A, payload: { kind: 'arp', op: 'reply', senderMac: B, senderIp: v4('10.0.0.1'), targetMac: A, targetIp: v4('10.0.0.2') } };
    expect(hex(encodeFrame(f)).slice(28, 28 + 56)).toBe(fields('0001 0800 06 04 0002', 'fa163e000002 0a000001', 'fa163e000001 0a000002'));
  });

  it('ICMP echo request: IPv4 header checksum 0x26dd, ICMP checksum 0xf7fd', () => {
    // IPv4: 4500+001c+0000+4000+4001+0a00+0002+0a00+0003 = 0xd922 → ~ = 0x26dd.
    // ICMP: 0800+0000+0001+0001 = 0x0802 → ~ = 0xf7fd.
    const f: Frame = { src: A, dst: B, payload: { kind: 'ip', version: 4, src: v4('10.0.0.2'), dst: v4('10.0.0.3'), ttl: 64, l4: { proto: 'icmp', type: 8, code: 0, id: 1, seq: 1 } } };
    expect(hex(encodeFrame(f))).toBe(fields(
      'fa163e000002 fa163e000001 0800',
      '45 00 001c 0000 4000 40 01 26dd 0a000002 0a000003', // v4, IHL 5, length 28, id 0, DF, TTL 64, ICMP
      '08 00 f7fd 0001 0001', // echo request, checksum, id 1, seq 1
      pad(18),
    ));
  });

  it('TCP SYN: seq is the ISN, no ACK, window 64240, checksum over the pseudo-header', () => {
    const f: Frame = { src: A, dst: B, payload: { kind: 'ip', version: 4, src: v4('198.51.100.7'), dst: v4('203.0.113.80'), ttl: 64, l4: { proto: 'tcp', sport: 40001, dport: 80, flags: TCP_SYN } } };
    expect(hex(encodeFrame(f))).toBe(fields(
      'fa163e000002 fa163e000001 0800',
      '45 00 0028 0000 4000 40 06 d444 c6336407 cb007150',
      '9c41 0050', // 40001 → 80
      '766e6574 00000000', // seq = ISN ("vnet"), ack 0
      '50 02 faf0', // data offset 5, SYN, window 64240
      'd5f1 0000', // checksum, urgent pointer
      pad(6),
    ));
  });

  it('TCP SYN-ACK acknowledges ISN+1; a RST-ACK answering a SYN has seq 0 (RFC 9293 §3.10.7.1)', () => {
    const seg = (flags: number) => encodePacket({ kind: 'ip', version: 4, src: v4('10.0.0.2'), dst: v4('10.0.0.3'), ttl: 64, l4: { proto: 'tcp', sport: 80, dport: 40001, flags } });
    const view = (b: Uint8Array) => new DataView(b.buffer);
    const synAck = view(seg(TCP_SYN | TCP_ACK));
    expect([synAck.getUint32(24), synAck.getUint32(28), synAck.getUint8(33)]).toEqual([TCP_ISN, TCP_ISN + 1, 0x12]);
    const rst = view(seg(TCP_RST | TCP_ACK));
    expect([rst.getUint32(24), rst.getUint32(28), rst.getUint8(33)]).toEqual([0, TCP_ISN + 1, 0x14]);
  });

  it('UDP: length 8, checksum over the pseudo-header', () => {
    const f: Frame = { src: A, dst: B, payload: { kind: 'ip', version: 4, src: v4('10.0.0.2'), dst: v4('10.0.1.21'), ttl: 64, l4: { proto: 'udp', sport: 40001, dport: 53 } } };
    expect(hex(encodeFrame(f))).toBe(fields(
      'fa163e000002 fa163e000001 0800',
      '45 00 001c 0000 4000 40 11 25bb 0a000002 0a000115',
      '9c41 0035 0008 4e51',
      pad(18),
    ));
  });

  it('IPv6 neighbour solicitation to the solicited-node group, with the source link-layer option', () => {
    const f: Frame = {
      src: A, dst: 0x3333ff000002,
      payload: { kind: 'ip', version: 6, src: 0x20010db8000000000000000000000001n, dst: 0xff0200000000000000000001ff000002n, ttl: 255, l4: { proto: 'icmp', type: 135, code: 0, target: 0x20010db8000000000000000000000002n, lladdr: A } },
    };
    expect(hex(encodeFrame(f))).toBe(fields(
      '3333ff000002 fa163e000001 86dd',
      '60000000 0020 3a ff', // v6, payload 32, ICMPv6, hop limit 255
      '20010db8000000000000000000000001 ff0200000000000000000001ff000002',
      '87 00 e60f 00000000', // NS, checksum, reserved
      '20010db8000000000000000000000002', // target
      '01 01 fa163e000001', // source link-layer address option, 8 bytes
    ));
  });

  it('IPv6 neighbour advertisement: unicast answers set Solicited and Override, the target link-layer option', () => {
    const bytes = encodePacket({ kind: 'ip', version: 6, src: 0x20010db8000000000000000000000002n, dst: 0x20010db8000000000000000000000001n, ttl: 255, l4: { proto: 'icmp', type: 136, code: 0, target: 0x20010db8000000000000000000000002n, lladdr: B } });
    const icmp = hex(bytes.subarray(40));
    expect(icmp.slice(0, 4) + icmp.slice(8)).toBe(fields('88 00', '60000000 20010db8000000000000000000000002', '02 01 fa163e000002'));
    expect(checksumOfV6(bytes)).toBe(0);
  });

  it('ICMP host unreachable quotes the whole offending packet, its own checksums intact', () => {
    const about: IpPacket = { kind: 'ip', version: 4, src: v4('10.0.0.2'), dst: v4('10.9.0.9'), ttl: 63, l4: { proto: 'udp', sport: 40001, dport: 53 } };
    const f: Frame = { src: B, dst: A, payload: { kind: 'ip', version: 4, src: v4('10.0.0.1'), dst: v4('10.0.0.2'), ttl: 64, l4: { proto: 'icmp', type: 3, code: 1, quoted: about } } };
    expect(hex(encodeFrame(f))).toBe(fields(
      'fa163e000001 fa163e000002 0800',
      '45 00 0038 0000 4000 40 01 26c3 0a000001 0a000002', // 20 + 8 + 28 bytes
      '03 01 112c 00000000', // host unreachable, checksum, unused
      '45 00 001c 0000 4000 3f 11 27be 0a000002 0a090009', // the quoted IPv4 header, TTL 63
      '9c41 0035 0008 4f54', // its UDP header
    ));
    expect(hex(encodeFrame(f)).slice(2 * (14 + 28))).toBe(hex(encodePacket(about)));
  });
});

describe('checksum', () => {
  it('RFC 1071 §3 example: the words 0001 f203 f4f5 f6f7 sum to ddf2, complement 220d', () => {
    expect(checksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), 0, 8, 0)).toBe(0x220d);
  });
  it('pads an odd last byte with zero', () => {
    expect(checksum(Uint8Array.from([0x01]), 0, 1, 0)).toBe(0xfeff);
  });
});

describe('writePcap', () => {
  it('global header (little-endian magic, 2.4, snaplen 65535, Ethernet) and per-record µs timestamps', () => {
    const out = writePcap([{ t: 1_500_007, bytes: Uint8Array.from([1, 2, 3]) }, { t: 42.9, bytes: new Uint8Array(0) }]);
    expect(hex(out)).toBe(fields(
      'd4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000',
      '01000000 27a10700 03000000 03000000 010203', // 1 s, 500007 µs, 3 of 3 bytes
      '00000000 2a000000 00000000 00000000', // 42 µs (floored), empty
    ));
  });
  it('cuts frames at the snaplen and keeps the original length', () => {
    const out = new DataView(writePcap([{ t: 0, bytes: new Uint8Array(70_000) }]).buffer);
    expect([out.byteLength, out.getUint32(24 + 8, true), out.getUint32(24 + 12, true)]).toEqual([24 + 16 + 65535, 65535, 70_000]);
  });
});

/** The ICMPv6 checksum recomputed over the pseudo-header and the message: 0 when it verifies. */
function checksumOfV6(packet: Uint8Array): number {
  const length = packet.length - 40;
  const pseudo = new Uint8Array(40 + length);
  pseudo.set(packet.subarray(8, 40), 0);
  new DataView(pseudo.buffer).setUint32(32, length);
  pseudo[39] = 58;
  pseudo.set(packet.subarray(40), 40);
  return checksum(pseudo, 0, pseudo.length, 0);
}
