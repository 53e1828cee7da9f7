/**
 * Firewall benchmark: lookups per second of the compiled matcher and of the linear reference on
 * the same random packets, for ports with 10, 100, 1,000 and 10,000 rules, the ratio of the two
 * for each size, and the compile time. DESIGN §4 asks that the compiled matcher's cost grow
 * sublinearly with the rule count: the linear rate falls ~10× per 10× rules, the compiled one
 * should barely move. Rules are realistic: mostly single TCP ports, some ranges, UDP and ICMP,
 * remote prefixes of every length, some remote groups of 100 members each (fixed IPs and address
 * pairs). Half the packets are aimed at a rule, so lookups both match and miss. Seeded: every
 * run measures the same rules and packets. Memory is the V8 heap plus array buffers (the prefix
 * tables' typed arrays live outside the heap), exact with `node --expose-gc`.
 */
import { CompiledMatcher } from '../src/firewall/compiled-matcher.js';
import { LinearMatcher } from '../src/firewall/linear-matcher.js';
import type { Matcher } from '../src/firewall/matcher.js';
import { PROTO, type PacketFields } from '../src/firewall/packet-fields.js';
import type { GroupMembers, MatchRule } from '../src/firewall/rule.js';
import { prefixValue, type IpValue, type PrefixValue } from '../src/packet/ip-value.js';
import { createRng, type Rng } from '../src/util/rng.js';
import { heapMeasure, heapUsed } from './measure.js';

const SIZES = [10, 100, 1_000, 10_000];
const GROUPS = 20;
const MEMBERS_PER_GROUP = 100;
const PACKETS = 4_096;
/** Each timed run lasts at least this much CPU time (and at least one pass over the packets). */
const MIN_MS = 200;
const COMMON_PORTS = [22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 27017];


const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.below(xs.length)]!;
const v4Prefix = (network: number, length: number): PrefixValue => prefixValue(network, length);
const v6Prefix = (network: bigint, length: number): PrefixValue => prefixValue(network, length);
/** Addresses anywhere: IPv4 in the whole space, IPv6 in 2000::/3; group members are in 10.0.0.0/8. */
const addr4 = (rng: Rng): number => rng.below(2 ** 32) >>> 0;
const member4 = (rng: Rng): number => (0x0a000000 + rng.below(1 << 24)) >>> 0;
const addr6 = (rng: Rng): bigint => {
  let a = 1n; // 001: global unicast
  for (let i = 0; i < 5; i++) a = (a << 25n) | BigInt(rng.below(1 << 25));
  return a;
};

function members(rng: Rng): GroupMembers {
  const out = new Map<string, { addresses: Set<IpValue>; prefixes: PrefixValue[] }>();
  for (let g = 0; g < GROUPS; g++) {
    const m = { addresses: new Set<IpValue>(), prefixes: [] as PrefixValue[] };
    for (let i = 0; i < MEMBERS_PER_GROUP; i++) {
      m.addresses.add(member4(rng));
      if (i % 4 === 0) m.addresses.add(addr6(rng));
      // Some ports carry an allowed address pair (a VIP range).
      if (i % 20 === 0) m.prefixes.push(v4Prefix(member4(rng), 28));
    }
    out.set(`g${g}`, m);
  }
  return out;
}

