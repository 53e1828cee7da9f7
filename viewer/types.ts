/**
 * The server's protocol (DESIGN §7) as the viewer sees it: types only, taken from the server's
 * own definitions so that the page and the server cannot drift apart. Nothing here is bundled.
 */
export type { ClientMessage, CompactTopology, DroppedMessage, ErrorMessage, HelloMessage, ProbeInfo, ServerMessage, StateMessage, TopologyPayload, VerdictBody, VerdictMessage } from '../src/server/protocol.js';
export type { NodeState } from '../src/engine/node-state.js';
export type { Direction, TraceEvent } from '../src/trace/events.js';
export type { EdgeAttributes, NodeAttributes, NodeKind } from '../src/topology/graph.js';
export type { VerdictKind } from '../src/trace/verdict.js';
