/**
 * The full view of one trace event for the side panel: the decision and its reason first, then
 * the packet as Packet Tracer's PDU view shows it (each layer's fields; for a rewrite such as
 * NAT, the headers before and after side by side, changed fields marked), then where and when
 * (in the page's one time unit, virtual ms since the probe's first frame) and every other field
 * of the event's `detail`.
 */
import { el } from './dom.js';
import { formatMs, shortNode } from './event-list.js';
import { decisionOf, packetView, type Layer } from './packet-fields.js';
import type { TraceEvent } from './types.js';

const valueText = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : JSON.stringify(v, null, 1));

/** Layers as one table: a header row per layer, then its fields; with `before`, two value columns. */
function layerTable(after: readonly Layer[], before: readonly Layer[] | null): HTMLElement {
  const rows: HTMLElement[] = [];
  for (const layer of after) {
    rows.push(el('tr', { class: 'layer' }, el('th', { colspan: before ? '3' : '2' }, layer.name)));
    const old = before?.find((l) => l.name === layer.name);
    for (const field of layer.fields) {
      const was = old?.fields.find((x) => x.name === field.name)?.value;
      const changed = before !== null && was !== undefined && was !== field.value;
      rows.push(el('tr', { 'data-field': `${layer.name}.${field.name}`, class: changed ? 'changed' : '' },
        el('td', { class: 'field' }, field.name),
        before ? el('td', { class: 'before' }, was ?? '—') : null,
        el('td', { class: 'value' }, field.value)));
    }
  }
  return el('table', { class: 'pdu' },
    before ? el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'in'), el('th', {}, 'out'))) : null,
    el('tbody', {}, ...rows));
}

/** `probeEvents`: the event's probe, in seq order (the packet view reads the frame's neighbours). */
export function eventDetail(e: TraceEvent, probeEvents: readonly TraceEvent[] = [e]): HTMLElement {
  const drop = e.action === 'drop' || e.stage === 'drop';
  const i = Math.max(0, probeEvents.findIndex((x) => x.seq === e.seq));
  const events = probeEvents.length > 0 && probeEvents[i]?.seq === e.seq ? probeEvents : [e];
  const view = packetView(events, events === probeEvents ? i : 0);
  const decision = decisionOf(e);
  const start = events[0]!.t;
  const { reason: _reason, why: _why, before: _before, ...rest } = e.detail as { reason?: unknown; why?: unknown; before?: unknown };
  const rows: [string, string][] = [
    ['time', `${formatMs(e.t, start)} ms after the probe's first frame`],
    ['node', e.node],
    ['port', e.port ?? '—'],
    // The wire the frame crossed to get here, from the trace itself (none: it was made or rewritten here).
    ...(e.link ? [['arrived over', `${shortNode(e.link.from)} ${e.link.fromPort} → ${e.link.toPort}`] as [string, string]] : []),
    ['direction', e.direction],
    ['probe · seq', `${e.probe === 0 ? 'background (health checks)' : e.probe} · ${e.seq}`],
    ...Object.entries(rest).map(([k, v]): [string, string] => [k, valueText(v)]),
  ];
  return el('div', { class: 'event-detail', 'data-seq': String(e.seq) },
    el('div', { class: `headline dir-${e.direction}${drop ? ' drop' : ''}` }, `${shortNode(e.node)} · ${e.stage} · ${e.action}`),
    el('p', { class: `reason${drop ? ' drop' : ''}`, 'data-decision': e.action }, el('strong', {}, `${e.action}`), decision !== undefined ? ` — ${decision}` : ''),
    el('h3', {}, view.before ? 'Packet: in → out (rewritten here)' : 'Packet'),
    el('p', { class: 'summary' }, e.packet),
    layerTable(view.layers, view.before),
    el('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
  );
}
