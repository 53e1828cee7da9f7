/**
 * `vnet/testing`: fast-check arbitraries for property tests of one's own clouds and rules, in the
 * forms the public API and the topology file take (probes by name, rules and groups as a file
 * writes them, whole valid topology documents, addresses as strings), so a counterexample prints
 * as a user would write it. Needs fast-check (a peer dependency).
 */
import { topologyDocument } from './topology-arbitrary.js';
import { cidr, ipAddress, ipv4Address, ipv6Address, port, ports, probes, rule, securityGroup } from './public.js';

export { topologyDocument, type TopologyShape } from './topology-arbitrary.js';
export {
  cidr, ipAddress, ipv4Address, ipv6Address, port, ports, probes, rule, securityGroup,
  type GroupDoc, type ProbeArbitraryOptions, type ProbeDoc, type RuleArbitraryOptions, type RuleDoc,
} from './public.js';
export type { Selector } from '../intents/selectors.js';

/** The same arbitraries as one object: `arbitraries.probes(cloud)`. */
export const arbitraries = { probes, rule, securityGroup, topologyDocument, ipv4Address, ipv6Address, ipAddress, cidr, port, ports };
