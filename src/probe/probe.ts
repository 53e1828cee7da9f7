/**
 * One probe as a person writes it — `{ from, to, proto?, port?, ipv6?, spoof? }` in a probes
 * file, the flags of `vnet trace`, or a WebSocket `inject` — checked in one place (checkProbe)
 * and resolved against a cloud in one place (resolveProbe). Every problem is an Issue whose
 * path is relative to the probe (`['port']`) and whose message names no flag or file key: each
 * caller words it for its own place (`--port: …`, `probes[3].port: …`, `inject: port: …`). Pure.
 */
import { parseIp } from '../address/ip.js';
import { resolveDestination, resolveSource } from '../engine/endpoints.js';
import type { ProbeSpec } from '../engine/simulator.js';
import { fromIpValue, toIpValue } from '../packet/ip-value.js';
import { addressInSenderSpace, probeTarget } from './address-space.js';
import { suggestion } from '../topology/did-you-mean.js';
import { describeValue, type Issue, type Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';

export type ProbeProtocol = 'tcp' | 'udp' | 'icmp';
export const PROBE_PROTOCOLS: readonly ProbeProtocol[] = ['tcp', 'udp', 'icmp'];
/** Probes one run may ask for (`vnet trace --count`, an inject's `count`). */
export const MAX_PROBE_COUNT = 10_000;
/** The longest name or address taken: names are short, and this bounds what messages quote. */
export const MAX_ENDPOINT_LENGTH = 256;
/** The keys of a probe; `spoof` only where the caller allows it. */
export const PROBE_KEYS = ['from', 'to', 'proto', 'port', 'ipv6', 'spoof'] as const;

/** A checked probe, its endpoints still as written (names or addresses), defaults filled in. */
export interface NamedProbe {
  readonly from: string;
  readonly to: string;
  readonly proto: ProbeProtocol;
  /** Destination port (tcp, udp); 0 for icmp, whose probes are echo requests. */
  readonly port: number;
  /** Send to the destination's IPv6 address when `to` names something with both. */
  readonly ipv6: boolean;
  /** A source address that is not the sender's (tcp, udp: a port-security test), or null. */
  readonly spoof: string | null;
}

/** A named probe and what the simulator runs for it. */
export interface ResolvedProbe extends NamedProbe {
  readonly spec: ProbeSpec;
}

export interface CheckProbeOptions {
  /** Whether `spoof` is taken (probes files); elsewhere it is an unknown key. */
  readonly spoof?: boolean;
  /** Keys the caller checks itself (a message's `type`, `v`, `id`, `count`): not unknown here. */
  readonly otherKeys?: readonly string[];
  /** How a value the user gave is quoted in a message; the server passes its bounded preview. */
  readonly quote?: (value: unknown) => string;
}

export type ProbeCheck = { ok: true; probe: NamedProbe } | { ok: false; issues: Issue[] };
export type ProbeResolution = { ok: true; probe: ResolvedProbe } | { ok: false; issues: Issue[] };

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The shape and the rules across fields: from and to are names or addresses; proto is tcp
 * when a port is given and icmp otherwise; tcp and udp need a port 1-65535, icmp takes none;
 * spoof is an address, for tcp and udp. Every problem of the probe is reported, not the first.
 * A missing key's issue has the key's path (`['port']`, code `missing-key`).
 */
export function checkProbe(raw: unknown, options: CheckProbeOptions = {}): ProbeCheck {
  const quote = options.quote ?? describeValue;
  const issues: Issue[] = [];
  const fail = (path: Path, code: string, message: string) => { issues.push({ severity: 'error', code, path, message }); };
  if (!isMap(raw)) {
    fail([], 'type', `expected a probe such as { from: web-1, to: db-1, proto: tcp, port: 5432 }, got ${quote(raw)}`);
    return { ok: false, issues };
  }
  const keys: readonly string[] = options.spoof ? PROBE_KEYS : PROBE_KEYS.filter((k) => k !== 'spoof');
  // The caller's own keys are listed and suggested too: a tests file's `expext` is a typo of `expect`.
  const listed = [...keys, ...(options.otherKeys ?? [])];
  const known = new Set(listed);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) fail([key], 'unknown-key', `unknown key ${quote(key)}${suggestion(key.slice(0, 64), listed)} (expected one of: ${listed.join(', ')})`);
  }
  const endpoint = (key: 'from' | 'to'): string => {
    const v = raw[key];
    if (v === undefined) fail([key], 'missing-key', key === 'from' ? 'expected the sender: an instance or external host (name or address)' : 'expected the destination: an instance, external host, load balancer, floating IP or address');
    else if (typeof v !== 'string' || v === '') fail([key], 'type', `expected a name or an IP address, got ${quote(v)}`);
    else if (v.length > MAX_ENDPOINT_LENGTH) fail([key], 'too-long', `expected a name or an IP address of at most ${MAX_ENDPOINT_LENGTH} characters, got ${v.length}`);
    return typeof v === 'string' ? v : '';
  };
  const from = endpoint('from');
  const to = endpoint('to');

  const rawPort = raw['port'];
  const rawProto = raw['proto'];
  let proto: ProbeProtocol = rawPort !== undefined ? 'tcp' : 'icmp';
  if (rawProto !== undefined) {
    const p = typeof rawProto === 'string' ? rawProto.toLowerCase() : undefined;
    if (p === undefined || !(PROBE_PROTOCOLS as readonly string[]).includes(p)) {
      fail(['proto'], 'enum', `expected one of tcp, udp, icmp, got ${quote(rawProto)}${typeof rawProto === 'string' ? suggestion(rawProto.slice(0, 64), PROBE_PROTOCOLS) : ''}`);
    } else proto = p as ProbeProtocol;
  }
  let port = 0;
  if (proto === 'icmp') {
    if (rawPort !== undefined) fail(['port'], 'port-protocol', 'a port applies to tcp and udp; icmp probes are echo requests');
  } else if (rawPort === undefined) {
    fail(['port'], 'missing-key', `a ${proto} probe needs a destination port (1-65535)`);
  } else if (typeof rawPort !== 'number' || !Number.isInteger(rawPort) || rawPort < 1 || rawPort > 65535) {
    fail(['port'], 'port', `expected a port number 1-65535, got ${quote(rawPort)}`);
  } else {
    port = rawPort;
  }

  const rawV6 = raw['ipv6'];
  if (rawV6 !== undefined && typeof rawV6 !== 'boolean') fail(['ipv6'], 'type', `expected true or false, got ${quote(rawV6)}`);
  let spoof: string | null = null;
  const rawSpoof = options.spoof ? raw['spoof'] : undefined;
  if (rawSpoof !== undefined) {
    if (typeof rawSpoof !== 'string' || parseIp(rawSpoof) === undefined) fail(['spoof'], 'ip', `expected an IP address to send from, got ${quote(rawSpoof)}`);
    else if (proto === 'icmp') fail(['spoof'], 'spoof-protocol', 'spoof applies to tcp and udp probes');
    else spoof = rawSpoof;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, probe: { from, to, proto, port, ipv6: rawV6 === true, spoof } };
}

