/**
 * The full view of one trace event for the side panel: where and when, the packet, and every
 * field of its `detail` (the matched route or rule, headers before and after a rewrite, the
 * connection-tracking state), with the reason first when there is one.
 */
import { el } from './dom.js';
import { shortNode } from './event-list.js';
import type { TraceEvent } from './types.js';

const valueText = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : JSON.stringify(v, null, 1));

export function eventDetail(e: TraceEvent): HTMLElement {
  const drop = e.action === 'drop' || e.stage === 'drop';
  const { reason, ...rest } = e.detail as { reason?: unknown };
  const rows: [string, string][] = [
    ['probe', e.probe === 0 ? 'background (health checks)' : String(e.probe)],
    ['seq', String(e.seq)],
    ['time', `${e.t} µs (virtual)`],
    ['node', e.node],
    ['port', e.port ?? '—'],
    ['stage', e.stage],
    ['action', e.action],
    ['direction', e.direction],
    ['packet', e.packet],
    ...Object.entries(rest).map(([k, v]): [string, string] => [k, valueText(v)]),
  ];
  return el('div', { class: 'event-detail' },
    el('div', { class: `headline dir-${e.direction}${drop ? ' drop' : ''}` }, `${shortNode(e.node)} · ${e.stage} · ${e.action}`),
    reason !== undefined ? el('p', { class: `reason${drop ? ' drop' : ''}` }, valueText(reason)) : null,
    el('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
  );
}
