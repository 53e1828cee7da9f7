/**
 * fast-check arbitraries for vnet's concepts, one per concept and composed with map/chain, so
 * users can state properties of their own clouds (`import { arbitraries } from 'vnet/testing'`, docs/library.md).
 * Values are biased small where that makes properties bite: addresses come mostly from a small
 * pool, ports from boundaries and well-known ports, ICMP types from those the simulator uses, so
 * random rules match random packets often enough. Rules are valid as Neutron defines them.
 */
import fc from 'fast-check';
import { formatCidr, maskOf, type Cidr } from '../address/cidr.js';
import { bitsOf, type Ip, type IpVersion } from '../address/ip.js';
import type { Mac } from '../address/mac.js';
import { fieldsOf, PROTO, type PacketFields } from '../firewall/packet-fields.js';
import { toMatchRule, type GroupMembers, type MatchRule } from '../firewall/rule.js';
import { ICMP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type IpPacket, type L4 } from '../packet/frame.js';
import { toPrefixValue, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { Prefix, Protocol, SecurityGroupRule } from '../topology/model.js';

export const ipv4 = (): fc.Arbitrary<Ip> => fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value) => ({ version: 4 as const, value }));
export const ipv6 = (): fc.Arbitrary<Ip> => fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map((value) => ({ version: 6 as const, value }));
export const ip = (): fc.Arbitrary<Ip> => fc.oneof(ipv4(), ipv6());

/** A CIDR with host bits cleared; prefix lengths bounded so tests can reason about sizes. */
export const cidrV4 = (minPrefix = 0, maxPrefix = 32): fc.Arbitrary<Cidr> =>
  fc.tuple(ipv4(), fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, prefix]) => ({ version: 4 as const, prefix, network: a.value & maskOf(4, prefix) }));
export const cidrV6 = (minPrefix = 0, maxPrefix = 128): fc.Arbitrary<Cidr> =>
  fc.tuple(ipv6(), fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, prefix]) => ({ version: 6 as const, prefix, network: a.value & maskOf(6, prefix) }));

/** Unicast MACs (the group bit clear), as ports have. */
export const unicastMac = (): fc.Arbitrary<Mac> =>
  fc.integer({ min: 0, max: 2 ** 24 - 1 }).chain((low) => fc.integer({ min: 0, max: 2 ** 24 - 1 }).map((high) => (high & 0xfffffe) * 2 ** 24 + low));

// ---- Addresses and prefixes in hot-path form -------------------------------------------------

const v4 = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const DOC6 = 0x20010db8n << 96n; // 2001:db8::/32 (RFC 3849)

/** The default pool of addresses packets and prefixes are drawn from: a few hosts near each other, and the extremes. */
export const ADDRESS_POOL: { readonly 4: readonly number[]; readonly 6: readonly bigint[] } = {
  4: [v4(10, 0, 0, 1), v4(10, 0, 0, 2), v4(10, 0, 0, 10), v4(10, 0, 0, 20), v4(10, 0, 1, 5), v4(192, 168, 1, 1), v4(203, 0, 113, 7), 0, 0xffffffff],
  6: [DOC6 | 1n, DOC6 | 2n, DOC6 | 0x10n, DOC6 | 0x20n, DOC6 | (1n << 80n) | 5n, (0xfe80n << 112n) | 1n, 0n, (1n << 128n) - 1n],
};

/** Any address of the version, as a number (IPv4) or a bigint (IPv6). */
export const anyIpValue = (version: IpVersion): fc.Arbitrary<IpValue> =>
  version === 4 ? fc.nat({ max: 0xffffffff }) : fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

/** An address in hot-path form: mostly one of `pool`, sometimes a neighbour of one (low bits changed), sometimes anywhere. */
export const ipValue = (version: IpVersion, pool: readonly IpValue[] = ADDRESS_POOL[version]): fc.Arbitrary<IpValue> => {
  const own = pool.filter((a) => (typeof a === 'number') === (version === 4));
  if (own.length === 0) return anyIpValue(version);
  const neighbour = fc.tuple(fc.constantFrom(...own), fc.nat({ max: 255 })).map(([a, low]) =>
    typeof a === 'number' ? ((a & ~0xff) | low) >>> 0 : (a & ~0xffn) | BigInt(low));
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...own) }, { weight: 2, arbitrary: neighbour }, { weight: 1, arbitrary: anyIpValue(version) });
};

