/**
 * The packet on the graph, drawn from the playback's frame in flight: a dot travelling from the
 * node the frame came from to the event's node, or a pulse when the packet stays in its node (a
 * stage after another), then a ring where it arrived. The colour says the direction (forward,
 * reply, control such as ARP); every drop revealed so far leaves a red cross on its node. Drawn
 * on a 2D canvas over sigma's, following pan and zoom.
 */
import type { GraphView } from './graph-view.js';
import { clearOverlay } from './dom.js';
import type { Playback } from './playback.js';
import { DIRECTION_COLOR, DROP_COLOR } from './theme.js';
import type { TraceEvent } from './types.js';

const isDrop = (e: TraceEvent): boolean => e.action === 'drop' || e.stage === 'drop';

export class PacketAnimator {
  private readonly ctx: CanvasRenderingContext2D;
  /** Frames drawn, for the frame-rate figure of the bench and the console. */
  frames = 0;

  constructor(private readonly view: GraphView, private readonly canvas: HTMLCanvasElement, private readonly playback: Playback) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('viewer: no 2D canvas for the animation');
    this.ctx = ctx;
    view.onRender(() => this.draw());
  }

  draw(now = performance.now()): void {
    this.frames++;
    const { canvas, ctx } = this;
    clearOverlay(canvas, ctx);
    for (const e of this.playback.shown()) if (isDrop(e)) this.cross(e.node);
    const f = this.playback.flight(now);
    if (!f) return;
    const drop = isDrop(f.event);
    const color = drop ? DROP_COLOR : DIRECTION_COLOR[f.event.direction];
    const to = this.view.screenPosition(f.event.node);
    if (!to) return;
    const from = f.from === null ? undefined : this.view.screenPosition(f.from);
    if (!from || f.k >= 1) {
      this.ring(to, color, 12 + 8 * f.k, 1 - 0.5 * f.k);
      return;
    }
    const k = f.k;
    const ease = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
    const x = from.x + (to.x - from.x) * ease;
    const y = from.y + (to.y - from.y) * ease;
    ctx.strokeStyle = color;
    ctx.globalAlpha = 0.35;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = color;
    ctx.shadowColor = color;
    ctx.shadowBlur = 12;
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.shadowBlur = 0;
  }

  private cross(node: string): void {
    const p = this.view.screenPosition(node);
    if (!p) return;
    const { ctx } = this;
    ctx.strokeStyle = DROP_COLOR;
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    const r = 11;
    ctx.beginPath();
    ctx.moveTo(p.x - r, p.y - r);
    ctx.lineTo(p.x + r, p.y + r);
    ctx.moveTo(p.x + r, p.y - r);
    ctx.lineTo(p.x - r, p.y + r);
    ctx.stroke();
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
