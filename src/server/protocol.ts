/**
 * The WebSocket protocol of `vnet serve` (docs/websocket.md), version 1: every message is one JSON
 * text frame `{ type, v: 1, ... }`. Server → client: hello, event, verdict, dropped, state, error.
 * Client → server: inject, subscribe, pause, resume, reset, state. Client messages are checked here
 * at the boundary and bad ones become data (`{ code, message, path }`), never exceptions: the
 * server answers them with an `error` message and keeps the connection. Messages quote client
 * input only through `preview` (bounded), and nesting deeper than MAX_DEPTH is refused first.
 */
import * as v from 'valibot';
import type { SerializedGraph } from 'graphology-types';
import { PIPELINE } from '../engine/pipeline.js';
import type { EdgeAttributes, NodeAttributes, NodeKind } from '../topology/graph.js';
import type { cloudToJson } from '../topology/to-json.js';
import { suggestion } from '../topology/did-you-mean.js';
import { formatPath } from '../topology/issue.js';
import type { NodeState } from '../engine/node-state.js';
import { checkProbe, MAX_PROBE_COUNT, type NamedProbe, type ProbeProtocol } from '../probe/probe.js';
import type { TraceEvent } from '../trace/events.js';
import type { Verdict, VerdictKind } from '../trace/verdict.js';
import { clip, preview } from './preview.js';

export const PROTOCOL_VERSION = 1;
/**
 * Levels of nesting a client message may have. The deepest valid message has 3 (the message,
 * `filter`, `filter.nodes`); deeper input is refused before validation, whose recursion and
 * error messages should never meet input 30,000 levels deep.
 */
export const MAX_DEPTH = 8;
/** Probes one `inject` may ask for (as `vnet trace --count`). */
export const MAX_INJECT_COUNT = MAX_PROBE_COUNT;
export const VERDICT_KINDS: readonly VerdictKind[] = ['delivered', 'refused', 'dropped', 'unreachable', 'expired', 'misdelivered'];
/** Every stage id the engine emits (a subscription may name one, or a prefix such as `sg`). */
export const STAGES: readonly string[] = [...new Set<string>([...Object.values(PIPELINE).flat(), 'drop'])];

// ---------------------------------------------------------------------------------------------
// Server → client

/** What `GET /api/topology` returns and `hello` carries: the resolved cloud and its graph. */
export interface TopologyPayload {
  readonly name: string;
  /** The topology file's base name, or null when the cloud was not read from a file. */
  readonly file: string | null;
  readonly cloud: ReturnType<typeof cloudToJson>;
  /** graphology's `graph.export()`: nodes (instances, networks, routers, LBs, the internet) and port edges. */
  readonly graph: SerializedGraph<NodeAttributes, EdgeAttributes>;
}

/**
 * What `hello` carries: every node and link of the graph with what a page draws and searches
 * (id, kind, address label), and the endpoints the inject form offers — compact, so that a
 * 10,000-instance cloud greets in well under 1 MB. The full cloud is `GET /api/topology`; a
 * node's tables are `state {node}`.
 */
export interface CompactTopology {
  readonly name: string;
  readonly file: string | null;
  /** The node kinds `nodes` refer to by index. */
  readonly kinds: readonly NodeKind[];
  /** `[id, kind index, label]`, plus the name when it is not the id after its `kind:` prefix. */
  readonly nodes: readonly (readonly [string, number, string] | readonly [string, number, string, string])[];
  /** Links as node indexes, two per link. */
  readonly edges: readonly number[];
  /** With more than one project: the projects, and each node's project as an index, parallel to `nodes`. */
  readonly projects?: readonly string[];
  readonly project_of?: readonly number[];
  /** `[name, address]` of the senders and destinations besides instances. */
  readonly endpoints: {
    readonly external_hosts: readonly (readonly [string, string])[];
    readonly floating_ips: readonly (readonly [string, string])[];
    readonly load_balancers: readonly (readonly [string, string])[];
  };
}

/**
 * Sent on connect, and to every client after `reset` or a good edit under `--watch`: a client
 * starts over (clears its events) on every hello. `version` is the protocol version.
 */
export interface HelloMessage {
  readonly type: 'hello';
  readonly v: 1;
  readonly version: number;
  readonly reason: 'connect' | 'reset' | 'reload';
  readonly topology: CompactTopology;
}

/** One trace event (docs/trace-json.md), in `seq` order; `event.probe` joins it to its verdict (0: background work such as health checks). */
export interface EventMessage {
  readonly type: 'event';
  readonly v: 1;
  readonly event: TraceEvent;
}