/** A prefix length, biased to the usual ones (/0, /8, /16, /24, /32; /48, /64, /128) and their neighbours. */
export const prefixLength = (version: IpVersion): fc.Arbitrary<number> => {
  const usual = version === 4 ? [0, 1, 8, 16, 23, 24, 25, 31, 32] : [0, 1, 32, 48, 64, 120, 127, 128];
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: bitsOf(version) }) });
};

/** A CIDR that usually contains a pool address: an `ipValue` with the host bits of a `prefixLength` cleared. */
export const poolCidr = (version: IpVersion, pool?: readonly IpValue[]): fc.Arbitrary<Cidr> =>
  fc.tuple(ipValue(version, pool), prefixLength(version)).map(([a, prefix]) => ({ version, prefix, network: BigInt(a) & maskOf(version, prefix) }));

/** A `poolCidr` in the model's form (text and CIDR), as a rule's remote_ip_prefix or an address pair holds it. */
export const prefix = (version: IpVersion, pool?: readonly IpValue[]): fc.Arbitrary<Prefix> =>
  poolCidr(version, pool).map((cidr) => ({ text: formatCidr(cidr), cidr }));

/** A `poolCidr` in hot-path form. */
export const prefixValue = (version: IpVersion, pool?: readonly IpValue[]): fc.Arbitrary<PrefixValue> => poolCidr(version, pool).map(toPrefixValue);

// ---- Rule fields ------------------------------------------------------------------------------

/** TCP/UDP ports the arbitraries favour: range boundaries and well-known ports. */
export const PORT_BOUNDARIES: readonly number[] = [1, 2, 22, 53, 79, 80, 81, 443, 1023, 1024, 5432, 8080, 40001, 65534, 65535];

/** A TCP/UDP port 1-65535, usually one of PORT_BOUNDARIES. */
export const portNumber = (): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PORT_BOUNDARIES) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) });

/** A port range `from ≤ to`: a single port half the time. */
export const portRange = (): fc.Arbitrary<{ from: number; to: number }> =>
  fc.oneof(
    portNumber().map((p) => ({ from: p, to: p })),
    fc.tuple(portNumber(), portNumber()).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
  );

/** An ICMP type: echo request/reply, unreachable, time exceeded (per version) or any 0-255. */
export const icmpType = (version: IpVersion): fc.Arbitrary<number> => {
  const t = version === 4 ? ICMP.v4 : ICMP.v6;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(t.echoRequest, t.echoReply, t.unreachable, t.timeExceeded) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) });
};

/** An ICMP code: the small ones errors use (0, 1, 3, 4) or any 0-255. */
export const icmpCode = (): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1, 3, 4) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) });

/** An IP protocol number rules cannot name (not 1, 6, 17, 58): GRE, ESP, SCTP, OSPF, ... */
export const otherProtocolNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(2, 4, 41, 47, 50, 51, 89, 132, 255) },
    { weight: 1, arbitrary: fc.nat({ max: 255 }).filter((n) => n !== 1 && n !== 6 && n !== 17 && n !== 58) },
  );

/** A rule protocol valid for the ethertype: tcp, udp, that version's ICMP, any, or another protocol number. */
export const ruleProtocol = (ethertype: 'IPv4' | 'IPv6'): fc.Arbitrary<Protocol> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Protocol>('tcp') },
    { weight: 2, arbitrary: fc.constant<Protocol>('udp') },
    { weight: 2, arbitrary: fc.constant<Protocol>(ethertype === 'IPv4' ? 'icmp' : 'icmpv6') },
    { weight: 1, arbitrary: fc.constant<Protocol>('any') },
    { weight: 1, arbitrary: otherProtocolNumber() },
  );

type MatchFields = Pick<SecurityGroupRule, 'ports' | 'icmpType' | 'icmpCode'>;

