/**
 * Round trip through wire bytes: any frame the model can hold (ARP; IPv4/IPv6 with TCP, UDP,
 * ICMP echo, other ICMP, ICMP errors quoting a packet; neighbour solicitations and
 * advertisements) encodes to bytes that a small reader written here, independently of the
 * encoder, parses back to the same header values, with every length consistent and every
 * checksum verifying (RFC 1071: the one's complement sum over a checksummed range, checksum
 * field included, is 0xffff).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/packet/encode.js';
import { ICMP, type Arp, type Frame, type IpPacket } from '../../../src/packet/frame.js';
import { ipPacket, ipValue, unicastMac } from '../../../src/testing/arbitraries.js';

const FC = { numRuns: Number(process.env['ENCODE_RUNS'] ?? 500), seed: Number(process.env['FC_SEED'] ?? 20_251_125) };

// ---- the frames ------------------------------------------------------------------------------

const mac = fc.oneof(unicastMac(), fc.constant(0xffffffffffff), fc.integer({ min: 0, max: 2 ** 48 - 1 }));
const v4Address = ipValue(4) as fc.Arbitrary<number>;
const v6Address = ipValue(6) as fc.Arbitrary<bigint>;

const arp: fc.Arbitrary<Arp> = fc.record({
  kind: fc.constant('arp' as const),
  op: fc.constantFrom('request' as const, 'reply' as const),
  senderMac: mac, senderIp: v4Address, targetMac: mac, targetIp: v4Address,
});

const neighborDiscovery: fc.Arbitrary<IpPacket> = fc.record({
  src: v6Address, dst: v6Address, ttl: fc.constantFrom(255, 64),
  type: fc.constantFrom(ICMP.v6.ns, ICMP.v6.na), target: v6Address, lladdr: fc.option(mac, { nil: undefined }),
}).map(({ src, dst, ttl, type, target, lladdr }) => ({ kind: 'ip', version: 6, src, dst, ttl, l4: { proto: 'icmp', type, code: 0, target, ...(lladdr !== undefined ? { lladdr } : {}) } }));

const frame: fc.Arbitrary<Frame> = fc.record({
  src: mac, dst: mac,
  payload: fc.oneof({ weight: 1, arbitrary: arp }, { weight: 6, arbitrary: ipPacket() }, { weight: 1, arbitrary: neighborDiscovery }),
});

// ---- an independent reader -------------------------------------------------------------------

type Decoded = Record<string, unknown>;

/** The one's complement sum of 16-bit big-endian words, folded. */
function onesSum(bytes: Uint8Array, extra: readonly number[] = []): number {
  let sum = extra.reduce((a, b) => a + b, 0);
  for (let i = 0; i < bytes.length; i += 2) sum += bytes[i]! * 256 + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

const u16 = (b: Uint8Array, at: number): number => b[at]! * 256 + b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => u16(b, at) * 65536 + u16(b, at + 2);
const u48 = (b: Uint8Array, at: number): number => u16(b, at) * 2 ** 32 + u32(b, at + 2);
const u128 = (b: Uint8Array, at: number): bigint => b.subarray(at, at + 16).reduce((a, x) => a * 256n + BigInt(x), 0n);
const words = (b: Uint8Array): number[] => Array.from({ length: b.length / 2 }, (_, i) => u16(b, 2 * i));

function readFrame(b: Uint8Array): Decoded {
  expect(b.length).toBeGreaterThanOrEqual(60);
  const type = u16(b, 12);
  const body = b.subarray(14);
  let payload: Decoded;
  let used: number;
  if (type === 0x0806) {
    expect([u16(body, 0), u16(body, 2), body[4], body[5]]).toEqual([1, 0x0800, 6, 4]);
    const op = u16(body, 6);
    expect([1, 2]).toContain(op);
    payload = { kind: 'arp', op: op === 1 ? 'request' : 'reply', senderMac: u48(body, 8), senderIp: u32(body, 14), targetMac: u48(body, 18), targetIp: u32(body, 24) };
    used = 28;
  } else {
    expect([0x0800, 0x86dd]).toContain(type);
    [payload, used] = readIp(body);
    expect(payload['version']).toBe(type === 0x0800 ? 4 : 6);
  }
  // Whatever follows the payload is Ethernet padding up to 60 bytes, all zero.
  expect(b.length).toBe(Math.max(60, 14 + used));
  expect(b.subarray(14 + used).every((x) => x === 0)).toBe(true);
  return { dst: u48(b, 0), src: u48(b, 6), payload };
}

/** An IP packet at the start of `b`: its fields and how many bytes it took. */
function readIp(b: Uint8Array): [Decoded, number] {
  const version = b[0]! >> 4;
  let headerLength: number;
  let total: number;
  let proto: number;
  let ttl: number;
  let src: number | bigint;
  let dst: number | bigint;
  let pseudo: number[];
  if (version === 4) {
    expect(b[0]! & 15).toBe(5);
    headerLength = 20;
    total = u16(b, 2);
    expect(onesSum(b.subarray(0, 20))).toBe(0xffff);
    ttl = b[8]!;
    proto = b[9]!;
    src = u32(b, 12);
    dst = u32(b, 16);
    pseudo = [...words(b.subarray(12, 20)), proto, total - 20];
  } else {
    expect(version).toBe(6);
    headerLength = 40;
    total = 40 + u16(b, 4);
    proto = b[6]!;
    ttl = b[7]!;
    src = u128(b, 8);
    dst = u128(b, 24);
    pseudo = [...words(b.subarray(8, 40)), 0, total - 40, 0, proto];
  }
  expect(total).toBeLessThanOrEqual(b.length);
  const l4 = b.subarray(headerLength, total);
  // ICMPv4 alone is checksummed without a pseudo-header.
  expect(onesSum(l4, proto === 1 ? [] : pseudo)).toBe(0xffff);
  return [{ kind: 'ip', version, src, dst, ttl, l4: readL4(l4, proto, version) }, total];
}

function readL4(b: Uint8Array, proto: number, version: number): Decoded {
  if (proto === 6) {
    expect(b.length).toBe(20);
    expect(b[12]! >> 4).toBe(5);
    return { proto: 'tcp', sport: u16(b, 0), dport: u16(b, 2), flags: b[13] };
  }
  if (proto === 17) {
    expect([b.length, u16(b, 4)]).toEqual([8, 8]);
    expect(u16(b, 6)).not.toBe(0);
    return { proto: 'udp', sport: u16(b, 0), dport: u16(b, 2) };
  }
  expect(proto).toBe(version === 4 ? 1 : 58);
  const type = b[0]!;
  const code = b[1]!;
  if (version === 6 && (type === 135 || type === 136)) {
    const options = b.subarray(24);
    expect([0, 8]).toContain(options.length);
    if (options.length === 8) expect([options[0], options[1]]).toEqual([type === 135 ? 1 : 2, 1]);
    return { proto: 'icmp', type, code, target: u128(b, 8), lladdr: options.length === 8 ? u48(options, 2) : undefined };
  }
  const rest = u32(b, 4);
  const quoted = b.length > 8 ? readIp(b.subarray(8)) : undefined;
  if (quoted) expect(quoted[1]).toBe(b.length - 8);
  return { proto: 'icmp', type, code, rest, quoted: quoted?.[0] };
}

// ---- what the reader should find -------------------------------------------------------------

function expected(f: Frame): Decoded {
  return { dst: f.dst, src: f.src, payload: f.payload.kind === 'arp' ? { ...f.payload } : expectedIp(f.payload) };
}

function expectedIp(p: IpPacket): Decoded {
  const l4 = p.l4;
  let header: Decoded;
  if (l4.proto === 'tcp') header = { proto: 'tcp', sport: l4.sport, dport: l4.dport, flags: l4.flags };
  else if (l4.proto === 'udp') header = { proto: 'udp', sport: l4.sport, dport: l4.dport };
  else if (p.version === 6 && (l4.type === ICMP.v6.ns || l4.type === ICMP.v6.na)) header = { proto: 'icmp', type: l4.type, code: l4.code, target: l4.target ?? 0n, lladdr: l4.lladdr };
  else header = { proto: 'icmp', type: l4.type, code: l4.code, rest: (l4.id ?? 0) * 65536 + (l4.seq ?? 0), quoted: l4.quoted ? expectedIp(l4.quoted) : undefined };
  return { kind: 'ip', version: p.version, src: p.src, dst: p.dst, ttl: p.ttl, l4: header };
}

describe('encodeFrame, read back independently', () => {
  it('every frame parses back to its header values with consistent lengths and verifying checksums', () => {
    fc.assert(fc.property(frame, (f) => {
      expect(readFrame(encodeFrame(f))).toEqual(expected(f));
    }), FC);
  });

  it('the reader is not blind: a flipped bit anywhere in an IP packet (past IPv6\'s unchecked first word) is caught', () => {
    fc.assert(fc.property(frame.filter((f) => f.payload.kind === 'ip'), fc.nat(), fc.integer({ min: 0, max: 7 }), (f, at, bit) => {
      const bytes = encodeFrame(f);
      const p = f.payload as IpPacket;
      const length = p.version === 4 ? new DataView(bytes.buffer).getUint16(16) : 40 + new DataView(bytes.buffer).getUint16(18);
      // IPv6 has no header checksum: its first word (version, traffic class, flow label) is read by no one.
      const skip = p.version === 6 ? 4 : 0;
      const i = 14 + skip + (at % (length - skip));
      bytes[i]! ^= 1 << bit;
      expect(() => expect(readFrame(bytes)).toEqual(expected(f))).toThrow();
    }), FC);
  });
});
