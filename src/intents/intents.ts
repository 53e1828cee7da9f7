/**
 * The intents of a tests file (`intents:` beside `probes:`, docs/intents.md): what must hold of
 * the whole reachability matrix between two selectors, not of samples —
 *
 *     intents:
 *       - { name: db-isolated, from: internet, to: 'db-*', expect: isolated }
 *       - { name: web-public, from: internet, to: lb-fip, proto: tcp, port: 443, expect: reachable }
 *       - name: the whole matrix
 *         exact: [{ from: internet, to: lb-fip, port: 80 }, { from: 'group:web', to: 'db-*', port: 5432 }]
 *
 * Checked here into Intents whose selectors are resolved against the cloud; every problem is an
 * Issue with its path (`intents[1].to`), all reported at once. Pure.
 */
import { suggestion } from '../topology/did-you-mean.js';
import { describeValue, type Issue, type Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { readSource } from '../topology/source.js';
import { isSender, select, type Selected } from './selectors.js';

export type IntentProto = 'tcp' | 'udp' | 'icmp' | 'any';
/** `allow` and `deny` read as `reachable` and `isolated`. */
export const EXPECTATIONS = ['reachable', 'isolated', 'allow', 'deny'] as const;

/** Traffic between two sets of endpoints: a protocol and, for tcp and udp, a port range (null: every port, or the destination's services). */
export interface Flow {
  readonly from: readonly Selected[];
  readonly to: readonly Selected[];
  /** The selectors as written, for messages. */
  readonly fromText: string;
  readonly toText: string;
  readonly proto: IntentProto;
  readonly ports: { readonly from: number; readonly to: number } | null;
}

export type Intent =
  | { readonly name: string; readonly kind: 'reachable' | 'isolated'; readonly flow: Flow }
  /** Within `scope`, exactly the `allowed` flows are delivered on the destinations' services. */
  | { readonly name: string; readonly kind: 'exact'; readonly scope: Flow; readonly allowed: readonly Flow[] };

export type IntentsResult = { ok: true; intents: Intent[] } | { ok: false; issues: Issue[] };

const INTENT_KEYS = ['name', 'from', 'to', 'proto', 'port', 'expect', 'exact'] as const;
const FLOW_KEYS = ['from', 'to', 'proto', 'port'] as const;
const PROTOS: readonly IntentProto[] = ['tcp', 'udp', 'icmp', 'any'];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const selectorText = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

type Fail = (path: Path, code: string, message: string) => void;

/** A port (`443`) or a range (`"1-1024"`) of 1-65535. */
function portRange(raw: unknown): { from: number; to: number } | undefined {
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof raw === 'number') return ok(raw) ? { from: raw, to: raw } : undefined;
  if (typeof raw !== 'string') return undefined;
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw) ?? /^\s*(\d+)\s*$/.exec(raw);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  return ok(from) && ok(to) && from <= to ? { from, to } : undefined;
}

/** from, to, proto and port of an intent or of an exact intent's flow; undefined when one is wrong (reported). */
function checkFlow(cloud: Cloud, raw: Record<string, unknown>, fail: Fail, required: boolean): Flow | undefined {
  let ok = true;
  const side = (key: 'from' | 'to'): Selected[] => {
    const v = raw[key];
    if (v === undefined) {
      if (!required) return key === 'from' ? (select(cloud, '*') as { endpoints: Selected[] }).endpoints.filter(isSender) : (select(cloud, '*') as { endpoints: Selected[] }).endpoints;
      ok = false;
      fail([key], 'missing-key', `missing key "${key}": a selector (a name glob such as db-*, group:NAME, subnet:NAME, project:NAME or internet)`);
      return [];
    }
    const list = typeof v === 'string' ? v : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    if (list === undefined || list === '') {
      ok = false;
      fail([key], 'type', `expected a selector or a list of them, got ${describeValue(v)}`);
      return [];
    }
    const r = select(cloud, list);
    if (!r.ok) {
      ok = false;
      fail([key], 'selector', r.message);
      return [];
    }
    const picked = key === 'from' ? r.endpoints.filter(isSender) : r.endpoints;
    if (picked.length === 0) {
      ok = false;
      fail([key], 'selector', `${selectorText(v)} selects no instance or external host to send from`);
    }
    return picked;
  };
  const from = side('from');
  const to = side('to');
  const rawPort = raw['port'];
  const rawProto = raw['proto'];
  let proto: IntentProto = rawPort !== undefined ? 'tcp' : 'any';
  if (rawProto !== undefined) {
    if (typeof rawProto === 'string' && (PROTOS as readonly string[]).includes(rawProto.toLowerCase())) proto = rawProto.toLowerCase() as IntentProto;
    else {
      ok = false;
      fail(['proto'], 'enum', `expected one of ${PROTOS.join(', ')}, got ${describeValue(rawProto)}${typeof rawProto === 'string' ? suggestion(rawProto.slice(0, 64), PROTOS) : ''}`);
    }
  }
  let ports: Flow['ports'] = null;
  if (rawPort !== undefined) {
    const r = portRange(rawPort);
    if (!r) {
      ok = false;
      fail(['port'], 'port', `expected a port 1-65535 or a range such as "1-1024", got ${describeValue(rawPort)}`);
    } else if (proto === 'icmp') {
      ok = false;
      fail(['port'], 'port-protocol', 'a port applies to tcp and udp; icmp intents are about echo requests');
    } else ports = r;
  }
  if (!ok) return undefined;
  return { from, to, fromText: raw['from'] === undefined ? '*' : selectorText(raw['from']), toText: raw['to'] === undefined ? '*' : selectorText(raw['to']), proto, ports };
}

