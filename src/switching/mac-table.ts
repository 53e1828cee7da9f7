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

export class MacTable {
  private readonly entries = new Map<Mac, MacEntry>();

  constructor(private readonly ageing = MAC_AGEING_US) {}

  learn(mac: Mac, port: string, now: number): { result: LearnResult; from?: string } {
    const old = this.entries.get(mac);
    this.entries.set(mac, { port, seen: now });
    if (!old || now - old.seen > this.ageing) return { result: 'learned' };
    if (old.port !== port) return { result: 'moved', from: old.port };
    return { result: 'refreshed' };
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
    return [...this.entries].filter(([, e]) => now - e.seen <= this.ageing);
  }
}