/** The fields a protocol allows: a port range (or none) for TCP/UDP, type (or none) and code (only with a type) for ICMP. */
export const ruleMatchFields = (protocol: Protocol, version: IpVersion): fc.Arbitrary<MatchFields> => {
  const none: MatchFields = { ports: null, icmpType: null, icmpCode: null };
  if (protocol === 'tcp' || protocol === 'udp') {
    // 1-65535 is never produced: the resolver stores it as "any port" (null), as Neutron does.
    return fc.option(portRange().filter((r) => !(r.from === 1 && r.to === 65535)), { freq: 4 }).map((ports) => ({ ...none, ports }));
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    return fc.option(fc.tuple(icmpType(version), fc.option(icmpCode())), { freq: 4 })
      .map((tc) => ({ ...none, icmpType: tc ? tc[0] : null, icmpCode: tc ? tc[1] : null }));
  }
  return fc.constant(none);
};

/** A rule's remote: none (all addresses), a prefix of the rule's version, or one of `groups`. */
export const ruleRemote = (version: IpVersion, groups: readonly string[] = [], pool?: readonly IpValue[]): fc.Arbitrary<Pick<SecurityGroupRule, 'remoteIpPrefix' | 'remoteGroup'>> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({ remoteIpPrefix: null, remoteGroup: null }) },
    { weight: 3, arbitrary: prefix(version, pool).map((p) => ({ remoteIpPrefix: p, remoteGroup: null })) },
    ...(groups.length ? [{ weight: 2, arbitrary: fc.constantFrom(...groups).map((g) => ({ remoteIpPrefix: null, remoteGroup: g })) }] : []),
  );

export interface RuleOptions {
  /** Names a rule may take as remote_group (none: remotes are prefixes or any). */
  readonly groups?: readonly string[];
  readonly direction?: 'ingress' | 'egress';
  readonly ethertype?: 'IPv4' | 'IPv6';
  /** Addresses remote prefixes are built around (default ADDRESS_POOL). */
  readonly pool?: readonly IpValue[];
}

/** `ingress tcp/80 from 10.0.0.0/24`, as the resolver names rules. */
function ruleText(r: Omit<SecurityGroupRule, 'text'>): string {
  let what = typeof r.protocol === 'number' ? `proto ${r.protocol}` : r.protocol;
  if (r.ports) what += `/${r.ports.from === r.ports.to ? r.ports.from : `${r.ports.from}-${r.ports.to}`}`;
  if (r.icmpType !== null) what += ` type ${r.icmpType}${r.icmpCode !== null ? ` code ${r.icmpCode}` : ''}`;
  const remote = r.remoteGroup !== null ? `group ${r.remoteGroup}` : r.remoteIpPrefix ? r.remoteIpPrefix.text : r.ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0';
  return `${r.direction} ${what} ${r.direction === 'ingress' ? 'from' : 'to'} ${remote}`;
}

/** A security-group rule as the resolver produces it: Neutron-valid fields for its protocol and ethertype, index 0. */
export const securityGroupRule = (options: RuleOptions = {}): fc.Arbitrary<SecurityGroupRule> =>
  fc.record({
    direction: options.direction ? fc.constant(options.direction) : fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
    ethertype: options.ethertype ? fc.constant(options.ethertype) : fc.constantFrom<'IPv4' | 'IPv6'>('IPv4', 'IPv6'),
  }).chain(({ direction, ethertype }) => {
    const version = ethertype === 'IPv4' ? 4 : 6;
    return fc.tuple(ruleProtocol(ethertype).chain((protocol) => ruleMatchFields(protocol, version).map((f) => ({ protocol, ...f }))), ruleRemote(version, options.groups, options.pool))
      .map(([fields, remote]): SecurityGroupRule => {
        const rule = { index: 0, origin: 'file' as const, direction, ethertype, ...fields, ...remote };
        return { ...rule, text: ruleText(rule) };
      });
  });

/** A rule in matching form: a `securityGroupRule` of `group` at `order` in the port's union. */
export const matchRule = (options: RuleOptions & { readonly group?: string; readonly order?: number } = {}): fc.Arbitrary<MatchRule> =>
  securityGroupRule(options).map((r) => toMatchRule(options.group ?? 'sg', r, options.order ?? 0));

