/**
 * `vnet/testing`'s arbitraries in the forms the public API and the topology file take: probes
 * by names (what `sim.probe` takes), rules and groups as a topology file writes them, addresses
 * and prefixes as strings. Every value is a plain object of strings and numbers, so a failing
 * case prints as a user would have written it (`{"from":"web-1","to":"db-1","proto":"tcp","port":22}`).
 */
import fc from 'fast-check';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import type { Cloud } from '../topology/model.js';
import { isSender, select, type Selector } from '../intents/selectors.js';
import type { Probe } from '../library/simulator.js';
import { PORT_BOUNDARIES, ipValue, poolCidr } from './arbitraries.js';
import { formatCidr } from '../address/cidr.js';

/** An IPv4 address as text, mostly from a small pool (private, documentation) so rules and probes meet. */
export const ipv4Address = (): fc.Arbitrary<string> => ipValue(4).map((v: IpValue) => formatIpValue(v));
/** An IPv6 address as text (2001:db8::/32 mostly). */
export const ipv6Address = (): fc.Arbitrary<string> => ipValue(6).map((v: IpValue) => formatIpValue(v));
/** An address of either family as text. */
export const ipAddress = (): fc.Arbitrary<string> => fc.oneof(ipv4Address(), ipv6Address());

/** A CIDR as text with its host bits cleared (`10.0.0.0/24`), of the family asked (default IPv4). */
export const cidr = (version: 4 | 6 = 4): fc.Arbitrary<string> => poolCidr(version).map(formatCidr);

/** A TCP/UDP port 1-65535, usually a range boundary or a well-known port. */
export const port = (): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PORT_BOUNDARIES) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) });

/** A rule's `ports` as a file writes it: a number (`80`) or a range (`"8000-8080"`). */
export const ports = (): fc.Arbitrary<number | string> =>
  fc.oneof(port(), fc.tuple(port(), port()).map(([a, b]) => (a === b ? a : `${Math.min(a, b)}-${Math.max(a, b)}`)));

/** A security-group rule as the topology file writes it (docs/topology.md#security-group-rule). */
export interface RuleDoc {
  direction: 'ingress' | 'egress';
  ethertype?: 'IPv4' | 'IPv6';
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'any';
  ports?: number | string;
  type?: number;
  code?: number;
  remote_ip_prefix?: string;
  remote_group?: string;
}

export interface RuleArbitraryOptions {
  /** Groups a rule may name as `remote_group` (none: remotes are prefixes or any address). */
  readonly groups?: readonly string[];
  readonly direction?: 'ingress' | 'egress';
  /** Address family of the rule (default: IPv4 mostly, IPv6 one time in five). */
  readonly ethertype?: 'IPv4' | 'IPv6';
  /** Protocols to draw from (default all but raw protocol numbers). */
  readonly protocols?: readonly RuleDoc['protocol'][];
  /** Prefixes a remote_ip_prefix is drawn from (default: `cidr()` of the rule's family, and /0). */
  readonly prefixes?: readonly string[];
}

/** A valid rule in the file's format: fields its protocol allows, at most one remote. */
export const rule = (options: RuleArbitraryOptions = {}): fc.Arbitrary<RuleDoc> => {
  const family = options.ethertype ? fc.constant(options.ethertype) : fc.oneof({ weight: 4, arbitrary: fc.constant<'IPv4'>('IPv4') }, { weight: 1, arbitrary: fc.constant<'IPv6'>('IPv6') });
  return family.chain((ethertype) => {
    const v6 = ethertype === 'IPv6';
    const protocols = (options.protocols ?? ['tcp', 'udp', v6 ? 'icmpv6' : 'icmp', 'any']).filter((p) => p !== (v6 ? 'icmp' : 'icmpv6'));
    const prefixes = options.prefixes ? fc.constantFrom(...options.prefixes) : fc.oneof({ weight: 4, arbitrary: cidr(v6 ? 6 : 4) }, { weight: 1, arbitrary: fc.constant(v6 ? '::/0' : '0.0.0.0/0') });
    const remote: fc.Arbitrary<Pick<RuleDoc, 'remote_ip_prefix' | 'remote_group'>> = fc.oneof(
      fc.constant({}),
      prefixes.map((p) => ({ remote_ip_prefix: p })),
      ...(options.groups?.length ? [fc.constantFrom(...options.groups).map((g) => ({ remote_group: g }))] : []),
    );
    return fc.record({
      direction: options.direction ? fc.constant(options.direction) : fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
      protocol: fc.constantFrom(...(protocols.length ? protocols : ['any' as const])),
      ports: fc.option(ports(), { freq: 4 }),
      icmp: fc.option(fc.tuple(fc.constantFrom(0, 3, 8, 11, 128, 129), fc.option(fc.constantFrom(0, 1, 3, 4))), { freq: 3 }),
      remote,
    }).map(({ direction, protocol, ports: p, icmp, remote: r }): RuleDoc => ({
      direction,
      // Stated for IPv6 only, where nothing else would say it (a remote group, or no remote).
      ...(v6 ? { ethertype } : {}),
      protocol,
      ...((protocol === 'tcp' || protocol === 'udp') && p !== null ? { ports: p } : {}),
      ...((protocol === 'icmp' || protocol === 'icmpv6') && icmp !== null ? { type: icmp[0], ...(icmp[1] !== null ? { code: icmp[1] } : {}) } : {}),
      ...r,
    }));
  });
};

