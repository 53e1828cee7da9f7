/**
 * `vnet trace FILE --from A --to B [--proto tcp|udp|icmp] [--port N] [--count N] [--json] [--pcap OUT]`:
 * runs probes in one simulation (caches and state carry over between them) and prints each
 * hop-by-hop trace and its verdict, or the JSON contract of docs/trace-json.md; `--pcap` also writes
 * the probes' frames, captured on every wire they crossed, as a pcap file.
 */
import { writeFileSync } from 'node:fs';
import { resolveDestination, resolveSource } from '../engine/endpoints.js';
import { Simulator } from '../engine/simulator.js';
import { formatIssue } from '../topology/issue.js';
import { writePcap } from '../trace/pcap.js';
import { renderEvents, renderVerdict, verdictJson, type TraceLevel } from '../trace/render.js';
import type { Io } from './io.js';
import { loadTopologyFile } from '../files/read-topology.js';

export interface TraceOptions {
  readonly from: string;
  readonly to: string;
  readonly proto?: string;
  readonly port?: string;
  readonly count?: string;
  readonly json?: boolean;
  readonly level?: string;
  readonly ipv6?: boolean;
  readonly explain?: string;
  readonly pcap?: string;
}

export function runTrace(file: string, opts: TraceOptions, io: Io): number {
  const fail = (message: string) => { io.err(io.errStyle.red('error: ') + message); return 1; };
  const proto = (opts.proto ?? (opts.port !== undefined ? 'tcp' : 'icmp')).toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp') return fail(`--proto ${opts.proto}: expected tcp, udp or icmp`);
  let port = 0;
  if (proto !== 'icmp') {
    if (opts.port === undefined) return fail(`--proto ${proto} needs --port N (1-65535)`);
    port = Number(opts.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`--port ${opts.port}: expected a port number 1-65535`);
  } else if (opts.port !== undefined) {
    return fail('--port applies to tcp and udp; ICMP probes are echo requests');
  }
  const count = opts.count === undefined ? 1 : Number(opts.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) return fail(`--count ${opts.count}: expected a whole number 1-10000`);
  const level = (opts.level ?? 'detailed') as TraceLevel;
  if (level !== 'detailed' && level !== 'minimal') return fail(`--level ${opts.level}: expected detailed or minimal`);

  if (opts.explain !== undefined && opts.explain !== 'all' && opts.explain !== 'first') return fail(`--explain ${opts.explain}: expected all or first`);

  const loaded = loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return 1;
  }
  const cloud = loaded.cloud;
  const src = resolveSource(cloud, opts.from);
  if (!src.ok) return fail(src.message);
  const dst = resolveDestination(cloud, opts.to, opts.ipv6 ? 6 : undefined);
  if (!dst.ok) return fail(dst.message);

  const sim = new Simulator(cloud, { explainAll: opts.explain === 'all', capture: opts.pcap !== undefined });
  const verdicts = [];
  for (let i = 0; i < count; i++) {
    verdicts.push(sim.probe({ from: src.value.node, to: dst.value, proto, port, ...(src.value.ip !== undefined ? { src: src.value.ip } : {}) }));
  }
  if (opts.pcap !== undefined && sim.capture) {
    // Health checks (probe 0) run between and around probes; the file holds the probes' frames only.
    const frames = sim.capture.drain().filter((f) => f.probe > 0);
    try {
      writeFileSync(opts.pcap, writePcap(frames));
    } catch (e) {
      return fail(`--pcap ${opts.pcap}: cannot write the capture: ${(e as Error).message}`);
    }
    io.err(`wrote ${frames.length} frame${frames.length === 1 ? '' : 's'} to ${opts.pcap}`);
  }
  if (opts.json) {
    io.out(JSON.stringify(count === 1 ? verdictJson(verdicts[0]!) : verdicts.map(verdictJson), null, 2));
    return 0;
  }
  const s = io.outStyle;
  verdicts.forEach((v, i) => {
    if (i > 0) io.out('');
    const what = proto === 'icmp' ? 'icmp echo' : `${proto}/${port}`;
    io.out(s.bold(`trace ${i + 1}/${count}: ${opts.from} → ${opts.to} ${what}`));
    for (const line of renderEvents(v.events, s, level)) io.out(line);
    for (const line of renderVerdict(v, s)) io.out(line);
  });
  return 0;
}
