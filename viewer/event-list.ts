/**
 * The event table, like a packet tracer's: time, node, stage, action and the packet's summary,
 * one row per trace event in seq order. Filters by protocol, node, verdict, probe and whether
 * background work (health checks) shows. A probe's rows come as the animation reaches them
 * (`revealed`), the row of the frame in flight is highlighted and kept in view; background
 * events are appended in batches once per frame; a filter change redraws the last MAX_ROWS rows.
 */
import { el, setOptions } from './dom.js';
import type { TraceStore } from './trace-store.js';
import type { TraceEvent, VerdictKind } from './types.js';

export const MAX_ROWS = 2_000;

export interface EventFilter {
  proto: string;
  node: string;
  verdict: string;
  probe: string;
  background: boolean;
}

export interface FilterControls {
  readonly proto: HTMLSelectElement;
  readonly node: HTMLSelectElement;
  readonly verdict: HTMLSelectElement;
  readonly probe: HTMLSelectElement;
  readonly background: HTMLInputElement;
}

/** The protocol of a packet summary (`… TCP SYN`, `ARP who-has …`, `ICMP echo …`). */
export function protocolOf(summary: string): string {
  const m = /\b(ARP|NDP?|ICMPv6|ICMP|TCP|UDP)\b/.exec(summary);
  if (!m) return 'other';
  const p = m[1]!.toLowerCase();
  return p === 'icmpv6' ? 'icmp' : p.startsWith('nd') ? 'arp' : p;
}

/** Short node names for the table (`instance:web-1` → `web-1`). */
export const shortNode = (id: string): string => id.replace(/^(instance|network|router|external|host|lb):/, '');

/** Milliseconds since the probe's first event, as `vnet trace` prints them: the one unit of time the page shows. */
export const formatMs = (t: number, start: number): string => `${((t - start) / 1000).toFixed(3)}`;

export class EventList {
  private pending: TraceEvent[] = [];
  private scheduled = false;
  private selectedRow: HTMLTableRowElement | undefined;
  private currentRow: HTMLTableRowElement | undefined;
  private readonly rows = new Map<number, HTMLTableRowElement>();

  constructor(
    private readonly store: TraceStore,
    private readonly body: HTMLTableSectionElement,
    private readonly controls: FilterControls,
    private readonly count: HTMLElement,
    private readonly onSelect: (e: TraceEvent) => void,
    private readonly revealed: (e: TraceEvent) => boolean = () => true,
  ) {
    for (const c of [controls.proto, controls.node, controls.verdict, controls.probe, controls.background]) c.addEventListener('change', () => this.redraw());
  }

  filter(): EventFilter {
    const c = this.controls;
    return { proto: c.proto.value, node: c.node.value, verdict: c.verdict.value, probe: c.probe.value, background: c.background.checked };
  }

  /** The node list of the node filter, from the topology. */
  setNodes(nodes: readonly string[]): void {
    setOptions(this.controls.node, [{ value: '', label: 'any node' }, ...nodes.map((n) => ({ value: n, label: shortNode(n) }))]);
  }

  setProbes(probes: readonly { id: number; label: string }[]): void {
    setOptions(this.controls.probe, [{ value: '', label: 'all probes' }, ...probes.map((p) => ({ value: String(p.id), label: p.label }))]);
  }

  /** Shows only one probe's events (from the probe list), or all. */
  showProbe(id: number | null): void {
    this.controls.probe.value = id === null ? '' : String(id);
    this.redraw();
  }

  private passes(e: TraceEvent, f: EventFilter, verdict: VerdictKind | undefined): boolean {
    if (!this.revealed(e)) return false;
    if (e.probe === 0 && !f.background) return false;
    if (f.probe !== '' && String(e.probe) !== f.probe) return false;
    if (f.node !== '' && e.node !== f.node) return false;
    if (f.proto !== '' && protocolOf(e.packet) !== f.proto) return false;
    if (f.verdict !== '' && verdict !== f.verdict) return false;
    return true;
  }