export interface RuleSetOptions extends RuleOptions {
  /** The port's groups, in the order the port lists them (default one group, `sg`). */
  readonly portGroups?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  /** fast-check's size for the rule count: its default keeps sets short (about 10) whatever maxLength is; 'max' spans the range. */
  readonly size?: fc.SizeForArbitrary;
}

/**
 * A port's rule union: rules of its groups, group by group in the port's order, numbered as
 * portRules numbers them. Some rules repeat an earlier one (the same rule in two groups, or twice
 * in one), so "the first in union order" is decided among equals too.
 */
export const ruleSet = (options: RuleSetOptions = {}): fc.Arbitrary<MatchRule[]> => {
  const portGroups = options.portGroups?.length ? options.portGroups : ['sg'];
  // One rule in five repeats an earlier one.
  const repeat = fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() });
  const entry = fc.tuple(fc.nat({ max: portGroups.length - 1 }), securityGroupRule(options), repeat);
  return fc.array(entry, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 12, ...(options.size ? { size: options.size } : {}) })
    .map((drawn) => {
      const picked = drawn.map(([g, r, repeat], i) => [g, repeat !== null && i > 0 ? drawn[repeat % i]![1] : r] as const);
      const rules: MatchRule[] = [];
      portGroups.forEach((group, g) => {
        let index = 0;
        for (const [at, r] of picked) if (at === g) rules.push(toMatchRule(group, { ...r, index: index++ }, rules.length));
      });
      return rules;
    });
};

/** Membership of each named group: a few pool addresses of both versions and sometimes address-pair prefixes; a group may have no ports at all. */
export const groupMembers = (groups: readonly string[], pool?: readonly IpValue[]): fc.Arbitrary<GroupMembers> => {
  const address = fc.oneof(ipValue(4, pool), ipValue(6, pool));
  const members = fc.record({
    addresses: fc.uniqueArray(address, { maxLength: 5 }).map((a) => new Set<IpValue>(a)),
    prefixes: fc.array(fc.oneof(prefixValue(4, pool), prefixValue(6, pool)), { maxLength: 2 }),
  });
  return fc.tuple(...groups.map((g) => fc.option(members, { freq: 6 }).map((m) => [g, m] as const)))
    .map((entries) => new Map(entries.flatMap(([g, m]) => (m ? [[g, m] as const] : []))));
};

// ---- Packets ----------------------------------------------------------------------------------

/** TCP flags: the usual combinations (SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST, RST-ACK) or any 6-bit value. */
export const tcpFlags = (): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK) },
    { weight: 1, arbitrary: fc.nat({ max: 63 }) },
  );

/** A source port: an ephemeral one (as hosts pick) or a `portNumber`. */
export const sourcePort = (): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 32768, max: 60999 }), portNumber());

/** A TCP segment's header fields. */
export const tcpHeader = (): fc.Arbitrary<L4> =>
  fc.record({ sport: sourcePort(), dport: portNumber(), flags: tcpFlags() }).map((h) => ({ proto: 'tcp' as const, ...h }));

/** A UDP datagram's header fields. */
export const udpHeader = (): fc.Arbitrary<L4> =>
  fc.record({ sport: sourcePort(), dport: portNumber() }).map((h) => ({ proto: 'udp' as const, ...h }));

/** An ICMP echo request or reply of the version (code 0, small id and sequence number). */
export const icmpEcho = (version: IpVersion): fc.Arbitrary<L4> =>
  fc.record({
    type: fc.constantFrom(version === 4 ? ICMP.v4.echoRequest : ICMP.v6.echoRequest, version === 4 ? ICMP.v4.echoReply : ICMP.v6.echoReply),
    id: fc.nat({ max: 3 }),
    seq: fc.nat({ max: 3 }),
  }).map((e) => ({ proto: 'icmp' as const, code: 0, ...e }));

/** Any other ICMP message without a quoted packet: `icmpType` and `icmpCode`. */
export const icmpOther = (version: IpVersion): fc.Arbitrary<L4> =>
  fc.record({ type: icmpType(version), code: icmpCode() }).map((m) => ({ proto: 'icmp' as const, ...m }));