/** Which probe a verdict answers: the simulator's probe number and the injection it came from. */
export interface ProbeInfo {
  /** The simulator's probe number (the `probe` of its events); it restarts at 1 after a hello. */
  readonly id: number;
  /** The `id` the injecting client gave its `inject`, or null. */
  readonly ref: string | null;
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port: number | null;
  /** This probe's place in its injection (1-based) and the injection's count. */
  readonly index: number;
  readonly count: number;
}

/** The `vnet trace --json` contract without `events` (they were streamed already) but with their number. */
export type VerdictBody = Omit<Verdict, 'events'> & {
  /** How many events the probe had (its events in the stream carry `probe` = `probe.id`). */
  readonly event_count: number;
};

export interface VerdictMessage {
  readonly type: 'verdict';
  readonly v: 1;
  readonly probe: ProbeInfo;
  readonly verdict: VerdictBody;
}

/**
 * A slow (or paused) client lost messages: sent once the server could deliver again, where the
 * gap is. `count` is the total; the others split it by kind.
 */
export interface DroppedMessage {
  readonly type: 'dropped';
  readonly v: 1;
  readonly count: number;
  readonly events: number;
  readonly verdicts: number;
  readonly errors: number;
}

/** The answer to a client's `state {node}`: that node's tables at the simulator's current virtual time. */
export interface StateMessage {
  readonly type: 'state';
  readonly v: 1;
  /** The `id` of the `state` request this answers, or null. */
  readonly ref: string | null;
  readonly state: NodeState;
}

/**
 * The answer to `details {node}`: what the topology says of one node, as `GET /api/topology`
 * has it (cloudToJson's entries): an instance's ports (MACs, fixed IPs, groups), services and
 * floating IPs; a network's subnets; a router's interfaces, gateway and routes; a balancer;
 * an external network or host. hello is compact; the page asks for this when a node is opened.
 */
export interface DetailsMessage {
  readonly type: 'details';
  readonly v: 1;
  readonly ref: string | null;
  /** The node's id (`instance:web-1`). */
  readonly node: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export type ErrorCode =
  | 'bad-json' // not JSON, or a binary frame
  | 'unknown-type' // `type` is not a client message type
  | 'unsupported-version' // `v` is not 1
  | 'invalid-message' // a field is missing, unknown or of the wrong kind (see `path`)
  | 'bad-endpoint' // `from` / `to` name nothing in the topology
  | 'unknown-node' // `state`: `node` names no node of the simulation
  | 'rate-limited' // too many probes from this client (token bucket)
  | 'busy' // the injection queue is full
  | 'cancelled' // a reset or reload cancelled a queued injection
  | 'topology-invalid' // --watch: the edited file does not load; the last good model stays
  | 'internal';

/** A positioned topology problem (`topology-invalid`), as `vnet validate` reports it. */
export interface IssueJson {
  readonly code: string;
  readonly message: string;
  readonly path: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly col: number | null;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly v: 1;
  readonly code: ErrorCode;
  readonly message: string;
  /** The `id` of the client message this answers, when it had one. */
  readonly ref: string | null;
  /** Where in the client message the problem is (`filter.stages[0]`), for invalid-message. */
  readonly path?: string;
  /** For rate-limited: when the injection would fit. */
  readonly retry_after_ms?: number;
  /** For topology-invalid: every problem, with file, line and column. */
  readonly issues?: readonly IssueJson[];
}

export type ServerMessage = HelloMessage | EventMessage | VerdictMessage | DroppedMessage | StateMessage | DetailsMessage | ErrorMessage;

// ---------------------------------------------------------------------------------------------
// Client → server

const ref = v.optional(v.pipe(v.string(), v.maxLength(64, 'at most 64 characters')));
const endpoint = v.pipe(v.string(), v.minLength(1, 'a name or an address'), v.maxLength(256, 'at most 256 characters'));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(`a whole number ${min}-${max}`), v.minValue(min, `a whole number ${min}-${max}`), v.maxValue(max, `a whole number ${min}-${max}`));

const stageName = v.pipe(
  v.string(),
  v.check((s) => STAGES.some((st) => st === s || st.startsWith(`${s}.`)), (issue) => `expected a stage id or prefix (${STAGES.join(', ')}), got ${preview(issue.input)}${suggestion(String(issue.input), STAGES)}`),
);

