/**
 * The animation's clock: one probe at a time, its events revealed one step after another, so
 * that the table rows, the probe card's verdict and the banner come as the packet reaches them,
 * never before. Play, pause, step forward and back, speed; a new probe finishes the old one at
 * once. Idle virtual time (an ARP retry, a timeout) costs one short pause, and a long probe is
 * scaled down to MAX_PROBE_MS, so no probe drags. A hop is what the trace's `link` says: a frame
 * that crossed a wire, from the node at its other end. No DOM: the page passes its clock and hooks.
 */
import type { TraceEvent } from './types.js';

/** Milliseconds at speed 1 for a frame crossing a link, for a stage inside the same node, and for idle virtual time. */
export const HOP_MS = 340;
export const STAGE_MS = 90;
export const GAP_MS = 450;
/** A flooded copy (the same stage on the next node at the same instant): the copies fan out together. */
export const COPY_MS = 15;
/** Virtual µs between two events above which the wait is idle time (a link takes 100 µs). */
export const GAP_US = 10_000;
/** The longest a probe's animation takes at speed 1: longer plans are scaled down to it. */
export const MAX_PROBE_MS = 5_000;

type Timed = Pick<TraceEvent, 'node' | 't'> & Partial<Pick<TraceEvent, 'stage' | 'action' | 'packet' | 'link'>>;

/**
 * Whether event e is a frame crossing a wire into its node: with the trace's `link` (the
 * simulator always sets it), the first event of a crossing; without (older JSON, events made
 * by hand), a change of node.
 */
export function arrives(prev: Timed | undefined, e: Timed): boolean {
  if (e.link !== undefined) return e.link !== null && prev?.link?.crossing !== e.link.crossing;
  return prev !== undefined && prev.node !== e.node;
}

/** Whether e is one more copy of prev's frame: a flood reaching its next port at the same instant. */
export const isCopy = (prev: Timed, e: Timed): boolean =>
  prev.node !== e.node && prev.t === e.t && e.stage !== undefined && prev.stage === e.stage && prev.action === e.action && prev.packet === e.packet;

/** How long each event's step lasts at speed 1 (ms): pure, so it is property-tested. */
export function stepDurations(events: readonly Timed[]): number[] {
  const raw = events.map((e, i) => {
    const prev = events[i - 1];
    if (prev === undefined) return STAGE_MS;
    if (isCopy(prev, e)) return COPY_MS;
    return (arrives(prev, e) ? HOP_MS : STAGE_MS) + (e.t - prev.t > GAP_US ? GAP_MS : 0);
  });
  const total = raw.reduce((s, d) => s + d, 0);
  const k = total > MAX_PROBE_MS ? MAX_PROBE_MS / total : 1;
  return raw.map((d) => d * k);
}

/**
 * Where the frame of event i came from: the trace's link says (the wire's sending node, on the
 * first event of a crossing); null when the packet stays in its node. Without links (older
 * JSON), a guess: the latest earlier node next to this one (after a flood, the switch, not the
 * last host that got a copy).
 */
export function sourceOf(events: readonly Timed[], i: number, adjacent: (a: string, b: string) => boolean): string | null {
  const e = events[i]!;
  if (e.link !== undefined) return arrives(events[i - 1], e) ? e.link!.from : null;
  const node = e.node;
  const last = events[i - 1]?.node;
  if (last === undefined || last === node) return null;
  for (let j = i - 1; j >= Math.max(0, i - 64); j--) if (adjacent(events[j]!.node, node)) return events[j]!.node;
  return last;
}

export interface PlaybackHooks {
  /** An event's row appears (its step begins). */
  reveal(e: TraceEvent): void;
  /** Stepping back: an event's row goes again. */
  hide(e: TraceEvent): void;
  /** The frame in flight changed (null: none). */
  current(e: TraceEvent | null): void;
  /** The probe's animation reached its end and its verdict is known: show the verdict. */
  finished(probe: number): void;
  /** Stepped back from the end: the verdict is not reached any more. */
  unfinished(probe: number): void;
  /** Something to draw changed. */
  changed(): void;
}

export interface Clock {
  now(): number;
  /** Calls back on the next frame. */
  frame(callback: () => void): void;
}

/** The frame in flight for drawing: from where to where, how far (0-1). */
export interface Flight {
  readonly event: TraceEvent;
  readonly from: string | null;
  readonly k: number;
}

export class Playback {
  speed = 1;
  playing = true;
  probe: number | null = null;
  private events: TraceEvent[] = [];
  /** Events revealed: 0..events.length. Step `cursor - 1` is the one in flight. */
  private cursor = 0;
  private stepStart = 0;
  private verdictKnown = false;
  private done = false;
  private scheduled = false;
  /** stepDurations of `events`, recomputed when more events come. */
  private plan: number[] = [];

  constructor(private readonly clock: Clock, private readonly hooks: PlaybackHooks, private readonly adjacent: (a: string, b: string) => boolean = () => false) {}