/** An IPv4 or IPv6 packet between two `ipValue`s with a TCP, UDP, ICMP echo or other ICMP header (no errors). */
export const ipDatagram = (options: { readonly version?: IpVersion; readonly pool?: readonly IpValue[] } = {}): fc.Arbitrary<IpPacket> =>
  (options.version ? fc.constant(options.version) : fc.constantFrom<IpVersion>(4, 6)).chain((version) =>
    fc.record({
      src: ipValue(version, options.pool),
      dst: ipValue(version, options.pool),
      ttl: fc.oneof(fc.constant(64), fc.integer({ min: 1, max: 255 })),
      l4: fc.oneof({ weight: 3, arbitrary: tcpHeader() }, { weight: 2, arbitrary: udpHeader() }, { weight: 2, arbitrary: icmpEcho(version) }, { weight: 1, arbitrary: icmpOther(version) }),
    }).map((p): IpPacket => ({ kind: 'ip', version, ...p })));

/** An ICMP error about `about` (unreachable or time exceeded), sent back to its source from its destination or a router. */
export const icmpError = (about: IpPacket, pool?: readonly IpValue[]): fc.Arbitrary<IpPacket> => {
  const t = about.version === 4 ? ICMP.v4 : ICMP.v6;
  return fc.record({
    from: fc.oneof(fc.constant(about.dst), ipValue(about.version, pool)),
    type: fc.constantFrom(t.unreachable, t.timeExceeded),
    code: icmpCode(),
  }).map(({ from, type, code }): IpPacket => ({ kind: 'ip', version: about.version, src: from, dst: about.src, ttl: 64, l4: { proto: 'icmp', type, code, quoted: about } }));
};

/** An IPv4 or IPv6 packet: an `ipDatagram`, or (one time in four) an `icmpError` quoting one. */
export const ipPacket = (options: { readonly version?: IpVersion; readonly pool?: readonly IpValue[] } = {}): fc.Arbitrary<IpPacket> =>
  fc.oneof({ weight: 3, arbitrary: ipDatagram(options) }, { weight: 1, arbitrary: ipDatagram(options).chain((p) => icmpError(p, options.pool)) });

/** Fields of a packet of another IP protocol (GRE, ESP, SCTP, ...): no ports, no ICMP type. */
export const otherProtocolFields = (options: { readonly version?: IpVersion; readonly pool?: readonly IpValue[] } = {}): fc.Arbitrary<PacketFields> =>
  (options.version ? fc.constant(options.version) : fc.constantFrom<IpVersion>(4, 6)).chain((version) =>
    fc.record({ proto: otherProtocolNumber(), src: ipValue(version, options.pool), dst: ipValue(version, options.pool) })
      .map((f): PacketFields => ({ version, ...f, dport: -1, sport: -1, icmpType: -1, icmpCode: -1 })));

/** The fields a rule matches: of an `ipPacket` mostly, sometimes of another IP protocol's packet. */
export const packetFields = (options: { readonly version?: IpVersion; readonly pool?: readonly IpValue[] } = {}): fc.Arbitrary<PacketFields> =>
  fc.oneof({ weight: 6, arbitrary: ipPacket(options).map(fieldsOf) }, { weight: 1, arbitrary: otherProtocolFields(options) });

/** A filter direction on a port. */
export const direction = (): fc.Arbitrary<'ingress' | 'egress'> => fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress');

// ---- Packets aimed at a rule (hits and near misses) -------------------------------------------

/** An address inside a hot-path prefix: its first, its last, or one between. */
export const addressIn = (p: PrefixValue): fc.Arbitrary<IpValue> => {
  if (typeof p.network === 'number') {
    const last = (p.network | (~(p.mask as number) >>> 0)) >>> 0;
    return fc.oneof(fc.constant(p.network), fc.constant(last), fc.integer({ min: p.network, max: last }));
  }
  const last = p.network | (((1n << 128n) - 1n) ^ (p.mask as bigint));
  return fc.oneof(fc.constant(p.network), fc.constant(last), fc.bigInt({ min: p.network, max: last }));
};

