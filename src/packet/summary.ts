/**
 * One-line human summaries of frames, as a packet tracer prints them:
 * `10.0.0.11:40001 → 10.0.1.21:5432 TCP SYN`, `ARP who-has 10.0.0.1 tell 10.0.0.11`.
 */
import { formatMac } from '../address/mac.js';
import { formatIpValue } from './ip-value.js';
import { ICMP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Arp, type Frame, type IpPacket } from './frame.js';

/**
 * Frames and packets are immutable values, so a summary computed once stands for every stage
 * that traces the same value. The last few are remembered in a small ring (the stages of one
 * hop trace the same packet one after another); a WeakMap over every packet cost the
 * collector more than the summaries it saved.
 */
const RECENT = 8;
const recentValues: (object | undefined)[] = new Array<object | undefined>(RECENT).fill(undefined);
const recentTexts: string[] = new Array<string>(RECENT).fill('');
let recentNext = 0;

function remembered(value: object): string | undefined {
  for (let i = 0; i < RECENT; i++) if (recentValues[i] === value) return recentTexts[i];
  return undefined;
}

function remember(value: object, text: string): string {
  recentValues[recentNext] = value;
  recentTexts[recentNext] = text;
  recentNext = (recentNext + 1) % RECENT;
  return text;
}

export function summarizeFrame(f: Frame): string {
  // An IP frame reads as its packet (several frames carry one packet).
  if (f.payload.kind === 'ip') return summarizePacket(f.payload);
  return remembered(f) ?? remember(f, summarizeArp(f.payload));
}

export function summarizeArp(a: Arp): string {
  const tpa = formatIpValue(a.targetIp);
  const spa = formatIpValue(a.senderIp);
  return a.op === 'request' ? `ARP who-has ${tpa} tell ${spa}` : `ARP ${spa} is-at ${formatMac(a.senderMac)}`;
}

const FLAG_NAMES: readonly [number, string][] = [[TCP_SYN, 'SYN'], [TCP_FIN, 'FIN'], [TCP_RST, 'RST'], [TCP_PSH, 'PSH'], [TCP_ACK, 'ACK']];
/** The text of every combination of the five flags, indexed by their bits. */
const FLAG_TEXT: readonly string[] = Array.from({ length: 32 }, (_, f) => FLAG_NAMES.filter(([bit]) => f & bit).map(([, n]) => n).join('-') || 'none');

export function tcpFlags(flags: number): string {
  return FLAG_TEXT[flags & 31]!;
}

export function summarizePacket(p: IpPacket): string {
  return remembered(p) ?? remember(p, describePacket(p));
}

/**
 * `derived` reads exactly as `original` (a copy that changed only the TTL, which summaries do
 * not show): it takes the original's summary instead of building an equal string.
 */
export function summarizeAs(derived: IpPacket, original: IpPacket): void {
  const text = remembered(original);
  if (text !== undefined) remember(derived, text);
}

function describePacket(p: IpPacket): string {
  const src = formatIpValue(p.src);
  const dst = formatIpValue(p.dst);
  const l4 = p.l4;
  const host = (a: string) => (p.version === 6 ? `[${a}]` : a);
  if (l4.proto === 'tcp') return `${host(src)}:${l4.sport} → ${host(dst)}:${l4.dport} TCP ${tcpFlags(l4.flags)}`;
  if (l4.proto === 'udp') return `${host(src)}:${l4.sport} → ${host(dst)}:${l4.dport} UDP`;
  return `${src} → ${dst} ${icmpText(p)}`;
}

function icmpText(p: IpPacket): string {
  const l4 = p.l4;
  if (l4.proto !== 'icmp') return '';
  const name = p.version === 4 ? 'ICMP' : 'ICMPv6';
  const t = p.version === 4 ? ICMP.v4 : ICMP.v6;
  const quoted = l4.quoted ? ` (for ${summarizePacket(l4.quoted)})` : '';
  if (l4.type === t.echoRequest) return `${name} echo request id=${l4.id ?? 0} seq=${l4.seq ?? 0}`;
  if (l4.type === t.echoReply) return `${name} echo reply id=${l4.id ?? 0} seq=${l4.seq ?? 0}`;
  if (l4.type === t.timeExceeded) return `${name} time exceeded${quoted}`;
  if (l4.type === t.unreachable) return `${name} ${unreachableName(p.version, l4.code)} unreachable${quoted}`;
  if (p.version === 6 && l4.type === ICMP.v6.ns) return `ICMPv6 neighbor solicitation who-has ${formatIpValue(l4.target ?? 0n)}`;
  if (p.version === 6 && l4.type === ICMP.v6.na) return `ICMPv6 neighbor advertisement ${formatIpValue(l4.target ?? 0n)} is-at ${formatMac(l4.lladdr ?? 0)}`;
  return `${name} type ${l4.type} code ${l4.code}`;
}

function unreachableName(version: 4 | 6, code: number): string {
  if (version === 4) return code === 0 ? 'net' : code === 1 ? 'host' : code === 3 ? 'port' : code === 13 ? 'admin-prohibited' : `code-${code}`;
  return code === 0 ? 'no-route' : code === 1 ? 'admin-prohibited' : code === 3 ? 'address' : code === 4 ? 'port' : `code-${code}`;
}