function unknownKeys(raw: Record<string, unknown>, keys: readonly string[], fail: Fail): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) fail([key], 'unknown-key', `unknown key ${describeValue(key)}${suggestion(key.slice(0, 64), keys)} (expected one of: ${keys.join(', ')})`);
  }
}

/** The `intents` list of a tests file; paths start at `intents`. */
export function checkIntents(cloud: Cloud, value: unknown): IntentsResult {
  const issues: Issue[] = [];
  const error = (path: Path, code: string, message: string) => { issues.push({ severity: 'error', code, path, message }); };
  if (!Array.isArray(value)) {
    error(['intents'], 'type', `expected a list of intents such as [{ name: db-isolated, from: internet, to: 'db-*', expect: isolated }], got ${describeValue(value)}`);
    return { ok: false, issues };
  }
  const intents: Intent[] = [];
  const names = new Set<string>();
  value.forEach((raw, i) => {
    const at: Path = ['intents', i];
    const fail: Fail = (path, code, message) => error([...at, ...path], code, message);
    if (!isMap(raw)) {
      fail([], 'type', `expected an intent such as { name: db-isolated, from: internet, to: 'db-*', expect: isolated }, got ${describeValue(raw)}`);
      return;
    }
    unknownKeys(raw, INTENT_KEYS, fail);
    const rawName = raw['name'];
    let name = '';
    if (typeof rawName !== 'string' || rawName === '' || rawName.length > 256) fail(['name'], rawName === undefined ? 'missing-key' : 'type', `expected the intent's name (text of 1-256 characters), got ${describeValue(rawName)}`);
    else if (names.has(rawName)) fail(['name'], 'duplicate', `another intent is named "${rawName}"`);
    else { name = rawName; names.add(rawName); }
    const rawExpect = raw['expect'];
    const rawExact = raw['exact'];
    if (rawExact !== undefined) {
      if (rawExpect !== undefined) fail(['expect'], 'conflict', 'an exact intent lists the flows that must be delivered; it takes no expect');
      if (raw['port'] !== undefined || raw['proto'] !== undefined) fail([raw['port'] !== undefined ? 'port' : 'proto'], 'conflict', "an exact intent's scope is its from and to; give proto and port in its flows");
      const scope = checkFlow(cloud, { from: raw['from'], to: raw['to'] }, fail, false);
      if (!Array.isArray(rawExact)) {
        fail(['exact'], 'type', `expected a list of the flows that must be delivered, such as [{ from: internet, to: web-lb, port: 443 }], got ${describeValue(rawExact)}`);
        return;
      }
      const allowed: Flow[] = [];
      rawExact.forEach((f, j) => {
        const failAt: Fail = (path, code, message) => fail(['exact', j, ...path], code, message);
        if (!isMap(f)) { failAt([], 'type', `expected a flow such as { from: internet, to: web-lb, port: 443 }, got ${describeValue(f)}`); return; }
        unknownKeys(f, FLOW_KEYS, failAt);
        const flow = checkFlow(cloud, f, failAt, true);
        if (flow) allowed.push(flow);
      });
      if (scope && allowed.length === rawExact.length && name) intents.push({ name, kind: 'exact', scope, allowed });
      return;
    }
    let kind: 'reachable' | 'isolated' | undefined;
    if (rawExpect === undefined) fail([], 'missing-key', 'missing key "expect": reachable or isolated (or exact: a list of flows)');
    else if (typeof rawExpect === 'string' && (EXPECTATIONS as readonly string[]).includes(rawExpect)) kind = rawExpect === 'reachable' || rawExpect === 'allow' ? 'reachable' : 'isolated';
    else fail(['expect'], 'enum', `expected one of ${EXPECTATIONS.join(', ')}, got ${describeValue(rawExpect)}${typeof rawExpect === 'string' ? suggestion(rawExpect.slice(0, 64), EXPECTATIONS) : ''}`);
    const flow = checkFlow(cloud, raw, fail, true);
    if (flow && kind === 'reachable' && flow.proto === 'any' && flow.ports !== null) {
      fail(['proto'], 'port-protocol', 'a reachable intent with a port needs proto tcp or udp');
      return;
    }
    if (flow && kind && name) intents.push({ name, kind, flow });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, intents };
}

/** The intents of a tests file's text (none when it has no `intents` key), each issue placed at its line and column. */
export function parseIntents(text: string, cloud: Cloud, file?: string): IntentsResult {
  const read = readSource(text, file);
  if (!read.ok) return { ok: false, issues: read.issues };
  const value = read.source.value;
  if (!isMap(value) || value['intents'] === undefined) return { ok: true, intents: [] };
  const r = checkIntents(cloud, value['intents']);
  if (r.ok) return r;
  const placed = r.issues.map((i) => ({ ...i, ...(file !== undefined ? { file } : {}), ...(read.source.locate(i.path, i.code === 'unknown-key') ?? {}) }));
  return { ok: false, issues: placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)) };
}
