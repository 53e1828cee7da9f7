/**
 * vnet as a library: load a topology into a resolved cloud, inspect it, build its graph.
 * (The packet simulator joins this entry point with the engine.)
 */
export { parseTopology, type LoadResult } from './topology/load.js';
export { loadTopologyFile as loadTopology } from './cli/read-topology.js';
export { buildGraph, components, nodeId, INTERNET, type CloudGraph, type NodeAttributes, type EdgeAttributes, type NodeKind } from './topology/graph.js';
export { cloudToJson } from './topology/to-json.js';
export { formatIssue, formatPath, type Issue, type Path } from './topology/issue.js';
export type * from './topology/model.js';
export { parseIp, formatIp, type Ip, type IpVersion } from './address/ip.js';
export { parseCidr, formatCidr, cidrContains, type Cidr } from './address/cidr.js';
export { parseMac, formatMac, type Mac } from './address/mac.js';
