/**
 * The per-client outbox against a fake socket whose unsent bytes the test controls: a client
 * that never reads holds at most `limit` bytes; what does not fit is counted and reported in
 * one `dropped` notice once the backlog drains; pause queues (bounded) and resume delivers in
 * order; a hello starts the client over.
 */
import { describe, expect, it } from 'vitest';
import { Outbox, type Sink } from '../../../src/server/outbox.js';

/** A socket that holds what it is sent until `drain()` (as a client that does not read). */
class FakeSocket implements Sink {
  sent: string[] = [];
  held = 0;
  open = true;
  stalled = true;
  send(data: Buffer): void {
    this.sent.push(data.toString());
    if (this.stalled) this.held += data.length;
  }
  get bufferedAmount(): number {
    return this.held;
  }
  drain(): void {
    this.held = 0;
    this.stalled = false;
  }
}

/** An event message of exactly `size` bytes. */
const msg = (i: number, size = 100) => {
  const bare = JSON.stringify({ type: 'event', v: 1, event: { seq: i, pad: '' } });
  return Buffer.from(JSON.stringify({ type: 'event', v: 1, event: { seq: i, pad: 'x'.repeat(size - bare.length) } }));
};
const seqs = (sent: string[]) => sent.map((s) => JSON.parse(s) as { type: string; event?: { seq: number }; count?: number });

describe('Outbox', () => {
  it('sends at once while the socket keeps up', () => {
    const sock = new FakeSocket();
    sock.stalled = false;
    const box = new Outbox(sock, 1000);
    for (let i = 0; i < 100; i++) box.stream(msg(i), 'event');
    expect(sock.sent).toHaveLength(100);
    expect(box.pending).toBe(false);
  });

  it('a client that never reads holds at most the limit; the rest is counted, then reported once', () => {
    const sock = new FakeSocket();
    const box = new Outbox(sock, 1000);
    for (let i = 0; i < 10_000; i++) {
      box.stream(msg(i), i % 10 === 9 ? 'verdict' : 'event');
      expect(sock.bufferedAmount + box.stats().queuedBytes).toBeLessThanOrEqual(1000);
    }
    const sentBefore = sock.sent.length;
    expect(sentBefore).toBeLessThanOrEqual(10);
    expect(box.stats()).toMatchObject({ dropping: true, lost: 10_000 - sentBefore });
    // Still stalled: no notice yet.
    box.flush();
    expect(sock.sent).toHaveLength(sentBefore);
    sock.drain();
    box.flush();
    const notice = seqs(sock.sent).at(-1)!;
    expect(notice).toMatchObject({ type: 'dropped', count: 10_000 - sentBefore });
    expect(box.stats()).toMatchObject({ dropping: false, lost: 0, lostTotal: 10_000 - sentBefore });
    // Delivery resumes after the notice.
    box.stream(msg(10_000), 'event');
    expect(seqs(sock.sent).at(-1)!.event!.seq).toBe(10_000);
  });

  it('keeps dropping until the backlog is below half the limit (no flapping, one notice per gap)', () => {
    const sock = new FakeSocket();
    const box = new Outbox(sock, 1000);
    for (let i = 0; i < 20; i++) box.stream(msg(i), 'event');
    const lost = box.stats().lost;
    expect(lost).toBeGreaterThan(0);
    sock.held = 600; // the client read a little: room for more, but still above half the limit
    box.stream(msg(20), 'event');
    box.flush();
    expect(seqs(sock.sent).some((m) => m.type === 'dropped')).toBe(false);
    expect(box.stats().lost).toBe(lost + 1);
    sock.held = 400;
    box.flush();
    expect(seqs(sock.sent).filter((m) => m.type === 'dropped')).toEqual([{ type: 'dropped', v: 1, count: lost + 1, events: lost + 1, verdicts: 0, errors: 0 }]);
  });

  it('pause queues within the limit; resume delivers in order, then the notice for the overflow', () => {
    const sock = new FakeSocket();
    sock.stalled = false;
    const box = new Outbox(sock, 1000);
    box.pause();
    for (let i = 0; i < 30; i++) box.stream(msg(i), 'event');
    expect(sock.sent).toHaveLength(0);
    expect(box.stats().queuedBytes).toBeLessThanOrEqual(1000);
    expect(box.stats().queued).toBe(10);
    expect(box.pending).toBe(false); // nothing to retry while paused
    box.resume();
    const got = seqs(sock.sent);
    expect(got.slice(0, 10).map((m) => m.event!.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got[10]).toMatchObject({ type: 'dropped', count: 20 });
  });

  it('replies (errors) go out even while paused, and are counted, not kept, when the client is over its limit', () => {
    const sock = new FakeSocket();
    const box = new Outbox(sock, 1000);
    box.pause();
    box.reply(Buffer.from('{"type":"error"}'));
    expect(sock.sent).toEqual(['{"type":"error"}']);
    sock.held = 5000;
    box.reply(Buffer.from('{"type":"error"}'));
    expect(sock.sent).toHaveLength(1);
    expect(box.stats().lost).toBe(1);
  });

  it('a hello discards the old stream; a client over its limit gets only the latest hello, once drained', () => {
    const sock = new FakeSocket();
    const box = new Outbox(sock, 1000);
    for (let i = 0; i < 50; i++) box.stream(msg(i), 'event');
    sock.held = 5000;
    box.hello(Buffer.from('{"type":"hello","n":1}'));
    box.hello(Buffer.from('{"type":"hello","n":2}'));
    const before = sock.sent.length;
    expect(box.pending).toBe(true);
    sock.held = 500; // the socket drained some: a new event waits behind the hello
    box.stream(msg(99), 'event');
    expect(sock.sent).toHaveLength(before);
    sock.drain();
    box.flush();
    expect(sock.sent.slice(before)).toEqual(['{"type":"hello","n":2}', msg(99).toString()]);
    expect(box.stats().lost).toBe(0);
  });

  it('a closed socket gets nothing', () => {
    const sock = new FakeSocket();
    sock.open = false;
    const box = new Outbox(sock, 1000);
    box.stream(msg(1), 'event');
    box.reply(Buffer.from('x'));
    box.hello(Buffer.from('y'));
    expect(sock.sent).toEqual([]);
  });
});
