/**
 * The probes file of `vnet audit --probes`: a list of the traffic the cloud is meant to carry,
 *
 *     probes:
 *       - { from: web-1, to: db-1, proto: tcp, port: 5432 }
 *       - { from: client, to: web-lb, port: 80 }        # proto tcp when a port is given
 *       - { from: web-1, to: db-1 }                     # icmp echo
 *       - { from: web-1, to: web-2, port: 80, spoof: 10.0.0.99 }  # from an address not web-1's
 *
 * read like a topology (YAML or JSON, source.ts) and checked by hand: every problem is an Issue
 * with its path, line and column, all reported at once. Names resolve as `vnet trace` resolves
 * --from and --to (engine/endpoints.ts). Pure: the caller reads the file.
 */
import { parseIp } from '../address/ip.js';
import { resolveDestination, resolveSource } from '../engine/endpoints.js';
import { toIpValue } from '../packet/ip-value.js';
import type { ProbeSpec } from '../engine/simulator.js';
import { suggestion } from '../topology/did-you-mean.js';
import { describeValue, type Issue, type Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { readSource } from '../topology/source.js';

export interface Probe {
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  /** Destination port (tcp, udp); 0 for icmp. */
  readonly port: number;
  readonly ipv6: boolean;
  /** A source address that is not the sender's (a port-security test; tcp and udp), or null. */
  readonly spoof: string | null;
  /** What the simulator runs. */
  readonly spec: ProbeSpec;
}

export type ProbesResult = { ok: true; probes: Probe[] } | { ok: false; issues: Issue[] };

const PROBE_KEYS = ['from', 'to', 'proto', 'port', 'ipv6', 'spoof'];
const PROTOS = ['tcp', 'udp', 'icmp'];

type Draft = Omit<Probe, 'spec'>;

export function parseProbes(text: string, cloud: Cloud, file?: string): ProbesResult {
  const read = readSource(text, file);
  if (!read.ok) return { ok: false, issues: read.issues };
  const issues: Issue[] = [];
  const error = (path: Path, code: string, message: string) => issues.push({ severity: 'error', code, path, message });
  const drafts = checkProbes(read.source.value, error);
  const probes: Probe[] = [];
  {
    drafts.forEach((d, i) => {
      if (!d) return;
      const src = resolveSource(cloud, d.from);
      if (!src.ok) error(['probes', i, 'from'], 'unknown-source', src.message.replace(/^--from /, ''));
      const dst = resolveDestination(cloud, d.to, d.ipv6 ? 6 : undefined);
      if (!dst.ok) error(['probes', i, 'to'], 'unknown-destination', dst.message.replace(/^--to /, ''));
      if (!src.ok || !dst.ok) return;
      if (src.value.ip !== undefined && typeof src.value.ip !== typeof dst.value) {
        error(['probes', i], 'probe-family', `from ${d.from} is an IPv${typeof src.value.ip === 'number' ? 4 : 6} address but to ${d.to} is IPv${typeof dst.value === 'number' ? 4 : 6}`);
        return;
      }
      const spoofed = d.spoof === null ? undefined : parseIp(d.spoof);
      if (spoofed && (spoofed.version === 4) !== (typeof dst.value === 'number')) {
        error(['probes', i, 'spoof'], 'probe-family', `spoof ${d.spoof} is IPv${spoofed.version} but to ${d.to} is IPv${typeof dst.value === 'number' ? 4 : 6}`);
        return;
      }
      const source = spoofed ? toIpValue(spoofed) : src.value.ip;
      const spec: ProbeSpec = { from: src.value.node, to: dst.value, proto: d.proto, port: d.port, ...(source !== undefined ? { src: source } : {}) };
      probes.push({ ...d, spec });
    });
  }
  if (issues.length > 0) {
    const placed = issues.map((i) => ({ ...i, ...(file !== undefined ? { file } : {}), ...(read.source.locate(i.path, i.code === 'unknown-key') ?? {}) }));
    return { ok: false, issues: placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)) };
  }
  return { ok: true, probes };
}

