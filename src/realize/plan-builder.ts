/**
 * The plan under construction: namespaces (unique names under the prefix), interfaces, the
 * steps in order (each namespace prepared with its sysctls before anything else), nftables
 * rulesets, listeners and notes. Pure: it only records; run-plan.ts and script.ts act on it.
 */
import { namespaceName } from './names.js';
import { AGENT, type InterfaceEntry, type NamespaceEntry, type Plan, type Step } from './plan.js';

/** Neighbour resolution gives up after 3 × 200 ms, inside a probe's 1 s timeout (Linux: 3 s). */
const NEIGH_RETRANS_MS = 200;
/** `-6` for IPv6 steps, so that `default` and link-local next hops read unambiguously. */
export const family = (version: 4 | 6): string[] => (version === 6 ? ['-6'] : []);

export class PlanBuilder {
  readonly namespaces: NamespaceEntry[] = [];
  private readonly interfaces: InterfaceEntry[] = [];
  private readonly steps: Step[] = [];
  private readonly notes: string[] = [];
  private readonly prepared: Step[] = [];

  constructor(private readonly prefix: string) {}

  namespace(role: string, kind: string, name?: string): string {
    let ns = namespaceName(this.prefix, kind, name);
    for (let n = 2; this.namespaces.some((e) => e.name === ns); n++) ns = `${namespaceName(this.prefix, kind, name)}-${n}`;
    this.namespaces.push({ name: ns, role });
    return ns;
  }

  /**
   * Create the namespace and set its sysctls before any interface exists (they are templates):
   * no reverse-path filter; ARP without flux; IPv6 only as planned (no DAD, router solicitations, RAs or
   * autoconfiguration), or off in the fabric; forwarding with ICMP errors unthrottled (a probe
   * must see every unreachable, not one a second).
   */
  prepare(ns: string, kind: 'bridges' | 'forwards' | 'host'): void {
    const role = this.namespaces.find((e) => e.name === ns)!.role;
    this.prepared.push({ argv: ['ip', 'netns', 'add', ns], why: role });
    this.prepared.push({ argv: ['ip', '-n', ns, 'link', 'set', 'lo', 'up'], why: 'loopback' });
    const ipv6 = kind === 'bridges'
      ? ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']
      : ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.default.router_solicitations=0',
        'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0', 'net.ipv6.conf.all.autoconf=0', 'net.ipv6.conf.default.autoconf=0'];
    // ARP answered only on the interface that holds the address, from an address of that
    // interface, as vnet's nodes do and Neutron's L3 agent sets in its router namespaces: else a
    // router with two ports on one network answers for both on both (ARP flux), and traffic
    // enters by the wrong subnet's port and meets that subnet's network ACL.
    const arp = kind === 'bridges' ? [] : ['net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'];
    const sysctls = [
      ...ipv6,
      'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', ...arp,
      ...(kind === 'forwards' ? ['net.ipv4.ip_forward=1', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.icmp.ratelimit=0'] : []),
    ];
    const why = kind === 'bridges' ? 'bridges only: no IPv6 of its own; no reverse-path filter'
      : `addresses as planned, nothing learned from the wire${kind === 'forwards' ? ', forwarding IPv4 and IPv6' : ''}; no reverse-path filter; ARP only for the asking interface's own addresses`;
    this.prepared.push({ argv: ['ip', 'netns', 'exec', ns, 'sysctl', '-qw', ...sysctls], why });
  }

  /** ARP (and ND where IPv6 is used; only ND on an IPv6 link) on this interface gives up in 3 × 200 ms (a namespace has no neigh/default sysctl). */
  fastArp(ns: string, ifname: string, ipv6 = false, arp = true): void {
    if (arp) this.step(['ip', '-n', ns, 'ntable', 'change', 'name', 'arp_cache', 'dev', ifname, 'retrans', String(NEIGH_RETRANS_MS)], `ARP gives up in ${3 * NEIGH_RETRANS_MS} ms, inside a probe's timeout`);
    if (ipv6) this.step(['ip', '-n', ns, 'ntable', 'change', 'name', 'ndisc_cache', 'dev', ifname, 'retrans', String(NEIGH_RETRANS_MS)], `neighbour discovery gives up in ${3 * NEIGH_RETRANS_MS} ms, inside a probe's timeout`);
  }

  iface(namespace: string, name: string, of: string): void {
    this.interfaces.push({ namespace, name, of });
  }

  step(argv: string[], why: string): void {
    this.steps.push({ argv, why });
  }

  ruleset(ns: string, text: string | null, why: string): void {
    if (text !== null) this.steps.push({ argv: ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], stdin: text, why });
  }

  listen(ns: string, services: readonly string[], who: string): void {
    if (services.length === 0) return;
    this.steps.push({ argv: ['ip', 'netns', 'exec', ns, 'node', AGENT, 'listen', ...services], background: true, why: `${who} listens on ${services.join(', ')}` });
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  plan(): Plan {
    return { prefix: this.prefix, namespaces: this.namespaces, interfaces: this.interfaces, up: [...this.prepared, ...this.steps], notes: this.notes };
  }
}
