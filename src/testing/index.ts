/** `vnet/testing`: fast-check arbitraries for property tests of clouds and rules. */
import * as rules from './arbitraries.js';
import { topologyDocument } from './topology-arbitrary.js';

/** Addresses, prefixes, rules, rule sets, packets, and whole valid topology documents. */
export const arbitraries = { ...rules, topologyDocument };
