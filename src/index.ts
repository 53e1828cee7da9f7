/**
 * vnet as a library: load a topology into a resolved cloud, inspect it, build its graph,
 * simulate probes hop by hop, compute the reachability matrix, audit the rules.
 */
export { parseTopology, type LoadResult } from './topology/load.js';
export { loadTopologyFile, loadTopologyFile as loadTopology } from './files/read-topology.js';
export { buildGraph, components, nodeId, INTERNET, type CloudGraph, type NodeAttributes, type EdgeAttributes, type NodeKind } from './topology/graph.js';
export { cloudToJson } from './topology/to-json.js';
export { formatIssue, formatPath, type Issue, type Path } from './topology/issue.js';
export type * from './topology/model.js';
export { parseIp, formatIp, type Ip, type IpVersion } from './address/ip.js';
export { parseCidr, formatCidr, cidrContains, type Cidr } from './address/cidr.js';
export { parseMac, formatMac, type Mac } from './address/mac.js';
export type { SimulatorOptions, ProbeSpec } from './engine/simulator.js';
export { Simulator, ProbeError, type Probe } from './library/simulator.js';
export { resolveSource, resolveDestination } from './engine/endpoints.js';
export { checkProbe, resolveProbe, type NamedProbe, type ResolvedProbe } from './probe/probe.js';
export { PIPELINE, type Stage } from './engine/pipeline.js';
export type { TraceEvent, Direction } from './trace/events.js';
export type { Verdict, VerdictKind, NatEntry, Landing, ProbeTarget } from './trace/verdict.js';
export { verdictJson } from './trace/render.js';
export { reachMatrix, type ReachRow, type ReachResult } from './reach/matrix.js';
export { auditCloud } from './audit/audit.js';
export type { Finding } from './audit/findings.js';