  /** An event from the stream: of the probe playing, or of a new probe (which finishes the old one). */
  push(e: TraceEvent): void {
    if (e.probe === 0) return;
    if (e.probe !== this.probe) this.start(e.probe, [], false);
    this.events.push(e);
    this.wake();
  }

  /** A probe's verdict came: it shows once the animation has reached the end. */
  verdict(probe: number): boolean {
    if (probe !== this.probe) return false;
    this.verdictKnown = true;
    this.wake();
    return true;
  }

  /** Plays a probe from its first event (replay); the probe playing before is finished first. */
  load(probe: number, events: readonly TraceEvent[], verdictKnown: boolean): void {
    this.start(probe, [...events], verdictKnown);
    this.wake();
  }

  /** Reveals everything of the probe playing and shows its verdict (if known): a new probe came. */
  finishNow(): void {
    if (this.probe === null) return;
    while (this.cursor < this.events.length) this.hooks.reveal(this.events[this.cursor++]!);
    this.stepStart = -Infinity;
    this.settle();
  }

  clear(): void {
    this.probe = null;
    this.events = [];
    this.cursor = 0;
    this.done = false;
    this.verdictKnown = false;
    this.hooks.current(null);
    this.hooks.changed();
  }

  /** Whether an event's row is shown: every event except those of the probe playing not reached yet. */
  revealed(e: TraceEvent): boolean {
    if (e.probe !== this.probe || this.cursor === 0) return e.probe !== this.probe;
    return e.seq <= this.events[this.cursor - 1]!.seq;
  }

  get position(): { probe: number | null; at: number; of: number; done: boolean } {
    return { probe: this.probe, at: this.cursor, of: this.events.length, done: this.done };
  }

  play(): void {
    if (this.playing) return;
    this.playing = true;
    // The step in flight restarts, so a pause never skips the rest of it.
    this.stepStart = this.clock.now();
    this.hooks.changed();
    this.wake();
  }

  pause(): void {
    this.playing = false;
    this.hooks.changed();
  }

  stepForward(): void {
    this.pause();
    if (this.cursor < this.events.length) {
      this.revealNext(-Infinity);
      this.hooks.changed();
    }
    this.settle();
  }

  stepBack(): void {
    this.pause();
    if (this.cursor <= 1) return;
    if (this.done) {
      this.done = false;
      this.hooks.unfinished(this.probe!);
    }
    this.hooks.hide(this.events[--this.cursor]!);
    this.stepStart = -Infinity;
    this.hooks.current(this.events[this.cursor - 1]!);
    this.hooks.changed();
  }

  /** The frame in flight now, for the animation layer. */
  flight(now: number): Flight | undefined {
    if (this.cursor === 0 || this.done) return undefined;
    const i = this.cursor - 1;
    const d = this.duration(i);
    const k = d <= 0 ? 1 : Math.min(1, Math.max(0, (now - this.stepStart) / d));
    return { event: this.events[i]!, from: sourceOf(this.events, i, this.adjacent), k };
  }

  /** The events of the probe playing that are revealed, oldest first (for drop marks). */
  shown(): readonly TraceEvent[] {
    return this.events.slice(0, this.cursor);
  }

  private start(probe: number, events: TraceEvent[], verdictKnown: boolean): void {
    this.finishNow();
    this.probe = probe;
    this.events = events;
    this.plan = [];
    this.cursor = 0;
    this.done = false;
    this.verdictKnown = verdictKnown;
    this.stepStart = this.clock.now();
  }

  /** Step i's length at the current speed; the plan covers the events known so far. */
  private duration(i: number): number {
    if (this.plan.length !== this.events.length) this.plan = stepDurations(this.events);
    return (this.plan[i] ?? 0) / this.speed;
  }

  private revealNext(at: number): void {
    const e = this.events[this.cursor++]!;
    this.stepStart = at;
    this.hooks.reveal(e);
    this.hooks.current(e);
  }

  private settle(): void {
    if (this.done || this.probe === null || !this.verdictKnown || this.cursor < this.events.length) return;
    if (this.cursor > 0 && this.clock.now() - this.stepStart < this.duration(this.cursor - 1)) return;
    this.done = true;
    this.hooks.current(null);
    this.hooks.finished(this.probe);
    this.hooks.changed();
  }

  private wake(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.clock.frame(() => this.tick());
  }

  /** One animation frame: start every step whose predecessor has run its time. */
  private tick(): void {
    this.scheduled = false;
    const now = this.clock.now();
    if (this.playing) {
      while (this.cursor < this.events.length && (this.cursor === 0 || now - this.stepStart >= this.duration(this.cursor - 1))) {
        // The next step starts when the last one ended (not at this frame), so slow frames do not stretch the probe.
        const end = this.cursor === 0 ? now : this.stepStart + this.duration(this.cursor - 1);
        this.revealNext(Math.max(end, now - 50));
      }
      this.settle();
    }
    this.hooks.changed();
    if (this.playing && !this.done && this.probe !== null) this.wake();
  }
}
