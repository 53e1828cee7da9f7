/**
 * A learning switch's forwarding table (IEEE 802.1D §7.8): source MAC → the port it was last
 * seen on, with the time, aged out after 300 s of virtual time (the 802.1D and OVS default).
 */
import type { Mac } from '../address/mac.js';

export const MAC_AGEING_US = 300_000_000;

export interface MacEntry {
  readonly port: string;
  readonly seen: number;
}

export type LearnResult = 'learned' | 'refreshed' | 'moved';

/** The answers without a `from`, shared: learning runs for every frame a switch sees. */
const LEARNED = { result: 'learned' } as const;
const REFRESHED = { result: 'refreshed' } as const;

export class MacTable {
  /** Entries are updated in place (a frame refreshes its source's entry); snapshots copy them. */
  private readonly entries = new Map<Mac, { port: string; seen: number }>();

  constructor(private readonly ageing = MAC_AGEING_US) {}

  learn(mac: Mac, port: string, now: number): { readonly result: LearnResult; readonly from?: string } {
    const e = this.entries.get(mac);
    if (!e) {
      this.entries.set(mac, { port, seen: now });
      return LEARNED;
    }
    const { port: before, seen } = e;
    e.port = port;
    e.seen = now;
    if (now - seen > this.ageing) return LEARNED;
    if (before !== port) return { result: 'moved', from: before };
    return REFRESHED;
  }

  lookup(mac: Mac, now: number): string | undefined {
    const e = this.entries.get(mac);
    if (!e) return undefined;
    if (now - e.seen > this.ageing) {
      this.entries.delete(mac);
      return undefined;
    }
    return e.port;
  }

  /** Current entries (aged ones excluded), for the viewer and tests. */
  snapshot(now: number): [Mac, MacEntry][] {
    return [...this.entries].filter(([, e]) => now - e.seen <= this.ageing).map(([mac, e]) => [mac, { port: e.port, seen: e.seen }]);
  }
}