function rule(rng: Rng, order: number): MatchRule {
  const version: 4 | 6 = rng.next() < 0.85 ? 4 : 6;
  const direction = rng.next() < 0.85 ? 'ingress' as const : 'egress' as const;
  const kind = rng.next();
  let proto: number = PROTO.tcp;
  let portFrom = 0;
  let portTo = 65535;
  let icmpType = -1;
  const icmpCode = -1;
  // Mostly single TCP ports; some TCP/UDP ranges, UDP services, ICMP, any protocol, GRE/ESP/SCTP.
  if (kind < 0.6) {
    portFrom = portTo = rng.next() < 0.5 ? pick(rng, COMMON_PORTS) : 1 + rng.below(65535);
  } else if (kind < 0.7) {
    proto = rng.next() < 0.5 ? PROTO.tcp : PROTO.udp;
    portFrom = 1 + rng.below(60000);
    portTo = Math.min(65535, portFrom + rng.below(1000));
  } else if (kind < 0.8) {
    proto = PROTO.udp;
    portFrom = portTo = pick(rng, [53, 123, 161, 514, 4789]);
  } else if (kind < 0.9) {
    proto = version === 4 ? PROTO.icmp : PROTO.icmpv6;
    if (rng.next() < 0.7) icmpType = version === 4 ? pick(rng, [0, 3, 8, 11]) : pick(rng, [1, 3, 128, 129]);
  } else if (kind < 0.95) proto = -1;
  else proto = pick(rng, [47, 50, 132]);
  const r = rng.next();
  // Open to the world only on a port (a web server), never for every protocol and port.
  const world = proto !== -1 && portFrom > 0 && portFrom === portTo;
  const remote: MatchRule['remote'] = r < 0.15
    ? { kind: 'group', group: `g${rng.below(GROUPS)}` }
    : r < 0.25 && world
      ? { kind: 'any' }
      : version === 4
        ? { kind: 'prefix', prefix: v4Prefix(addr4(rng), pick(rng, [8, 12, 16, 20, 24, 24, 24, 28, 32, 32])) }
        : { kind: 'prefix', prefix: v6Prefix(addr6(rng), pick(rng, [32, 48, 56, 64, 64, 128])) };
  return { order, group: `sg${order % 7}`, index: order, text: `rule ${order}`, direction, version, proto, portFrom, portTo, icmpType, icmpCode, remote };
}

/** Half the packets are aimed at a rule (its protocol, a port in its range, an address in its remote), half are random. */
function packet(rng: Rng, rules: readonly MatchRule[], groups: GroupMembers): Packet {
  const r = rng.next() < 0.5 ? pick(rng, rules) : undefined;
  const version = r?.version ?? (rng.next() < 0.85 ? 4 : 6);
  const d = r?.direction ?? (rng.next() < 0.85 ? 'ingress' : 'egress');
  let remote: IpValue = version === 4 ? addr4(rng) : addr6(rng);
  if (r?.remote.kind === 'prefix') {
    const p = r.remote.prefix;
    remote = typeof p.network === 'number' ? (p.network | (rng.below(2 ** Math.min(30, 32 - p.length)))) >>> 0 : p.network | BigInt(rng.below(2 ** Math.min(30, 128 - p.length)));
  } else if (r?.remote.kind === 'group') {
    const own = [...groups.get(r.remote.group)!.addresses].filter((a) => (typeof a === 'number') === (version === 4));
    if (own.length) remote = pick(rng, own);
  }
  const local: IpValue = version === 4 ? addr4(rng) : addr6(rng);
  const icmp = version === 4 ? PROTO.icmp : PROTO.icmpv6;
  const proto = r && r.proto !== -1 ? r.proto : pick(rng, [PROTO.tcp, PROTO.tcp, PROTO.tcp, PROTO.udp, icmp]);
  const ported = proto === PROTO.tcp || proto === PROTO.udp;
  const dport = !ported ? -1 : r && r.portFrom > 0 ? r.portFrom + rng.below(r.portTo - r.portFrom + 1) : rng.next() < 0.5 ? pick(rng, COMMON_PORTS) : 1 + rng.below(65535);
  const f: PacketFields = {
    version, proto, src: d === 'ingress' ? remote : local, dst: d === 'ingress' ? local : remote,
    dport, sport: ported ? 32768 + rng.below(28000) : -1,
    icmpType: proto === icmp ? (r && r.icmpType >= 0 ? r.icmpType : pick(rng, version === 4 ? [0, 3, 8, 11] : [1, 3, 128, 129])) : -1,
    icmpCode: proto === icmp ? 0 : -1,
  };
  return { f, d };
}

/** Lookups per CPU second over the packets: the best of three runs of at least MIN_MS (the least disturbed by GC and JIT). */
function rate(m: Matcher, packets: readonly Packet[]): { perSecond: number; checksum: number } {
  let best = { perSecond: 0, checksum: 0 };
  for (let i = 0; i < 3; i++) {
    const r = run(m, packets);
    if (r.perSecond > best.perSecond) best = r;
  }
  return best;
}

/** The process's CPU time in ms: on a machine shared with other work, wall time counts their turns too. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** One timed run, looping over the packets until MIN_MS of CPU time has passed; the checksum keeps the work alive. */
function run(m: Matcher, packets: readonly Packet[]): { perSecond: number; checksum: number } {
  let n = 0;
  let checksum = 0;
  const t0 = cpuMs();
  let t: number;
  do {
    for (const p of packets) checksum += m.match(p.f, p.d)?.order ?? -1;
    n += packets.length;
    t = cpuMs();
  } while (t - t0 < MIN_MS);
  return { perSecond: Math.round(n / ((t - t0) / 1000)), checksum };
}