/** The shape: `probes:` a list of maps with from, to and optionally proto, port, ipv6. */
function checkProbes(value: unknown, error: (path: Path, code: string, message: string) => void): (Draft | undefined)[] {
  if (!isMap(value)) {
    error([], 'not-a-map', `expected a map with a "probes" list, got ${describeValue(value)}`);
    return [];
  }
  for (const key of Object.keys(value)) {
    if (key !== 'probes') error([key], 'unknown-key', `unknown key "${key}"${suggestion(key, ['probes'])} (expected: probes)`);
  }
  const list = value['probes'];
  if (list === undefined) {
    error([], 'missing-key', 'missing key "probes": a list such as [{ from: web-1, to: db-1, proto: tcp, port: 5432 }]');
    return [];
  }
  if (!Array.isArray(list)) {
    error(['probes'], 'type', `expected a list of probes, got ${describeValue(list)}`);
    return [];
  }
  return list.map((item: unknown, i) => checkProbe(item, ['probes', i], error));
}

function checkProbe(item: unknown, path: Path, error: (path: Path, code: string, message: string) => void): Draft | undefined {
  if (!isMap(item)) {
    error(path, 'type', `expected a probe such as { from: web-1, to: db-1, proto: tcp, port: 5432 }, got ${describeValue(item)}`);
    return undefined;
  }
  let ok = true;
  const fail = (p: Path, code: string, message: string) => { ok = false; error(p, code, message); };
  for (const key of Object.keys(item)) {
    if (!PROBE_KEYS.includes(key)) fail([...path, key], 'unknown-key', `unknown key "${key}"${suggestion(key, PROBE_KEYS)} (expected one of: ${PROBE_KEYS.join(', ')})`);
  }
  const name = (key: 'from' | 'to'): string => {
    const v = item[key];
    if (v === undefined) fail(path, 'missing-key', `missing key "${key}": ${key === 'from' ? 'an instance or external host' : 'an instance, external host, load balancer, floating IP or address'}`);
    else if (typeof v !== 'string' || v === '') fail([...path, key], 'type', `expected a name or an IP address, got ${describeValue(v)}`);
    return typeof v === 'string' ? v : '';
  };
  const from = name('from');
  const to = name('to');
  const rawPort = item['port'];
  const rawProto = item['proto'];
  let proto: Draft['proto'] = rawPort !== undefined ? 'tcp' : 'icmp';
  if (rawProto !== undefined) {
    const p = typeof rawProto === 'string' ? rawProto.toLowerCase() : undefined;
    if (p === undefined || !PROTOS.includes(p)) fail([...path, 'proto'], 'enum', `expected one of tcp, udp, icmp, got ${describeValue(rawProto)}${typeof rawProto === 'string' ? suggestion(rawProto, PROTOS) : ''}`);
    else proto = p as Draft['proto'];
  }
  let port = 0;
  if (proto === 'icmp') {
    if (rawPort !== undefined) fail([...path, 'port'], 'port-protocol', 'port applies to tcp and udp; icmp probes are echo requests');
  } else if (rawPort === undefined) {
    fail(path, 'missing-key', `missing key "port": a ${proto} probe needs a destination port (1-65535)`);
  } else if (typeof rawPort !== 'number' || !Number.isInteger(rawPort) || rawPort < 1 || rawPort > 65535) {
    fail([...path, 'port'], 'port', `expected a port number 1-65535, got ${describeValue(rawPort)}`);
  } else {
    port = rawPort;
  }
  const rawV6 = item['ipv6'];
  if (rawV6 !== undefined && typeof rawV6 !== 'boolean') fail([...path, 'ipv6'], 'type', `expected true or false, got ${describeValue(rawV6)}`);
  const rawSpoof = item['spoof'];
  let spoof: string | null = null;
  if (rawSpoof !== undefined) {
    if (typeof rawSpoof !== 'string' || parseIp(rawSpoof) === undefined) fail([...path, 'spoof'], 'ip', `expected an IP address to send from, got ${describeValue(rawSpoof)}`);
    else if (proto === 'icmp') fail([...path, 'spoof'], 'spoof-protocol', 'spoof applies to tcp and udp probes');
    else spoof = rawSpoof;
  }
  return ok ? { from, to, proto, port, ipv6: rawV6 === true, spoof } : undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
