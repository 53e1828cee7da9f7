/**
 * Packets moving over the graph: each trace event, in seq order, becomes a hop — a dot
 * travelling from the node the frame came from to the event's node — or a pulse when the
 * packet stays in the node (a stage after another). The dot's colour says the direction
 * (forward, reply, control such as ARP); a drop leaves a red cross on the node where it
 * happened. Drawn on a 2D canvas over sigma's, following pan and zoom.
 */
import type { GraphView } from './graph-view.js';
import { DIRECTION_COLOR, DROP_COLOR } from './theme.js';
import type { TraceEvent } from './types.js';

interface Hop {
  readonly from: string | null;
  readonly to: string;
  readonly color: string;
  readonly drop: boolean;
  readonly label: string;
}

interface Mark {
  readonly node: string;
  readonly color: string;
  readonly start: number;
  readonly life: number;
  readonly cross: boolean;
}

/** Milliseconds for one hop at speed 1. */
const HOP_MS = 420;
/** Past this many hops waiting, the oldest are skipped so the picture keeps up with the stream. */
const MAX_BACKLOG = 400;

export class PacketAnimator {
  speed = 1;
  private readonly queue: Hop[] = [];
  private current: { hop: Hop; start: number } | undefined;
  private marks: Mark[] = [];
  /** Per probe: the nodes its events were at, latest last (where the next frame comes from). */
  private readonly trail = new Map<number, string[]>();
  private frame: number | undefined;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly view: GraphView, private readonly canvas: HTMLCanvasElement, private readonly onHop: (e: string) => void = () => undefined) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('viewer: no 2D canvas for the animation');
    this.ctx = ctx;
    view.onRender(() => this.draw(performance.now()));
  }

  /** Queues an event's hop; the animation runs until the queue is empty. */
  push(e: TraceEvent): void {
    if (!this.view.has(e.node)) return;
    const trail = this.trail.get(e.probe) ?? [];
    this.trail.set(e.probe, trail);
    const from = this.sourceOf(trail, e.node);
    trail.push(e.node);
    if (trail.length > 64) trail.splice(0, trail.length - 64);
    const drop = e.action === 'drop' || e.stage === 'drop';
    this.queue.push({ from, to: e.node, color: drop ? DROP_COLOR : DIRECTION_COLOR[e.direction], drop, label: `${e.stage} ${e.action}` });
    if (this.queue.length > MAX_BACKLOG) this.queue.splice(0, this.queue.length - MAX_BACKLOG);
    this.wake();
  }

  /**
   * Where the frame came from: the latest earlier node next to this one (after a flood, the
   * switch, not the last host that got a copy). Null when the packet stays in its node.
   */
  private sourceOf(trail: readonly string[], node: string): string | null {
    const last = trail[trail.length - 1];
    if (last === undefined || last === node) return null;
    for (let i = trail.length - 1; i >= 0; i--) if (this.view.adjacent(trail[i]!, node)) return trail[i]!;
    return last;
  }

  /** Plays a probe's events again from the start. */
  replay(events: readonly TraceEvent[]): void {
    this.clear();
    for (const e of events) this.push(e);
  }

  clear(): void {
    this.queue.length = 0;
    this.current = undefined;
    this.marks = [];
    this.trail.clear();
    this.draw(performance.now());
  }

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  private wake(): void {
    if (this.frame === undefined) this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  private tick(now: number): void {
    this.frame = undefined;
    const hopMs = HOP_MS / this.speed;
    if (this.current && now - this.current.start >= (this.current.hop.from === null ? hopMs / 4 : hopMs)) this.arrive(this.current.hop, now);
    if (!this.current) {
      const next = this.queue.shift();
      if (next) {
        this.current = { hop: next, start: now };
        this.onHop(next.to);
      }
    }
    this.marks = this.marks.filter((m) => now - m.start < m.life);
    this.draw(now);
    if (this.current || this.queue.length > 0 || this.marks.length > 0) this.wake();
  }

  private arrive(hop: Hop, now: number): void {
    this.current = undefined;
    this.marks.push({ node: hop.to, color: hop.color, start: now, life: hop.drop ? 6000 : 500, cross: hop.drop });
  }

  private draw(now: number): void {
    const { canvas, ctx } = this;
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    for (const m of this.marks) this.drawMark(m, now);
    const c = this.current;
    if (!c) return;
    const to = this.view.screenPosition(c.hop.to);
    if (!to) return;
    const from = c.hop.from === null ? undefined : this.view.screenPosition(c.hop.from);
    if (!from) {
      this.ring(to, c.hop.color, 14 + 8 * Math.min(1, (now - c.start) / (HOP_MS / this.speed / 4)), 1);
      return;
    }
    const k = Math.min(1, (now - c.start) / (HOP_MS / this.speed));
    const ease = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
    const x = from.x + (to.x - from.x) * ease;
    const y = from.y + (to.y - from.y) * ease;
    ctx.strokeStyle = c.hop.color;
    ctx.globalAlpha = 0.35;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = c.hop.color;
    ctx.shadowColor = c.hop.color;
    ctx.shadowBlur = 12;
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.shadowBlur = 0;
  }

  private drawMark(m: Mark, now: number): void {
    const p = this.view.screenPosition(m.node);
    if (!p) return;
    const age = (now - m.start) / m.life;
    if (!m.cross) {
      this.ring(p, m.color, 12 + 14 * age, 1 - age);
      return;
    }
    const { ctx } = this;
    ctx.globalAlpha = Math.min(1, 2 * (1 - age));
    ctx.strokeStyle = m.color;
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    const r = 11;
    ctx.beginPath();
    ctx.moveTo(p.x - r, p.y - r);
    ctx.lineTo(p.x + r, p.y + r);
    ctx.moveTo(p.x + r, p.y - r);
    ctx.lineTo(p.x - r, p.y + r);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  private ring(p: { x: number; y: number }, color: string, radius: number, alpha: number): void {
    const { ctx } = this;
    ctx.globalAlpha = Math.max(0, alpha);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(p.x, p.y, radius, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
}