/** Heap and array buffers after a collection: typed arrays' storage is not in heapUsed. */
const memoryUsed = (): number => heapUsed() + process.memoryUsage().arrayBuffers;

/** Memory per compiled matcher, in KB: several copies for small sizes, to rise above the measurement's noise. */
function memoryKb(rules: readonly MatchRule[], groups: GroupMembers): number {
  const copies = Math.max(1, Math.round(1000 / rules.length));
  const before = memoryUsed();
  const kept = Array.from({ length: copies }, () => new CompiledMatcher(rules, groups));
  const after = memoryUsed();
  return kept.length ? Math.round((after - before) / copies / 1024) : 0;
}

type Packet = { f: PacketFields; d: 'ingress' | 'egress' };

/** One port size: compile time and heap, then both matchers on the same packets (checked to agree). */
function benchSize(size: number, rules: readonly MatchRule[], packets: readonly Packet[], groups: GroupMembers, out: Record<string, number | string>): { compiled: number; linear: number } {
  out[`rules_${size}_compiled_memory_kb`] = memoryKb(rules, groups);
  // Compile time (CPU): the mean of several builds, at least five.
  const builds = Math.max(5, Math.round(2000 / size));
  let compiled = new CompiledMatcher(rules, groups);
  const c0 = cpuMs();
  for (let i = 0; i < builds; i++) compiled = new CompiledMatcher(rules, groups);
  out[`rules_${size}_compile_ms`] = Number(((cpuMs() - c0) / builds).toFixed(3));
  const linear = new LinearMatcher(rules, groups);
  let matched = 0;
  for (const p of packets) {
    const a = compiled.match(p.f, p.d);
    if (a?.order !== linear.match(p.f, p.d)?.order) throw new Error(`bench: compiled and linear disagree at ${size} rules`);
    if (a) matched++;
  }
  out[`rules_${size}_matched_share`] = Number((matched / packets.length).toFixed(2));
  // Warm both up, then measure.
  run(compiled, packets.slice(0, 256));
  run(linear, packets.slice(0, 256));
  const c = rate(compiled, packets);
  const l = rate(linear, packets);
  if (c.checksum === l.checksum + 0.5) out.unreachable = 'x';
  out[`rules_${size}_compiled_lookups_per_s`] = c.perSecond;
  out[`rules_${size}_linear_lookups_per_s`] = l.perSecond;
  out[`rules_${size}_compiled_over_linear`] = Number((c.perSecond / l.perSecond).toFixed(1));
  if (size === SIZES[SIZES.length - 1]) {
    // The same packets split by IP version: an IPv6 address is cut into words (bigint shifts) per lookup.
    for (const version of [4, 6] as const) {
      const only = packets.filter((p) => p.f.version === version);
      out[`rules_${size}_ipv${version}_compiled_lookups_per_s`] = rate(compiled, only).perSecond;
      out[`rules_${size}_ipv${version}_linear_lookups_per_s`] = rate(linear, only).perSecond;
    }
  }
  return { compiled: c.perSecond, linear: l.perSecond };
}

export async function benchFirewall(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { heap_measure: heapMeasure() };
  const rng = createRng(20240611);
  const groups = members(rng);
  const rates: { size: number; compiled: number; linear: number }[] = [];
  for (const size of SIZES) {
    const rules = Array.from({ length: size }, (_, i) => rule(rng, i));
    const packets = Array.from({ length: PACKETS }, () => packet(rng, rules, groups));
    rates.push({ size, ...benchSize(size, rules, packets, groups, out) });
  }
  const first = rates[0]!;
  const last = rates[rates.length - 1]!;
  // Growth from the smallest to the largest port: how much slower a lookup gets with 1,000× the rules.
  out[`compiled_slowdown_${first.size}_to_${last.size}_rules`] = Number((first.compiled / last.compiled).toFixed(2));
  out[`linear_slowdown_${first.size}_to_${last.size}_rules`] = Number((first.linear / last.linear).toFixed(1));
  out.agree = 'yes (every timed packet)';
  return out;
}

// Run as a program (the bundles firewall-old.bench.ts writes, against two checkouts' matchers).
if (process.env.VNET_FIREWALL_HARNESS === '1') console.log(JSON.stringify(await benchFirewall()));
