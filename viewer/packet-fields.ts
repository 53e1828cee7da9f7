/**
 * The one place the viewer reads header fields out of trace events, for the packet view (as
 * Packet Tracer's PDU view: Ethernet, ARP or IP, then ICMP/TCP/UDP). An event that carries the
 * structured packet (`headers`) is read field by field (headerLayers); an event without it (an
 * older trace) falls back to its one-line summary, with the MACs and TTL from neighbouring
 * events of the same frame. A field nothing tells is '—', never a guess.
 */
import type { IpHeader, L4Header, PacketHeaders } from '../src/trace/events.js';
import type { TraceEvent } from './types.js';

export interface Field {
  readonly name: string;
  readonly value: string;
}

export interface Layer {
  readonly name: 'Ethernet' | 'ARP' | 'IPv4' | 'IPv6' | 'TCP' | 'UDP' | 'ICMP' | 'ICMPv6';
  readonly fields: readonly Field[];
}

export interface PacketView {
  /** The headers as the stage left them. */
  readonly layers: readonly Layer[];
  /** For a rewrite (NAT, LB): the headers as they came in; null otherwise. */
  readonly before: readonly Layer[] | null;
}

const UNKNOWN = '—';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const f = (name: string, value: string | number | undefined): Field => ({ name, value: value === undefined ? UNKNOWN : String(value) });
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);

/** `[2001:db8::1]` → `2001:db8::1`. */
const bare = (a: string): string => a.replace(/^\[(.*)\]$/, '$1');

/** IP, ARP and transport layers from a packet summary (src/packet/summary.ts); [] for text it does not know. */
export function summaryLayers(summary: string, ttl?: number): Layer[] {
  let m = /^ARP who-has (\S+) tell (\S+)$/.exec(summary);
  if (m) return [{ name: 'ARP', fields: [f('operation', 'request (1)'), f('sender IP', m[2]), f('target IP', m[1]), f('target MAC', '00:00:00:00:00:00')] }];
  m = /^ARP (\S+) is-at (\S+)$/.exec(summary);
  if (m) return [{ name: 'ARP', fields: [f('operation', 'reply (2)'), f('sender IP', m[1]), f('sender MAC', m[2])] }];
  m = /^(\[[^\]]+\]|[\d.]+):(\d+) → (\[[^\]]+\]|[\d.]+):(\d+) (TCP|UDP)(?: (\S+))?$/.exec(summary);
  if (m) {
    const v6 = m[1]!.startsWith('[');
    const ip: Layer = { name: v6 ? 'IPv6' : 'IPv4', fields: [f('source', bare(m[1]!)), f('destination', bare(m[3]!)), f(v6 ? 'hop limit' : 'TTL', ttl), f(v6 ? 'next header' : 'protocol', m[5] === 'TCP' ? 'TCP (6)' : 'UDP (17)')] };
    const l4: Layer = m[5] === 'TCP'
      ? { name: 'TCP', fields: [f('source port', m[2]), f('destination port', m[4]), f('flags', m[6])] }
      : { name: 'UDP', fields: [f('source port', m[2]), f('destination port', m[4])] };
    return [ip, l4];
  }
  m = /^(\S+) → (\S+) (ICMPv6|ICMP) (.*)$/.exec(summary);
  if (m) {
    const v6 = m[3] === 'ICMPv6';
    const ip: Layer = { name: v6 ? 'IPv6' : 'IPv4', fields: [f('source', m[1]), f('destination', m[2]), f(v6 ? 'hop limit' : 'TTL', ttl), f(v6 ? 'next header' : 'protocol', v6 ? 'ICMPv6 (58)' : 'ICMP (1)')] };
    return [ip, { name: v6 ? 'ICMPv6' : 'ICMP', fields: icmpFields(m[4]!, v6) }];
  }
  return [];
}

function icmpFields(text: string, v6: boolean): Field[] {
  const echo = /^echo (request|reply) id=(\d+) seq=(\d+)$/.exec(text);
  if (echo) {
    const type = echo[1] === 'request' ? (v6 ? 128 : 8) : (v6 ? 129 : 0);
    return [f('type', `${type} (echo ${echo[1]})`), f('code', 0), f('id', echo[2]), f('seq', echo[3])];
  }
  const quoted = /^(.*?) \(for (.*)\)$/.exec(text);
  const head = quoted ? quoted[1]! : text;
  const out: Field[] = [];
  if (head === 'time exceeded') out.push(f('type', `${v6 ? 3 : 11} (time exceeded)`), f('code', 0));
  else if (/ unreachable$/.test(head)) out.push(f('type', `${v6 ? 1 : 3} (destination unreachable)`), f('code', head.replace(/ unreachable$/, '')));
  else out.push(f('message', head));
  if (quoted) out.push(f('quoting', quoted[2]));
  return out;
}

