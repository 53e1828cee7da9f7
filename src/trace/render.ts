/**
 * One trace stream, rendered for people: a packet tracer's event list, one line an event
 * (time, node, port, stage, action, packet, the detail that explains it), then the verdict and
 * why. As ovn-trace's levels: `minimal` keeps only the decisions and rewrites the probe's packets
 * meet (routes, filters, NAT, the balancer's choice, delivery), `summary` one line per hop; the
 * golden tests pin every event in one short line (node, stage, action, packet), which changes
 * least when details are reworded.
 */
import type { Style } from '../util/style.js';
import type { TraceEvent } from './events.js';
import type { Verdict } from './verdict.js';

export type TraceLevel = 'detailed' | 'minimal' | 'summary';

/** What a summary leaves out: neighbour resolution, MAC learning, copies a node ignored. */
const BACKGROUND_STAGES = new Set(['arp', 'nd', 'switch.learn']);
/** ARP and neighbour discovery frames (packet/summary.ts), which switches flood and forward too. */
const NEIGHBOUR_PACKET = /^(ARP |ICMPv6 (neighbor|router) )/;

/**
 * One line per hop (`--level summary`): the node, the direction (→ forward, ← reply) and the
 * decisions it took in order, a firewall's rule where one allowed. Neighbour resolution, MAC
 * learning and bystanders that ignored a flooded frame are left out.
 */
export function renderSummary(events: readonly TraceEvent[]): string[] {
  const hops: { node: string; dir: string; items: string[] }[] = [];
  for (const e of events) {
    if (BACKGROUND_STAGES.has(e.stage) || e.action === 'ignore' || NEIGHBOUR_PACKET.test(e.packet)) continue;
    const dir = e.direction === 'reply' ? '←' : '→';
    const rule = typeof e.detail['group'] === 'string' ? ` (${String(e.detail['group'])} #${String(e.detail['rule'])})` : '';
    const item = `${e.stage} ${e.action}${rule}`;
    const last = hops[hops.length - 1];
    if (last && last.node === e.node && last.dir === dir) last.items.push(item);
    else hops.push({ node: e.node, dir, items: [item] });
  }
  const width = Math.max(0, ...hops.map((h) => shortNode(h.node).length));
  return hops.map((h) => `${h.dir} ${shortNode(h.node).padEnd(width)}  ${h.items.join(', ')}`);
}

/** Stages that only carry a packet along (switching, a router taking and sending a frame, the TTL). */
const CARRYING: Readonly<Record<string, string>> = {
  'switch.learn': 'learned moved', 'switch.forward': 'forward', 'switch.flood': 'flood',
  'router.receive': 'accept', 'router.forward': 'send', 'router.ttl': 'decrement',
};

/**
 * Whether an event is a decision or a rewrite the probe's packets meet (`--level minimal`): not
 * neighbour resolution (unless it failed), not a bystander ignoring a flooded copy, not a stage
 * that only carries the packet on.
 */
export function isDecision(e: TraceEvent): boolean {
  if (e.action === 'ignore' || e.direction === 'control' || NEIGHBOUR_PACKET.test(e.packet)) return false;
  if (e.stage === 'arp' || e.stage === 'nd') return e.action === 'failed';
  return !(CARRYING[e.stage]?.split(' ').includes(e.action) ?? false);
}

/** Every event in one short line, `node stage action: packet`: the form golden traces pin. */
export const renderEventLines = (events: readonly TraceEvent[]): string[] => events.map((e) => `${shortNode(e.node)} ${e.stage} ${e.action}: ${e.packet}`);

/** `instance:web-1` → `web-1`; the kind shows in the stage column already. */
export const shortNode = (id: string): string => id.replace(/^(instance|network|router|external|host|lb):/, '');

function shortPort(e: TraceEvent): string {
  if (e.port === null) return '';
  const [owner, name] = e.port.split('/');
  return owner !== undefined && name !== undefined && shortNode(e.node) === owner ? name : e.port;
}