const family = (v: number | bigint): string => (typeof v === 'number' ? 'IPv4' : 'IPv6');

/** The instances that hold an address, as "a-vm1 (project alpha)". */
function holdersOf(cloud: Cloud, ip: number | bigint): string[] {
  const out = new Set<string>();
  for (const p of cloud.ports.values()) {
    if (p.owner.kind === 'instance' && p.fixedIps.some((f) => toIpValue(f.address.ip) === ip)) out.add(`${p.owner.name} (project ${p.project})`);
  }
  return [...out];
}

/**
 * Names → what the simulator runs: the sender's node (and its address, when an address named
 * it), the destination address, a spoofed source. The messages of `unknown-source`,
 * `unknown-destination` and `destination-family` are about the name alone (engine/endpoints.ts);
 * the sender and the destination must be of one family.
 */
export function resolveProbe(cloud: Cloud, probe: NamedProbe): ProbeResolution {
  const issues: Issue[] = [];
  const fail = (path: Path, code: string, message: string) => { issues.push({ severity: 'error', code, path, message }); };
  const src = resolveSource(cloud, probe.from);
  if (!src.ok) fail(['from'], src.code, src.message);
  else if (src.value.ip !== undefined) {
    // Projects may overlap: an address alone does not say which instance sends.
    const holders = holdersOf(cloud, src.value.ip);
    if (holders.length > 1) fail(['from'], 'ambiguous-source', `${probe.from} is an address of ${holders.join(' and ')}, in different address spaces: name the sender instead`);
  }
  const dst = resolveDestination(cloud, probe.to, probe.ipv6 ? 6 : undefined);
  if (!dst.ok) fail(['to'], dst.code, dst.message);
  if (!src.ok || !dst.ok || issues.length > 0) return { ok: false, issues };
  if (src.value.ip !== undefined && typeof src.value.ip !== typeof dst.value) {
    fail([], 'probe-family', `the sender's address ${probe.from} is ${family(src.value.ip)} but the destination ${probe.to} is ${family(dst.value)}`);
    return { ok: false, issues };
  }
  const spoofed = probe.spoof === null ? undefined : parseIp(probe.spoof);
  if (spoofed && (spoofed.version === 4) !== (typeof dst.value === 'number')) {
    fail(['spoof'], 'probe-family', `the spoofed source ${probe.spoof} is IPv${spoofed.version} but the destination ${probe.to} is ${family(dst.value)}`);
    return { ok: false, issues };
  }
  const source = spoofed ? toIpValue(spoofed) : src.value.ip;
  // A named destination: its address as the sender's address space knows it, and the node that
  // must take the packet for the verdict to be delivered or refused.
  let to = dst.value;
  let target;
  if (parseIp(probe.to) === undefined) {
    if (cloud.instances.has(probe.to)) to = toIpValue(addressInSenderSpace(cloud, src.value.name, probe.to, fromIpValue(to)));
    target = probeTarget(cloud, src.value.name, probe.to, fromIpValue(to));
  }
  const spec: ProbeSpec = { from: src.value.node, to, proto: probe.proto, port: probe.port, ...(source !== undefined ? { src: source } : {}), ...(target ? { target } : {}) };
  return { ok: true, probe: { ...probe, spec } };
}