/** Stages that put a frame on a wire with new Ethernet addresses. */
const NEW_FRAME = new Set(['host.send', 'host.reply', 'router.forward']);

/** The Ethernet header of event i's frame: read from the events of the same frame around it. */
function ethernet(events: readonly TraceEvent[], i: number): Layer {
  const e = events[i]!;
  let src: string | undefined;
  let dst: string | undefined;
  const arp = /^ARP (?:who-has|(\S+) is-at (\S+))/.exec(e.packet);
  if (arp && arp[2] === undefined) dst = BROADCAST;
  if (arp?.[2] !== undefined) src = arp[2];
  let a = i;
  while (a > 0 && !NEW_FRAME.has(events[a]!.stage)) a--;
  let b = i + 1;
  while (b < events.length && !NEW_FRAME.has(events[b]!.stage)) b++;
  // A rewrite inside a node (NAT) changes the packet, not the frame it came in: the same frame
  // reads as the text before the rewrite too.
  const same = new Set([e.packet]);
  for (let k = b - 1; k >= a; k--) {
    const before = str(events[k]!.detail['before']);
    if (same.has(events[k]!.packet) && before !== undefined) same.add(before);
  }
  for (let k = a; k < b; k++) {
    const x = events[k]!;
    if (!same.has(x.packet)) continue;
    const d = x.detail;
    if (x.stage === 'router.forward') src ??= str(d['srcMac']);
    else if (x.stage === 'switch.learn') src ??= str(d['mac']);
    else if (x.stage === 'switch.forward') dst ??= str(d['mac']);
    else if (x.stage === 'arp' && (x.action === 'release' || x.action === 'cache-hit')) dst ??= str(d['mac']);
  }
  // A host's frame: its source is the sender's own MAC, which the probe's ARP told (an
  // `is-at` answer, or the switch learning the sender of a `who-has`).
  if (src === undefined && (events[a]!.stage === 'host.send' || events[a]!.stage === 'host.reply')) {
    const head = e.packet.split(' → ')[0]!;
    const ip = head.startsWith('[') ? head.slice(1, head.indexOf(']')) : / ICMP/.test(e.packet) ? head : head.replace(/:\d+$/, '');
    src = macOf(events, ip);
  }
  return { name: 'Ethernet', fields: [f('source MAC', src), f('destination MAC', dst), f('type', arp ? 'ARP (0x0806)' : e.packet.includes('[') || e.packet.includes('ICMPv6') ? 'IPv6 (0x86dd)' : 'IPv4 (0x0800)')] };
}

/** The MAC an address has in the probe's ARP exchanges, if any told it. */
function macOf(events: readonly TraceEvent[], ip: string): string | undefined {
  for (const x of events) {
    const reply = /^ARP (\S+) is-at (\S+)$/.exec(x.packet);
    if (reply && reply[1] === ip) return reply[2];
    const request = /^ARP who-has \S+ tell (\S+)$/.exec(x.packet);
    if (request && request[1] === ip && x.stage === 'switch.learn') {
      const mac = str(x.detail['mac']);
      if (mac !== undefined) return mac;
    }
  }
  return undefined;
}

/** The TTL (hop limit) of event i's packet: after the last decrement, else before the next one. */
function ttlOf(events: readonly TraceEvent[], i: number): number | undefined {
  const e = events[i]!;
  if (e.stage === 'router.ttl') return num(e.detail['after']);
  for (let k = i - 1; k >= 0; k--) {
    const x = events[k]!;
    if (x.stage === 'router.ttl' && x.packet === e.packet) return num(x.detail['after']);
  }
  for (let k = i + 1; k < events.length; k++) {
    const x = events[k]!;
    if (x.stage === 'router.ttl' && x.packet === e.packet) return num(x.detail['before']);
  }
  return undefined;
}

