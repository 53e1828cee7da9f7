/**
 * The verdict of each probe, newest first: what was sent, the verdict (delivered, refused,
 * dropped, unreachable, expired) and its reason, the path, NAT and the load balancer's choice.
 * The latest verdict also shows in a banner over the graph. A probe still being animated shows
 * "in flight" until the packet reaches the end (`settle`). Clicking a probe selects it.
 */
import { el } from './dom.js';
import { shortNode } from './event-list.js';
import type { VerdictMessage } from './types.js';

export const probeLabel = (v: VerdictMessage): string => {
  const p = v.probe;
  const what = p.proto === 'icmp' ? 'icmp' : `${p.proto}/${p.port}`;
  return `#${p.id} ${p.from} → ${p.to} ${what}${p.count > 1 ? ` (${p.index}/${p.count})` : ''}`;
};

export class ProbeList {
  private selected: number | null = null;
  private readonly items = new Map<number, HTMLElement>();
  private readonly verdicts = new Map<number, VerdictMessage>();

  constructor(private readonly list: HTMLElement, private readonly banner: HTMLElement, private readonly onSelect: (probe: number) => void) {}

  clear(): void {
    this.list.replaceChildren();
    this.items.clear();
    this.verdicts.clear();
    this.selected = null;
    this.banner.hidden = true;
  }

  /** A verdict came; `settled` false while its packet is still being animated. */
  add(v: VerdictMessage, settled = true): void {
    const verdict = v.verdict;
    this.verdicts.set(v.probe.id, v);
    const item = el('li', { class: 'probe in-flight', 'data-probe': String(v.probe.id) },
      el('div', { class: 'probe-head' }, el('span', { class: 'probe-what' }, probeLabel(v)), el('span', { class: 'badge' }, 'in flight')),
      el('div', { class: 'probe-reason' }, verdict.reason + (verdict.reply ? '' : ' (no reply came back)')),
      el('div', { class: 'probe-path muted' }, verdict.path.map(shortNode).join(' → ')),
      verdict.nat.length > 0 ? el('div', { class: 'probe-extra muted' }, ...verdict.nat.map((n) => `${n.kind} at ${shortNode(n.node)}: ${n.from} ⇒ ${n.to}`)) : null,
      verdict.lb ? el('div', { class: 'probe-extra muted' }, `${shortNode(verdict.lb.node)} chose ${verdict.lb.member} (${verdict.lb.algorithm})`) : null,
    );
    item.addEventListener('click', () => this.onSelect(v.probe.id));
    this.items.set(v.probe.id, item);
    this.list.prepend(item);
    while (this.list.childElementCount > 500) {
      const gone = this.list.lastElementChild as HTMLElement;
      this.items.delete(Number(gone.dataset['probe']));
      this.verdicts.delete(Number(gone.dataset['probe']));
      gone.remove();
    }
    if (settled) this.settle(v.probe.id);
  }

  /** The animation reached the probe's end: its card and the banner show the verdict. */
  settle(id: number): void {
    const v = this.verdicts.get(id);
    const item = this.items.get(id);
    if (!v || !item) return;
    const kind = v.verdict.verdict;
    item.className = `probe verdict-${kind}${this.selected === id ? ' selected' : ''}`;
    const badge = item.querySelector('.badge')!;
    badge.className = `badge verdict-${kind}`;
    badge.textContent = kind;
    this.showBanner(v);
  }

  /** Stepped back from the end: the card is in flight again and the banner goes. */
  unsettle(id: number): void {
    const item = this.items.get(id);
    if (!item) return;
    item.className = `probe in-flight${this.selected === id ? ' selected' : ''}`;
    const badge = item.querySelector('.badge')!;
    badge.className = 'badge';
    badge.textContent = 'in flight';
    this.banner.hidden = true;
  }

  select(id: number | null): void {
    if (this.selected !== null) this.items.get(this.selected)?.classList.remove('selected');
    this.selected = id;
    if (id !== null) this.items.get(id)?.classList.add('selected');
  }

  private showBanner(v: VerdictMessage): void {
    this.banner.hidden = false;
    this.banner.className = `verdict-banner verdict-${v.verdict.verdict}`;
    this.banner.replaceChildren(el('strong', { id: 'verdict-kind' }, v.verdict.verdict), el('span', {}, ` ${probeLabel(v)} — ${v.verdict.reason}`));
  }
}
