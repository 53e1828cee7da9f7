/**
 * Trace events: one per stage a packet passes (docs/trace-json.md). One discriminated shape for all:
 * where (node, port), when (virtual µs, seq), what (stage, action), the packet's one-line
 * summary and its structured headers, the wire it crossed to get here, and a detail object
 * that is specific to the stage (the matched route, the learned MAC, headers before and after
 * a rewrite). The JSON form is this object as it is.
 */
import type { Stage } from '../engine/pipeline.js';

/** Which way a frame is going relative to the probe that caused it. */
export type Direction = 'forward' | 'reply' | 'control';

export interface TraceEvent {
  readonly seq: number;
  /** The probe this event belongs to (0: background work such as health checks). */
  readonly probe: number;
  /** Virtual time in microseconds since the simulation started. */
  readonly t: number;
  /** Graph node id: `instance:web-1`, `network:app`, `router:edge`, `internet`, `host:client`. */
  readonly node: string;
  /** Port id where the stage happened (`web-1/eth0`), or null inside a node. */
  readonly port: string | null;
  readonly stage: Stage;
  readonly action: string;
  readonly packet: string;
  readonly direction: Direction;
  readonly detail: Readonly<Record<string, unknown>>;
  /**
   * The frame or packet the stage traced, field by field (trace/headers.ts); null for a text (a
   * health check's result). The simulator always sets it and `link`; they are optional so that
   * events made by hand (tests, older JSON) still type-check, and readers fall back to `packet`.
   */
  readonly headers?: PacketHeaders | null;
  /**
   * The wire the traced frame crossed to reach this node, when the event is about the frame
   * that arrived (or its packet); null for anything else (a probe leaving its sender, an answer
   * a node makes, a rewritten packet, timers).
   */
  readonly link?: TraceLink | null;
}

export interface EthHeader {
  readonly src: string;
  readonly dst: string;
  /** Ethertype: 2048 (IPv4), 2054 (ARP), 34525 (IPv6). */
  readonly type: number;
}

export interface ArpHeader {
  readonly op: 'request' | 'reply';
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export type IpHeader =
  | { readonly version: 4; readonly src: string; readonly dst: string; readonly ttl: number; readonly hopLimit?: undefined; readonly proto: number }
  | { readonly version: 6; readonly src: string; readonly dst: string; readonly hopLimit: number; readonly ttl?: undefined; readonly proto: number };

export type L4Header =
  /** flags: TCP's flag bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
  | { readonly proto: 'tcp'; readonly sport: number; readonly dport: number; readonly flags: number }
  | { readonly proto: 'udp'; readonly sport: number; readonly dport: number }
  | {
    readonly proto: 'icmp'; readonly type: number; readonly code: number; readonly id?: number; readonly seq?: number;
    /** Neighbour discovery's target address and link-layer address option. */
    readonly target?: string; readonly lladdr?: string;
    /** The packet an ICMP error is about. */
    readonly quoted?: { readonly ip: IpHeader; readonly l4: L4Header };
  };

/** A frame's headers (eth, then arp or ip and l4), or a packet's (eth null). */
export interface PacketHeaders {
  readonly eth: EthHeader | null;
  readonly arp?: ArpHeader;
  readonly ip: IpHeader | null;
  readonly l4: L4Header | null;
}

export interface TraceLink {
  /** The sending node and port, and the receiving node (the event's) and port: the two ends of the wire. */
  readonly from: string;
  readonly fromPort: string;
  readonly to: string;
  readonly toPort: string;
  /** The crossing's number in the simulation (every frame put on a wire counts one): the events of one arrival share it. */
  readonly crossing: number;
}
