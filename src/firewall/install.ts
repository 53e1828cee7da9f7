/**
 * Builds each instance port's firewall from the resolved cloud: the union of its groups'
 * rules in matching form, remote-group membership (every fixed address and allowed address
 * pair of every port in the group), the port's identity for anti-spoofing, and the matcher
 * (compiled by default; the linear reference on request).
 */
import { toIpValue, toPrefixValue, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { Cloud, Port } from '../topology/model.js';
import { LazyMap } from '../util/lazy-map.js';
import { CompiledMatcher } from './compiled-matcher.js';
import { LinearMatcher } from './linear-matcher.js';
import { PortFirewall, type PortTables } from './port-firewall.js';
import { toMatchRule, type GroupMembers, type MatchRule } from './rule.js';
import type { Matcher } from './matcher.js';

/**
 * `auto` (the default) compiles rule unions of COMPILE_THRESHOLD rules or more and scans
 * smaller ones: the firewall bench (lookups per CPU second, medians of 5 runs) shows the linear
 * scan ahead at 10 rules (20 M against 11.5 M), the compiled index ahead at 100 (11.6 M against
 * 2.9 M) and far ahead at 10,000 (4.6 M against 18 k).
 */
export type MatcherKind = 'auto' | 'compiled' | 'linear';
export const COMPILE_THRESHOLD = 64;

export function groupMembers(cloud: Cloud): GroupMembers {
  const out = new Map<string, { addresses: Set<IpValue>; prefixes: PrefixValue[] }>();
  for (const port of cloud.ports.values()) {
    for (const g of port.securityGroups) {
      let m = out.get(g);
      if (!m) out.set(g, (m = { addresses: new Set(), prefixes: [] }));
      for (const f of port.fixedIps) m.addresses.add(toIpValue(f.address.ip));
      for (const pair of port.allowedAddressPairs) {
        const full = pair.prefix.cidr.version === 4 ? 32 : 128;
        if (pair.prefix.cidr.prefix === full) m.addresses.add(toIpValue({ version: pair.prefix.cidr.version, value: pair.prefix.cidr.network }));
        else m.prefixes.push(toPrefixValue(pair.prefix.cidr));
      }
    }
  }
  return out;
}

/** The union of a port's groups' rules, in union order. */
export function portRules(cloud: Cloud, groups: readonly string[]): MatchRule[] {
  const rules: MatchRule[] = [];
  for (const g of groups) for (const r of cloud.securityGroups.get(g)?.rules ?? []) rules.push(toMatchRule(g, r, rules.length));
  return rules;
}

/**
 * Every instance port's firewall, running `tables` (src/engine/pipeline.ts's PORT_OUT_PIPELINE
 * and PORT_IN_PIPELINE). Built when a port is first asked for (a trace meets few of a large
 * cloud's ports); the remote groups' members when a matcher is first built.
 */
export function buildPortFirewalls(cloud: Cloud, kind: MatcherKind, tables: PortTables): ReadonlyMap<string, PortFirewall> {
  let members: GroupMembers | undefined;
  // Ports with the same groups have the same rule union: one matcher serves them all, built
  // the first time one of them sees a packet (a 10,000-port cloud has a handful of them).
  const matchers = new Map<string, Matcher>();
  const matcherFor = (groups: readonly string[]): Matcher => {
    const key = groups.join('\u0000');
    let m = matchers.get(key);
    if (!m) {
      let built: Matcher | undefined;
      const build = () => {
        if (built) return built;
        const rules = portRules(cloud, groups);
        const compile = kind === 'compiled' || (kind === 'auto' && rules.length >= COMPILE_THRESHOLD);
        members ??= groupMembers(cloud);
        return (built = compile ? new CompiledMatcher(rules, members) : new LinearMatcher(rules, members));
      };
      m = { match: (f, d) => build().match(f, d) };
      matchers.set(key, m);
    }
    return m;
  };
  const filtered = (id: string): Port | undefined => {
    const port = cloud.ports.get(id);
    return port && port.portSecurity && port.owner.kind === 'instance' ? port : undefined;
  };
  return new LazyMap(
    () => [...cloud.ports.keys()].filter((id) => filtered(id) !== undefined),
    (id) => {
      const port = filtered(id);
      if (!port) return undefined;
      const stateful = port.securityGroups.every((g) => cloud.securityGroups.get(g)?.stateful ?? true);
      return new PortFirewall({
        port: port.id, groups: port.securityGroups, stateful, matcher: matcherFor(port.securityGroups),
        identity: {
          mac: port.macValue,
          addresses: new Set(port.fixedIps.map((f) => toIpValue(f.address.ip))),
          pairs: port.allowedAddressPairs.map((p) => ({ prefix: toPrefixValue(p.prefix.cidr), mac: p.mac === null ? null : parseInt(p.mac.replace(/:/g, ''), 16) })),
        },
      }, tables);
    },
  );
}
