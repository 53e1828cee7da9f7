/**
 * `GET /api/trace/<probe>.pcap` (the probe's frames as captured on every wire, a download) and
 * `GET /api/trace/<probe>.json` (`{ probe, events, verdict }`), answered from the server's
 * TraceStore. An unknown or expired probe is a 404 that says why.
 */
import type { TraceStore } from './trace-store.js';

export interface TraceResource {
  readonly type: string;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: () => string | Buffer;
}

const TRACE_PATH = /^\/api\/trace\/([1-9][0-9]{0,8})\.(pcap|json)$/;

/** The resource at `path` if it is a trace path, else undefined (the caller's other routes, or 404). */
export function traceResource(path: string, traces: TraceStore, topologyName: string): TraceResource | undefined {
  const match = TRACE_PATH.exec(path);
  if (!match) return undefined;
  const id = Number(match[1]);
  const kind = match[2] as 'pcap' | 'json';
  if (kind === 'json') {
    const json = traces.json(id);
    if (json !== undefined) return { type: 'application/json; charset=utf-8', body: () => json };
  } else {
    const pcap = traces.pcap(id);
    if (pcap !== undefined) {
      const filename = `${topologyName.replace(/[^A-Za-z0-9._-]/g, '_')}-probe-${id}.pcap`;
      return { type: 'application/vnd.tcpdump.pcap', headers: { 'Content-Disposition': `attachment; filename="${filename}"` }, body: () => Buffer.from(pcap.buffer, pcap.byteOffset, pcap.byteLength) };
    }
  }
  const kept = traces.ids();
  const range = kept.length === 0 ? 'none is kept now' : `probes ${kept[0]}-${kept[kept.length - 1]} are kept`;
  return { type: 'text/plain; charset=utf-8', status: 404, body: () => `no trace of probe ${id}: unknown or expired (${range}; the server keeps the last ${traces.limit} probes, and ids restart at 1 after a reset or reload)\n` };
}