/** An address just outside a prefix (the one before its first, after its last), when there is one. */
const addressBeside = (p: PrefixValue): IpValue[] => {
  if (typeof p.network === 'number') {
    const last = (p.network | (~(p.mask as number) >>> 0)) >>> 0;
    return [p.network - 1, last + 1].filter((a) => a >= 0 && a <= 0xffffffff);
  }
  const last = p.network | (((1n << 128n) - 1n) ^ (p.mask as bigint));
  return [p.network - 1n, last + 1n].filter((a) => a >= 0n && a < 1n << 128n);
};

/** An address a rule's remote is about: inside its prefix or a member's (or just beside them), or any pool address. */
export const remoteNear = (rule: MatchRule, members: GroupMembers = new Map(), pool?: readonly IpValue[]): fc.Arbitrary<IpValue> => {
  const options: fc.Arbitrary<IpValue>[] = [ipValue(rule.version, pool)];
  const prefixes: PrefixValue[] = [];
  if (rule.remote.kind === 'prefix') prefixes.push(rule.remote.prefix);
  if (rule.remote.kind === 'group') {
    const m = members.get(rule.remote.group);
    const own = [...(m?.addresses ?? [])].filter((a) => (typeof a === 'number') === (rule.version === 4));
    if (own.length) options.push(fc.constantFrom(...own), fc.constantFrom(...own));
    prefixes.push(...(m?.prefixes ?? []).filter((p) => (typeof p.network === 'number') === (rule.version === 4)));
  }
  for (const p of prefixes) {
    options.push(addressIn(p), addressIn(p));
    const beside = addressBeside(p);
    if (beside.length) options.push(fc.constantFrom(...beside));
  }
  return fc.oneof(...options);
};

/** A destination port at, inside or just beside a TCP/UDP rule's range. */
export const portNear = (rule: MatchRule): fc.Arbitrary<number> => {
  const edges = [rule.portFrom - 1, rule.portFrom, rule.portTo, rule.portTo + 1].filter((p) => p >= 0 && p <= 65535);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: fc.integer({ min: rule.portFrom, max: rule.portTo }) }, { weight: 1, arbitrary: portNumber() });
};

/**
 * Fields of a packet aimed at a rule, in the rule's direction: its version and protocol (mostly), a port
 * at or beside its range's bounds, its ICMP type and code (or a neighbour), and a remote address in or
 * beside its prefix or a member's. Near misses are what make an index's boundaries bite.
 */
export const packetFieldsNear = (rule: MatchRule, members?: GroupMembers, pool?: readonly IpValue[]): fc.Arbitrary<PacketFields> => {
  const version = rule.version;
  const icmpProto = version === 4 ? PROTO.icmp : PROTO.icmpv6;
  const others = fc.constantFrom<number>(PROTO.tcp, PROTO.udp, icmpProto, 47);
  const proto = rule.proto === -1 ? others : fc.oneof({ weight: 6, arbitrary: fc.constant(rule.proto) }, { weight: 1, arbitrary: others });
  const near = (n: number): fc.Arbitrary<number> => (n < 0 ? fc.nat({ max: 255 }) : fc.oneof({ weight: 4, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.constantFrom(...[n - 1, n + 1].filter((x) => x >= 0 && x <= 255)) }));
  return fc.record({
    proto,
    remote: remoteNear(rule, members, pool),
    local: ipValue(version, pool),
    dport: rule.proto === PROTO.tcp || rule.proto === PROTO.udp ? portNear(rule) : portNumber(),
    sport: sourcePort(),
    icmpType: near(rule.icmpType),
    icmpCode: near(rule.icmpCode),
  }).map((f): PacketFields => {
    const ports = f.proto === PROTO.tcp || f.proto === PROTO.udp;
    const icmp = f.proto === icmpProto;
    return {
      version, proto: f.proto,
      src: rule.direction === 'ingress' ? f.remote : f.local,
      dst: rule.direction === 'ingress' ? f.local : f.remote,
      dport: ports ? f.dport : -1, sport: ports ? f.sport : -1,
      icmpType: icmp ? f.icmpType : -1, icmpCode: icmp ? f.icmpCode : -1,
    };
  });
};
