/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Each client has one for the
 * probes it injects, so one client cannot keep the shared simulator busy alone. The caller
 * passes the time (ms), which keeps the bucket a pure value to test.
 */
export interface RateLimit {
  /** Tokens (probes) added per second. */
  readonly perSecond: number;
  /** The most tokens the bucket holds: the largest burst a client may send at once. */
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly limit: RateLimit, now: number) {
    this.tokens = limit.burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = Math.max(this.last, now);
  }

  /** Takes `cost` tokens if there are that many; otherwise takes none. */
  take(cost: number, now: number): boolean {
    this.refill(now);
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens are there (Infinity when `cost` exceeds the burst). */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    if (cost > this.limit.burst) return Infinity;
    if (cost <= this.tokens) return 0;
    return Math.ceil(((cost - this.tokens) / this.limit.perSecond) * 1000);
  }
}