const FLAG_NAMES: readonly [number, string][] = [[2, 'SYN'], [1, 'FIN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK']];
/** TCP flag bits as the summary writes them (`SYN-ACK`). */
const tcpFlags = (bits: number): string => FLAG_NAMES.filter(([bit]) => bits & bit).map(([, n]) => n).join('-') || 'none';
const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4 (0x0800)', 0x0806: 'ARP (0x0806)', 0x86dd: 'IPv6 (0x86dd)' };
const PROTOCOLS: Record<number, string> = { 1: 'ICMP (1)', 6: 'TCP (6)', 17: 'UDP (17)', 58: 'ICMPv6 (58)' };
const ICMP_NAMES: Record<string, string> = { '4:0': 'echo reply', '4:3': 'destination unreachable', '4:8': 'echo request', '4:11': 'time exceeded', '6:1': 'destination unreachable', '6:3': 'time exceeded', '6:128': 'echo request', '6:129': 'echo reply', '6:135': 'neighbour solicitation', '6:136': 'neighbour advertisement' };

function ipLayer(ip: IpHeader): Layer {
  const six = ip.version === 6;
  return { name: six ? 'IPv6' : 'IPv4', fields: [f('source', ip.src), f('destination', ip.dst), six ? f('hop limit', ip.hopLimit) : f('TTL', ip.ttl), f(six ? 'next header' : 'protocol', PROTOCOLS[ip.proto] ?? ip.proto)] };
}

function l4Layer(l4: L4Header, version: 4 | 6): Layer {
  if (l4.proto === 'tcp') return { name: 'TCP', fields: [f('source port', l4.sport), f('destination port', l4.dport), f('flags', tcpFlags(l4.flags))] };
  if (l4.proto === 'udp') return { name: 'UDP', fields: [f('source port', l4.sport), f('destination port', l4.dport)] };
  const name = ICMP_NAMES[`${version}:${l4.type}`];
  const fields = [f('type', name ? `${l4.type} (${name})` : l4.type), f('code', l4.code)];
  if (l4.id !== undefined) fields.push(f('id', l4.id));
  if (l4.seq !== undefined) fields.push(f('seq', l4.seq));
  if (l4.target !== undefined) fields.push(f('target', l4.target));
  if (l4.lladdr !== undefined) fields.push(f('link-layer address', l4.lladdr));
  if (l4.quoted) fields.push(f('quoting', `${l4.quoted.ip.src} → ${l4.quoted.ip.dst} ${PROTOCOLS[l4.quoted.ip.proto] ?? l4.quoted.ip.proto}`));
  return { name: version === 6 ? 'ICMPv6' : 'ICMP', fields };
}

/** The layers an event's structured packet holds, Ethernet first when it has one. */
export function headerLayers(h: PacketHeaders): Layer[] {
  const out: Layer[] = [];
  if (h.eth) out.push({ name: 'Ethernet', fields: [f('source MAC', h.eth.src), f('destination MAC', h.eth.dst), f('type', ETHERTYPES[h.eth.type] ?? h.eth.type)] });
  if (h.arp) {
    const a = h.arp;
    out.push({ name: 'ARP', fields: [f('operation', a.op === 'request' ? 'request (1)' : 'reply (2)'), f('sender MAC', a.senderMac), f('sender IP', a.senderIp), f('target MAC', a.targetMac), f('target IP', a.targetIp)] });
  }
  if (h.ip) out.push(ipLayer(h.ip));
  if (h.ip && h.l4) out.push(l4Layer(h.l4, h.ip.version));
  return out;
}

/** The packet view of event i of one probe's events (in seq order). */
export function packetView(events: readonly TraceEvent[], i: number): PacketView {
  const e = events[i]!;
  const ttl = ttlOf(events, i);
  const h = e.headers;
  // The structured packet when the event has it; a packet without its frame takes the Ethernet
  // header the neighbouring events tell.
  const layers = h ? (h.eth ? headerLayers(h) : [ethernet(events, i), ...headerLayers(h)]) : [ethernet(events, i), ...summaryLayers(e.packet, ttl)];
  const original = str(e.detail['before']);
  const before = original !== undefined && original !== e.packet ? [ethernet(events, i), ...summaryLayers(original, ttl)] : null;
  return { layers, before };
}

/** The decision of a stage, in words: its reason, why, or the rule that matched. */
export function decisionOf(e: TraceEvent): string | undefined {
  const d = e.detail;
  const rule = str(d['group']) !== undefined && d['rule'] !== undefined ? `rule ${String(d['rule'])} of group ${str(d['group'])}: ${str(d['text']) ?? ''}`.trim() : undefined;
  return str(d['reason']) ?? str(d['why']) ?? rule ?? str(d['route']);
}