  /** The animation reached an event: its row now, in seq order (stepping back may have removed later ones). */
  reveal(e: TraceEvent): void {
    if (this.rows.has(e.seq) || !this.passes(e, this.filter(), this.store.verdictOf(e.probe)?.verdict.verdict)) return;
    const tr = this.row(e);
    let after = this.body.lastElementChild as HTMLTableRowElement | null;
    while (after !== null && Number(after.dataset['seq']) > e.seq) after = after.previousElementSibling as HTMLTableRowElement | null;
    if (after === null) this.body.prepend(tr);
    else after.after(tr);
    while (this.body.childElementCount > MAX_ROWS) this.drop(this.body.firstElementChild as HTMLTableRowElement);
    this.updateCount();
  }

  /** Stepping back: the event's row goes. */
  hide(e: TraceEvent): void {
    const tr = this.rows.get(e.seq);
    if (tr) this.drop(tr);
    this.updateCount();
  }

  /** Highlights the row of the frame in flight and scrolls the table to it (without moving the page). */
  current(e: TraceEvent | null): void {
    this.currentRow?.classList.remove('current');
    this.currentRow = e === null ? undefined : this.rows.get(e.seq);
    if (!this.currentRow) return;
    this.currentRow.classList.add('current');
    const wrap = this.body.closest('.table-wrap') as HTMLElement | null;
    if (!wrap) return;
    const head = (wrap.querySelector('thead') as HTMLElement | null)?.offsetHeight ?? 0;
    const top = this.currentRow.offsetTop;
    const bottom = top + this.currentRow.offsetHeight;
    if (top - head < wrap.scrollTop) wrap.scrollTop = top - head;
    else if (bottom > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = bottom - wrap.clientHeight;
  }

  private drop(tr: HTMLTableRowElement): void {
    this.rows.delete(Number(tr.dataset['seq']));
    tr.remove();
  }

  /** Background events (health checks): appended in a batch once per frame. */
  add(e: TraceEvent): void {
    this.pending.push(e);
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.flush());
  }

  /** A verdict came: under a verdict filter its probe's events may now show. */
  verdictArrived(): void {
    if (this.controls.verdict.value !== '') this.redraw();
    else this.updateCount();
  }

  private flush(): void {
    this.scheduled = false;
    const f = this.filter();
    const rows = this.pending.filter((e) => this.passes(e, f, this.store.verdictOf(e.probe)?.verdict.verdict)).map((e) => this.row(e));
    this.pending = [];
    this.body.append(...rows);
    while (this.body.childElementCount > MAX_ROWS) this.drop(this.body.firstElementChild as HTMLTableRowElement);
    this.updateCount();
    const wrap = this.body.closest('.table-wrap');
    if (wrap && rows.length > 0 && wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 80 + rows.length * 24) wrap.scrollTop = wrap.scrollHeight;
  }

  redraw(): void {
    this.pending = [];
    const f = this.filter();
    const shown = this.store.events().filter((e) => this.passes(e, f, this.store.verdictOf(e.probe)?.verdict.verdict));
    this.rows.clear();
    this.body.replaceChildren(...shown.slice(-MAX_ROWS).map((e) => this.row(e)));
    this.selectedRow = undefined;
    this.currentRow = undefined;
    this.updateCount();
  }

  clear(): void {
    this.pending = [];
    this.rows.clear();
    this.body.replaceChildren();
    this.updateCount();
  }

  private updateCount(): void {
    const n = this.body.childElementCount;
    this.count.textContent = `${n}${n >= MAX_ROWS ? '+' : ''} event${n === 1 ? '' : 's'}`;
  }

  private row(e: TraceEvent): HTMLTableRowElement {
    const start = this.store.get(e.probe)?.events[0]?.t ?? e.t;
    const drop = e.action === 'drop' || e.stage === 'drop';
    const tr = el('tr', { class: `dir-${e.direction}${drop ? ' drop' : ''}`, 'data-seq': String(e.seq), 'data-stage': e.stage },
      el('td', { class: 'num' }, e.probe === 0 ? '·' : String(e.probe)),
      el('td', { class: 'num' }, formatMs(e.t, start)),
      el('td', {}, shortNode(e.node)),
      el('td', { class: 'stage' }, e.stage),
      el('td', { class: 'action' }, e.action),
      el('td', { class: 'packet' }, e.packet),
    );
    this.rows.set(e.seq, tr);
    tr.addEventListener('click', () => {
      this.selectedRow?.classList.remove('selected');
      tr.classList.add('selected');
      this.selectedRow = tr;
      this.onSelect(e);
    });
    return tr;
  }
}
