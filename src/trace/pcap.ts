/**
 * Captured frames as a classic libpcap file (the format of tcpdump -w; Wireshark's "pcap"):
 * a 24-byte global header (magic 0xa1b2c3d4 in little-endian order, version 2.4, snaplen
 * 65535, LINKTYPE_ETHERNET), then per frame a 16-byte record header and its bytes. Timestamps
 * are the virtual clock's µs, so a capture starts at the Unix epoch and reads the same every
 * run. Pure: returns bytes, the shell writes them. The records come from a capture (frames
 * encoded where they went on a wire) or from trace events, which carry each frame's headers and
 * the wire it crossed (recordsFromEvents).
 * Format: https://www.tcpdump.org/manpages/pcap-savefile.5.html
 */
import { encodeFrame } from '../packet/encode.js';
import type { TraceEvent } from './events.js';
import { frameOfHeaders } from './headers.js';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_SNAPLEN = 65535;
export const LINKTYPE_ETHERNET = 1;

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/** One frame as it went on a wire: when (virtual µs) and its bytes. */
export interface PcapRecord {
  readonly t: number;
  readonly bytes: Uint8Array;
}

export function writePcap(records: readonly PcapRecord[]): Uint8Array {
  let size = GLOBAL_HEADER;
  for (const r of records) size += RECORD_HEADER + Math.min(r.bytes.length, PCAP_SNAPLEN);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // thiszone and sigfigs (8..15) stay zero: timestamps are UTC.
  view.setUint32(16, PCAP_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  let at = GLOBAL_HEADER;
  for (const r of records) {
    const us = Math.max(0, Math.floor(r.t));
    const seconds = Math.floor(us / 1e6);
    const kept = Math.min(r.bytes.length, PCAP_SNAPLEN);
    view.setUint32(at, seconds, true);
    view.setUint32(at + 4, us - seconds * 1e6, true);
    view.setUint32(at + 8, kept, true);
    view.setUint32(at + 12, r.bytes.length, true);
    out.set(kept === r.bytes.length ? r.bytes : r.bytes.subarray(0, kept), at + RECORD_HEADER);
    at += RECORD_HEADER + kept;
  }
  return out;
}

/**
 * One record per wire crossing in `events`, from the first of its events that traced the frame
 * with its Ethernet header, stamped with the arrival's time: the frames a trace saw go over
 * wires, without a capture. A crossing whose arrival no stage traced (a frame a node ignored
 * silently) is not in it. Throws, naming the event, on headers that do not describe a frame.
 */
export function recordsFromEvents(events: readonly TraceEvent[]): PcapRecord[] {
  const out: PcapRecord[] = [];
  const seen = new Set<number>();
  for (const e of events) {
    if (!e.link || !e.headers?.eth || seen.has(e.link.crossing)) continue;
    seen.add(e.link.crossing);
    const frame = frameOfHeaders(e.headers, `event ${e.seq}: headers`)!;
    out.push({ t: e.t, bytes: encodeFrame(frame) });
  }
  return out;
}