/** A security group as the file writes it: `{ rules, stateful? }`. */
export interface GroupDoc {
  rules: RuleDoc[];
  stateful?: boolean;
}

/** A security group: up to `maxRules` rules (default 6), stateful unless `stateless` may be drawn. */
export const securityGroup = (options: RuleArbitraryOptions & { readonly maxRules?: number; readonly stateless?: boolean } = {}): fc.Arbitrary<GroupDoc> =>
  fc.record({ rules: fc.array(rule(options), { maxLength: options.maxRules ?? 6 }), stateful: options.stateless ? fc.boolean() : fc.constant(true) })
    .map(({ rules, stateful }) => (stateful ? { rules } : { rules, stateful: false }));

export interface ProbeArbitraryOptions {
  /** Who sends: a selector (`web-*`, `group:NAME`, `subnet:NAME`, `project:NAME`, `internet`, or a list); default every instance and external host. */
  readonly from?: Selector;
  /** Where to: a selector; default every instance, load balancer, floating IP and external host. */
  readonly to?: Selector;
  /** Protocols to draw (default tcp, udp and icmp). */
  readonly protocols?: readonly ('tcp' | 'udp' | 'icmp')[];
}

/** The ports a destination listens on, by protocol: its services, an LB's listeners, a floating IP's target's. */
function listening(cloud: Cloud, name: string, kind: string): { tcp: number[]; udp: number[] } {
  const out = { tcp: [] as number[], udp: [] as number[] };
  const add = (proto: string, p: number) => { (proto === 'udp' ? out.udp : out.tcp).push(p); };
  const ofInstance = (i: string) => { for (const s of cloud.instances.get(i)?.services ?? []) add(s.protocol, s.from); };
  if (kind === 'instance') ofInstance(name);
  if (kind === 'external_host') for (const s of cloud.externalHosts.get(name)!.services) add(s.protocol, s.from);
  if (kind === 'load_balancer') for (const l of cloud.loadBalancers.get(name)!.listeners) add(l.protocol, l.port);
  if (kind === 'floating_ip') {
    const f = cloud.floatingIps.get(name)!;
    const inst = [...cloud.instances.values()].find((i) => f.port !== null && i.ports.includes(f.port));
    const lb = [...cloud.loadBalancers.values()].find((l) => l.vipPort === f.port);
    if (inst) ofInstance(inst.name);
    if (lb) for (const l of lb.listeners) add(l.protocol, l.port);
    for (const pf of f.portForwardings) add(pf.protocol, pf.externalPort);
  }
  return out;
}

/** A probe as `probes` draws it: names, a protocol, a port for tcp and udp. */
export type ProbeDoc = Probe & { proto: 'tcp' | 'udp' | 'icmp' };

/**
 * Probes over a cloud's endpoints, as `sim.probe` takes them: `{ from, to, proto, port? }` with
 * names. The port is usually one the destination listens on (so properties about services
 * bite), otherwise any port; never from an endpoint to itself. Throws when a selector names
 * nothing, or when no sender and destination remain.
 */
export const probes = (cloud: Cloud, options: ProbeArbitraryOptions = {}): fc.Arbitrary<ProbeDoc> => {
  const pick = (selector: Selector | undefined, key: 'from' | 'to') => {
    if (selector === undefined) return select(cloud, '*');
    const r = select(cloud, selector);
    if (!r.ok) throw new Error(`probes(cloud, { ${key} }): ${r.message}`);
    return r;
  };
  const from = pick(options.from, 'from');
  const to = pick(options.to, 'to');
  const senders = from.ok ? from.endpoints.filter(isSender) : [];
  const targets = to.ok ? to.endpoints : [];
  if (senders.length === 0) throw new Error('probes(cloud): no instance or external host to send from');
  if (targets.length === 0 || (targets.length === 1 && senders.length === 1 && senders[0]!.name === targets[0]!.name)) throw new Error('probes(cloud): nothing to send to');
  const protocols = options.protocols?.length ? options.protocols : (['tcp', 'udp', 'icmp'] as const);
  return fc.tuple(fc.constantFrom(...senders), fc.constantFrom(...targets))
    .filter(([s, t]) => s.name !== t.name)
    .chain(([s, t]) => {
      const open = listening(cloud, t.name, t.kind);
      return fc.constantFrom(...protocols).chain((proto): fc.Arbitrary<ProbeDoc> => {
        if (proto === 'icmp') return fc.constant({ from: s.name, to: t.name, proto });
        const known = open[proto];
        const portArb = known.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: port() }) : port();
        return portArb.map((p) => ({ from: s.name, to: t.name, proto, port: p }));
      });
    });
};
