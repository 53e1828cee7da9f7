/**
 * Seeded large ports for the matcher properties: thousands of rules and packets drawn from one
 * seed (fast-check draws the seed; generating 10,000 rules through arbitraries takes minutes).
 * Rules: every protocol kind (any, TCP/UDP single ports and ranges, ICMP with and without type
 * and code, other numbers), remotes open, prefixes of every length around a pool of addresses
 * spread over the space, and groups. Packets: most aimed at a rule (its protocol, a port at or
 * beside its range's ends, an address in its remote), the rest anywhere in the pool.
 */
import { PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import type { GroupMembers, MatchRule } from '../../../src/firewall/rule.js';
import { prefixValue, type IpValue, type PrefixValue } from '../../../src/packet/ip-value.js';
import { createRng, type Rng } from '../../../src/util/rng.js';

export const LARGE_GROUPS = ['web', 'db', 'admin', 'ghost'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.below(xs.length)]!;
const addr4 = (rng: Rng): number => Math.floor(rng.next() * 2 ** 32) >>> 0;
const addr6 = (rng: Rng): bigint => (1n << 125n) | (BigInt(rng.below(2 ** 30)) << 80n) | (BigInt(rng.below(2 ** 30)) << 40n) | BigInt(rng.below(2 ** 30));

export interface LargePort {
  readonly rules: MatchRule[];
  readonly members: GroupMembers;
  readonly packets: { f: PacketFields; d: 'ingress' | 'egress' }[];
}

export function largePort(seed: number, ruleCount: number, packetCount: number): LargePort {
  const rng = createRng(seed);
  const pool: Record<4 | 6, readonly IpValue[]> = { 4: Array.from({ length: 1500 }, () => addr4(rng)), 6: Array.from({ length: 300 }, () => addr6(rng)) };
  const members = new Map(LARGE_GROUPS.filter((g) => g !== 'ghost').map((g) => [g, {
    addresses: new Set<IpValue>([...Array.from({ length: 40 }, () => pick(rng, pool[4])), ...Array.from({ length: 10 }, () => pick(rng, pool[6]))]),
    prefixes: [prefixValue(pick(rng, pool[4]), 16 + rng.below(17)), prefixValue(pick(rng, pool[6]), 48 + rng.below(81))] as PrefixValue[],
  }]));
  const rules: MatchRule[] = [];
  for (let order = 0; order < ruleCount; order++) {
    const version: 4 | 6 = rng.next() < 0.8 ? 4 : 6;
    const icmp = version === 4 ? PROTO.icmp : PROTO.icmpv6;
    const kind = rng.next();
    const proto = kind < 0.45 ? PROTO.tcp : kind < 0.65 ? PROTO.udp : kind < 0.8 ? icmp : kind < 0.9 ? -1 : pick(rng, [47, 50, 132]);
    let portFrom = 0;
    let portTo = 65535;
    if ((proto === PROTO.tcp || proto === PROTO.udp) && rng.next() < 0.9) {
      portFrom = 1 + rng.below(65535);
      portTo = rng.next() < 0.6 ? portFrom : Math.min(65535, portFrom + rng.below(2000));
    }
    const typed = proto === icmp && rng.next() < 0.7;
    const icmpType = typed ? rng.below(8) : -1;
    const icmpCode = typed && rng.next() < 0.5 ? rng.below(3) : -1;
    const r = rng.next();
    // Open to all only on one port, and short prefixes rare: with thousands of rules, most packets must still miss.
    const open = portFrom > 0 && portFrom === portTo;
    const length = rng.next() < 0.05 ? rng.below(16) : 16 + rng.below(17);
    const remote: MatchRule['remote'] = r < 0.1 && open ? { kind: 'any' } : r < 0.3 ? { kind: 'group', group: pick(rng, LARGE_GROUPS) }
      : { kind: 'prefix', prefix: prefixValue(pick(rng, pool[version]), version === 4 ? length : length * 4) };
    rules.push({ order, group: `sg${order % 3}`, index: order, text: `rule ${order}`, direction: rng.next() < 0.7 ? 'ingress' : 'egress', version, proto, portFrom, portTo, icmpType, icmpCode, remote });
  }
  const packets = Array.from({ length: packetCount }, () => {
    const r = rng.next() < 0.75 ? pick(rng, rules) : undefined;
    const version = r?.version ?? (rng.next() < 0.8 ? 4 : 6);
    const icmp = version === 4 ? PROTO.icmp : PROTO.icmpv6;
    let remote: IpValue = pick(rng, pool[version]);
    if (r?.remote.kind === 'prefix') {
      const p = r.remote.prefix;
      remote = typeof p.network === 'number' ? (p.network | rng.below(2 ** Math.min(30, 32 - p.length))) >>> 0 : p.network | BigInt(rng.below(2 ** Math.min(30, 128 - p.length)));
    } else if (r?.remote.kind === 'group' && members.has(r.remote.group)) {
      const own = [...members.get(r.remote.group)!.addresses].filter((a) => (typeof a === 'number') === (version === 4));
      if (own.length) remote = pick(rng, own);
    }
    const proto = r && r.proto !== -1 && rng.next() < 0.9 ? r.proto : pick(rng, [PROTO.tcp, PROTO.udp, icmp, 47]);
    const ported = proto === PROTO.tcp || proto === PROTO.udp;
    const dport = !ported ? -1 : r && r.portFrom > 0 ? pick(rng, [r.portFrom - 1, r.portFrom, r.portTo, r.portTo + 1, r.portFrom + rng.below(r.portTo - r.portFrom + 1)]) : rng.below(65536);
    const d = r?.direction ?? (rng.next() < 0.7 ? 'ingress' : 'egress');
    const local = pick(rng, pool[version]);
    const f: PacketFields = {
      version, proto, src: d === 'ingress' ? remote : local, dst: d === 'ingress' ? local : remote,
      dport: Math.min(65535, dport), sport: ported ? 40000 : -1,
      icmpType: proto === icmp ? (r && r.icmpType >= 0 && rng.next() < 0.8 ? r.icmpType : rng.below(8)) : -1,
      icmpCode: proto === icmp ? (r && r.icmpCode >= 0 && rng.next() < 0.8 ? r.icmpCode : rng.below(3)) : -1,
    };
    return { f, d };
  });
  return { rules, members, packets };
}