/**
 * What a client wants to see. Every field is optional; `{}` is everything (the default on
 * connect). An event passes when it passes every field given:
 * - `events: false`: verdicts only, no trace events.
 * - `background: false`: leave out events of no probe (probe 0: health checks).
 * - `nodes`: events at one of these nodes (ids such as `router:edge`, or names such as `edge`);
 *   a verdict passes when its path or its drop touches one of them.
 * - `stages`: events of these stages; a prefix names a family (`sg` = `sg.ingress`, `sg.egress`).
 *   Verdicts are not filtered by stage.
 * - `verdicts`: only probes whose verdict is one of these: their events and their verdict.
 */
const filterSchema = v.strictObject({
  events: v.optional(v.boolean()),
  background: v.optional(v.boolean()),
  nodes: v.optional(v.pipe(v.array(endpoint), v.maxLength(1000, 'at most 1000 nodes'))),
  stages: v.optional(v.pipe(v.array(stageName), v.maxLength(100, 'at most 100 stages'))),
  verdicts: v.optional(v.array(v.picklist(VERDICT_KINDS, `one of ${VERDICT_KINDS.join(', ')}`))),
});

const version = v.literal(1);
/** The keys of an inject that are not the probe's (which probe/probe.ts checks, as for `vnet trace`). */
const INJECT_ENVELOPE = ['type', 'v', 'id', 'count'];
const schemas = {
  /**
   * Run `count` probes from `from` to `to` (names or addresses, as `vnet trace`): valibot checks
   * the envelope; the probe's own keys (from, to, proto, port, ipv6) pass through to checkProbe.
   */
  inject: v.looseObject({
    type: v.literal('inject'),
    v: version,
    id: ref,
    count: v.optional(int(1, MAX_INJECT_COUNT)),
  }),
  /** Replace this client's filter (see SubscribeFilter). */
  subscribe: v.strictObject({ type: v.literal('subscribe'), v: version, id: ref, filter: v.optional(filterSchema) }),
  /** Hold this client's trace stream: messages wait in its bounded queue (overflow → `dropped`). */
  pause: v.strictObject({ type: v.literal('pause'), v: version, id: ref }),
  resume: v.strictObject({ type: v.literal('resume'), v: version, id: ref }),
  /** A new simulator from the same topology (cold caches, empty tables) for everyone; answered by `hello`. */
  reset: v.strictObject({ type: v.literal('reset'), v: version, id: ref }),
  /** A node's MAC table, neighbour caches, routes, conntrack/NAT, groups, LB members now; answered by `state` (node: an id such as `router:edge` or a name). */
  state: v.strictObject({ type: v.literal('state'), v: version, id: ref, node: endpoint }),
  /** What the topology says of one node (ports, addresses, subnets, routes); answered by `details` (node: an id or a name). */
  details: v.strictObject({ type: v.literal('details'), v: version, id: ref, node: endpoint }),
};

export type ClientMessageType = keyof typeof schemas;
export const CLIENT_MESSAGE_TYPES = Object.keys(schemas) as ClientMessageType[];
export type SubscribeFilter = v.InferOutput<typeof filterSchema>;
/** What a client sends to run probes: the probe's keys as `vnet trace`'s flags, and how many. */
export interface InjectMessage {
  readonly type: 'inject';
  readonly v: 1;
  readonly id?: string;
  readonly from: string;
  readonly to: string;
  /** Default: tcp when a port is given, icmp otherwise. */
  readonly proto?: ProbeProtocol;
  readonly port?: number;
  /** Default 1. */
  readonly count?: number;
  /** Use the destination's IPv6 address when it is named. */
  readonly ipv6?: boolean;
}
/** What a client may send (the wire form). */
export type ClientMessage =
  | InjectMessage
  | v.InferOutput<typeof schemas.subscribe>
  | v.InferOutput<typeof schemas.pause>
  | v.InferOutput<typeof schemas.resume>
  | v.InferOutput<typeof schemas.reset>
  | v.InferOutput<typeof schemas.state>
  | v.InferOutput<typeof schemas.details>;
/** An inject once checked: the probe it asks for, defaults filled in, and how many times. */
export interface Injection {
  readonly type: 'inject';
  readonly v: 1;
  readonly id?: string;
  readonly probe: NamedProbe;
  readonly count: number;
}
/** A checked client message: an inject becomes an Injection; the others are as sent. */
export type CheckedMessage = Injection | Exclude<ClientMessage, InjectMessage>;

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
  readonly ref: string | null;
}

