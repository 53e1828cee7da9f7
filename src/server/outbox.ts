/**
 * One client's outgoing stream, bounded. The bytes held for a client — what its socket has not
 * written yet (`ws.bufferedAmount`) plus this queue (used while the client is paused or behind)
 * — stay under `limit`. A message that does not fit is counted, not kept; from then on the
 * stream drops until the backlog has drained below half the limit, and then one `dropped` notice
 * says how many were lost, where the gap is. Memory per client is flat whatever the client does.
 */
import { encodeMessage, type DroppedMessage } from './protocol.js';

/** Where an outbox writes: a WebSocket, or a fake in tests. */
export interface Sink {
  send(data: Buffer): void;
  /** Bytes handed to the sink and not yet written to the network. */
  readonly bufferedAmount: number;
  readonly open: boolean;
  /** Hold writes and send them together (one system call for a burst of small frames). */
  cork?(): void;
  uncork?(): void;
}

export type StreamKind = 'event' | 'verdict';

export interface OutboxStats {
  readonly bufferedAmount: number;
  readonly queuedBytes: number;
  readonly queued: number;
  readonly paused: boolean;
  readonly dropping: boolean;
  /** Messages lost and not yet reported in a `dropped` notice. */
  readonly lost: number;
  /** Messages lost over the client's life. */
  readonly lostTotal: number;
}

export class Outbox {
  private queue: { data: Buffer; kind: StreamKind }[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private dropping = false;
  private pendingHello: Buffer | undefined;
  private lost = { events: 0, verdicts: 0, errors: 0 };
  private lostTotal = 0;

  constructor(private readonly sink: Sink, readonly limit: number) {}

  private get buffered(): number {
    return this.sink.bufferedAmount;
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  /** A trace event or verdict of the shared stream. */
  stream(data: Buffer, kind: StreamKind): void {
    if (!this.sink.open) return;
    if (this.dropping) return this.lose(kind);
    const held = this.buffered + this.queuedBytes;
    if (!this.paused && this.pendingHello === undefined && this.queued === 0 && (held + data.length <= this.limit || held === 0)) {
      this.sink.send(data);
      return;
    }
    if (held + data.length <= this.limit) {
      this.queue.push({ data, kind });
      this.queuedBytes += data.length;
      return;
    }
    this.dropping = true;
    this.lose(kind);
  }

  /** A reply to this client (an `error`): sent at once, even while paused, unless the client is over its limit. */
  reply(data: Buffer): void {
    if (!this.sink.open) return;
    if (this.buffered + data.length > this.limit && this.buffered > 0) {
      this.lose('error');
      return;
    }
    this.sink.send(data);
  }

  /**
   * A `hello` starts the client over: what is queued belongs to the old simulation and is
   * discarded (not reported: the client clears its state on hello anyway). A client over its
   * limit gets only the latest hello, once it has drained.
   */
  hello(data: Buffer): void {
    if (!this.sink.open) return;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.dropping = false;
    this.lost = { events: 0, verdicts: 0, errors: 0 };
    if (this.buffered > this.limit) {
      this.pendingHello = data;
      return;
    }
    this.pendingHello = undefined;
    this.sink.send(data);
  }

  /** Batches what is sent until `uncork` (the server corks each client for one slice of probes). */
  cork(): void {
    if (this.sink.open) this.sink.cork?.();
  }

  uncork(): void {
    this.sink.uncork?.();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  /** True while the outbox has something to do once the socket drains (the server polls it). */
  get pending(): boolean {
    return this.pendingHello !== undefined || (!this.paused && (this.queued > 0 || this.lost.events + this.lost.verdicts + this.lost.errors > 0));
  }

  /** Moves what fits from the queue to the socket, then reports losses once the backlog is down. */
  flush(): void {
    if (!this.sink.open) return;
    if (this.pendingHello !== undefined) {
      if (this.buffered > this.limit) return;
      this.sink.send(this.pendingHello);
      this.pendingHello = undefined;
    }
    if (this.paused) return;
    while (this.queued > 0) {
      const next = this.queue[this.head]!;
      if (this.buffered + next.data.length > this.limit && this.buffered > 0) break;
      this.queue[this.head++] = undefined as never;
      this.queuedBytes -= next.data.length;
      this.sink.send(next.data);
    }
    if (this.queued === 0) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const lost = this.lost.events + this.lost.verdicts + this.lost.errors;
    if (this.queued === 0 && lost > 0 && this.buffered <= this.limit / 2) {
      const notice: DroppedMessage = { type: 'dropped', v: 1, count: lost, ...this.lost };
      this.sink.send(Buffer.from(encodeMessage(notice)));
      this.lost = { events: 0, verdicts: 0, errors: 0 };
      this.dropping = false;
    }
  }

  stats(): OutboxStats {
    const lost = this.lost.events + this.lost.verdicts + this.lost.errors;
    return { bufferedAmount: this.buffered, queuedBytes: this.queuedBytes, queued: this.queued, paused: this.paused, dropping: this.dropping, lost, lostTotal: this.lostTotal };
  }

  private lose(kind: StreamKind | 'error'): void {
    this.lostTotal++;
    if (kind === 'event') this.lost.events++;
    else if (kind === 'verdict') this.lost.verdicts++;
    else this.lost.errors++;
  }
}