function detailText(e: TraceEvent): string {
  return Object.entries(e.detail)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

export function renderEvents(events: readonly TraceEvent[], style: Style, level: TraceLevel = 'detailed'): string[] {
  if (level === 'minimal') return renderEventLines(events.filter(isDecision));
  if (level === 'summary') return renderSummary(events);
  // Times in ms since the probe's first event: the virtual clock itself has run on before it
  // (health checks settle first, earlier probes took their time); JSON keeps the absolute µs.
  const start = events[0]?.t ?? 0;
  const rows = events.map((e) => [
    ((e.t - start) / 1000).toFixed(3),
    shortNode(e.node),
    shortPort(e),
    e.stage,
    e.action,
    e.packet,
    detailText(e),
    e.direction,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['ms', 'node', 'port', 'stage', 'action'][i]!.length));
  const pad = (s: string, i: number, right = false) => (right ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const header = style.bold(`${pad('ms', 0, true)}  ${pad('node', 1)}  ${pad('port', 2)}  ${pad('stage', 3)}  ${pad('action', 4)}  packet`);
  return [header, ...rows.map((r) => {
    const action = colourAction(r[4]!, style);
    const line = `${pad(r[0]!, 0, true)}  ${pad(r[1]!, 1)}  ${pad(r[2]!, 2)}  ${pad(r[3]!, 3)}  ${action}${' '.repeat(widths[4]! - r[4]!.length)}  ${r[7] === 'reply' ? style.cyan(r[5]!) : r[5]!}`;
    return r[6] ? `${line}  ${style.dim(r[6])}` : line;
  })];
}

function colourAction(action: string, style: Style): string {
  if (/^(drop|no-route|expired|failed|refuse|deny)/.test(action)) return style.red(action);
  if (/^(accept|answer|allow)/.test(action)) return style.green(action);
  if (action === 'ignore' || action === 'filter') return style.dim(action);
  return action;
}

export function renderVerdict(v: Verdict, style: Style): string[] {
  const colour = v.verdict === 'delivered' ? style.green : v.verdict === 'refused' ? style.yellow : style.red;
  // A dropped packet can only have been answered when its blockers were lifted (--explain all).
  const reply = v.reply ? (v.verdict === 'dropped' ? ', reply received once the blockers are lifted' : ', reply received') : ', no reply';
  const lines = [`${style.bold('verdict:')} ${colour(v.verdict)}${reply} — ${v.reason}`];
  if (v.blockers.length > 1) {
    lines.push(style.bold(`blockers (${v.blockers.length}, each lifted in turn to find the next):`));
    v.blockers.forEach((b, i) => lines.push(`  ${i + 1}. ${shortNode(b.node)} ${b.stage}: ${b.reason}`));
  } else if (v.drop) lines.push(`${style.bold('stopped at:')} ${shortNode(v.drop.node)} (${v.drop.stage})`);
  lines.push(`${style.bold('path:')} ${v.path.map(shortNode).join(' → ')}`);
  if (v.nat.length) lines.push(`${style.bold('nat:')} ${v.nat.map((n) => `${shortNode(n.node)} ${n.kind} ${n.from} ⇒ ${n.to}`).join('; ')}`);
  if (v.lb) lines.push(`${style.bold('load balancer:')} ${shortNode(v.lb.node)} chose ${v.lb.member} (${v.lb.algorithm})`);
  if (v.verdict === 'misdelivered' && v.landed) lines.push(`${style.bold('landed at:')} ${shortNode(v.landed.node)}${v.landed.port ? ` (port ${v.landed.port})` : ' (over loopback)'}`);
  if (v.observed) lines.push(`${style.bold('observed at destination:')} ${v.observed.src} → ${v.observed.dst}`);
  return lines;
}

/** The JSON contract of docs/trace-json.md: the verdict object, events included. */
export function verdictJson(v: Verdict): Record<string, unknown> {
  return { verdict: v.verdict, reply: v.reply, path: v.path, drop: v.drop, blockers: v.blockers, nat: v.nat, lb: v.lb, observed: v.observed, landed: v.landed, reason: v.reason, events: v.events };
}