export type ParseResult = { ok: true; message: CheckedMessage } | { ok: false; error: ProtocolError };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One client text frame → a checked message, or the error to answer it with. */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail('bad-json', `expected a JSON object, got text that is not JSON (${(e as Error).message})`, null);
  }
  if (!isRecord(raw)) return fail('invalid-message', `expected a JSON object { "type": ..., "v": 1 }, got ${Array.isArray(raw) ? 'a list' : preview(raw)}`, null, '');
  const id = typeof raw['id'] === 'string' && raw['id'].length <= 64 ? raw['id'] : null;
  const deep = tooDeep(raw, MAX_DEPTH);
  if (deep !== undefined) {
    return fail('invalid-message', `${formatPath([deep[0]!])}: nested more than ${MAX_DEPTH} levels deep (at ${clip(formatPath(deep), 120)}); no message of this protocol is`, id, formatPath([deep[0]!]));
  }
  const type = raw['type'];
  if (typeof type !== 'string') return fail('invalid-message', `expected "type", one of ${CLIENT_MESSAGE_TYPES.join(', ')}`, id, 'type');
  if (!Object.hasOwn(schemas, type)) {
    return fail('unknown-type', `unknown message type ${preview(type)}: expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}${suggestion(type, CLIENT_MESSAGE_TYPES)}`, id, 'type');
  }
  if (raw['v'] !== PROTOCOL_VERSION) {
    return fail('unsupported-version', `expected "v": ${PROTOCOL_VERSION} (this server speaks protocol version ${PROTOCOL_VERSION}), got ${raw['v'] === undefined ? 'nothing' : preview(raw['v'])}`, id, 'v');
  }
  const schema = schemas[type as ClientMessageType];
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = pathOf(issue);
    return fail('invalid-message', `${type}: ${issueText(issue, schema)}`, id, path);
  }
  if (type === 'inject') return checkInject(parsed.output as v.InferOutput<typeof schemas.inject>, raw);
  return { ok: true, message: parsed.output as CheckedMessage };
}

/** The probe of an inject, checked as `vnet trace` checks its flags; the first problem is the answer. */
function checkInject(envelope: v.InferOutput<typeof schemas.inject>, raw: Record<string, unknown>): ParseResult {
  const id = envelope.id ?? null;
  const checked = checkProbe(raw, { otherKeys: INJECT_ENVELOPE, quote: (x) => preview(x) });
  if (!checked.ok) {
    const issue = checked.issues[0]!;
    const path = formatPath(issue.path);
    const what = issue.code === 'missing-key' ? `"${path}" is required: ` : `${path}: `;
    return fail('invalid-message', `inject: ${what}${issue.message}`, id, path);
  }
  return { ok: true, message: { type: 'inject', v: 1, ...(envelope.id !== undefined ? { id: envelope.id } : {}), probe: checked.probe, count: envelope.count ?? 1 } };
}

/** `filter.stages[0]`: the path of a valibot issue, printed as topology paths are. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  const segments = (issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key)));
  return segments.length === 0 ? '' : formatPath(segments);
}

function issueText(issue: v.BaseIssue<unknown>, schema: v.GenericSchema): string {
  const where = pathOf(issue);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const key = String(issue.path?.[issue.path.length - 1]?.key);
    const parent = (issue.path?.length ?? 0) > 1 ? filterSchema : schema;
    const known = 'entries' in parent ? Object.keys((parent as { entries: Record<string, unknown> }).entries) : [];
    return `unknown key ${preview(key)}${suggestion(key, known)}`;
  }
  if (issue.input === undefined) return `"${where}" is required`;
  const expected = issue.kind === 'validation' || issue.type === 'picklist' ? issue.message : `expected ${issue.expected ?? issue.message}`;
  return `${where || 'message'}: ${expected.startsWith('expected') ? expected : `expected ${expected}`}, got ${preview(issue.input)}`;
}

/**
 * The path to the first value nested deeper than `limit` (the message itself is level 1), or
 * undefined. Iterative: the input may be 30,000 levels deep.
 */
function tooDeep(root: Record<string, unknown>, limit: number): (string | number)[] | undefined {
  const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [{ value: root, depth: 1, path: [] }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value, depth, path } = top;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return path;
    // Paths are at most `limit` long, so copying them per child stays cheap.
    if (Array.isArray(value)) value.forEach((child, i) => stack.push({ value: child, depth: depth + 1, path: [...path, i] }));
    else for (const [key, child] of Object.entries(value)) stack.push({ value: child, depth: depth + 1, path: [...path, key] });
  }
  return undefined;
}

function fail(code: ErrorCode, message: string, ref: string | null, path?: string): ParseResult {
  return { ok: false, error: { code, message, ref, ...(path !== undefined ? { path } : {}) } };
}

/** Serialises a server message (one JSON text frame). */
export function encodeMessage(msg: ServerMessage): string {
  return JSON.stringify(msg);
}
