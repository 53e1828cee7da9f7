/**
 * `vnet trace FILE --from A --to B [--proto tcp|udp|icmp] [--port N] [--count N] [--json] [--pcap OUT] [--expect VERDICT]`:
 * runs probes in one simulation (caches and state carry over between them) and prints each
 * hop-by-hop trace and its verdict, or the JSON contract of docs/trace-json.md; `--pcap` also writes
 * the probes' frames, captured on every wire they crossed, as a pcap file; `--expect` exits 1
 * when a probe's verdict is another.
 */
import { writeFileSync } from 'node:fs';
import { Simulator } from '../engine/simulator.js';
import { VERDICTS } from '../audit/probes.js';
import { blocker } from './test-report.js';
import { checkProbe, MAX_PROBE_COUNT, resolveProbe } from '../probe/probe.js';
import { formatIssue, type Issue } from '../topology/issue.js';
import { writePcap } from '../trace/pcap.js';
import type { Verdict } from '../trace/verdict.js';
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
  readonly expect?: string;
}

/**
 * A probe's problem worded for the command line: the flag, the value given when it is a name
 * (`--from web-9: no instance or external host named "web-9"`), then what is wrong.
 */
function flagText(issue: Issue, opts: TraceOptions): string {
  const key = issue.path[0];
  if (key === undefined) return issue.message;
  if (issue.code === 'missing-key') return `--${key} is needed: ${issue.message}`;
  const given = key === 'from' || key === 'to' ? ` ${opts[key]}` : '';
  return `--${key}${given}: ${issue.message}`;
}

/** `--port 80` is the number 80; text that is not a whole number stays text, for the checker to refuse as given. */
const portValue = (text: string | undefined): unknown => (text !== undefined && /^[0-9]{1,6}$/.test(text) ? Number(text) : text);

export function runTrace(file: string, opts: TraceOptions, io: Io): number {
  const fail = (message: string) => { io.err(io.errStyle.red('error: ') + message); return 1; };
  const checked = checkProbe({ from: opts.from, to: opts.to, proto: opts.proto, port: portValue(opts.port), ipv6: opts.ipv6 ?? false });
  if (!checked.ok) {
    for (const issue of checked.issues) fail(flagText(issue, opts));
    return 1;
  }
  const count = opts.count === undefined ? 1 : Number(opts.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_PROBE_COUNT) return fail(`--count ${opts.count}: expected a whole number 1-${MAX_PROBE_COUNT}`);
  const level = (opts.level ?? 'detailed') as TraceLevel;
  if (level !== 'detailed' && level !== 'minimal' && level !== 'summary') return fail(`--level ${opts.level}: expected detailed, minimal or summary`);

  if (opts.explain !== undefined && opts.explain !== 'all' && opts.explain !== 'first') return fail(`--explain ${opts.explain}: expected all or first`);
  if (opts.expect !== undefined && !(VERDICTS as readonly string[]).includes(opts.expect)) return fail(`--expect ${opts.expect}: expected one of ${VERDICTS.join(', ')}`);

  const loaded = loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return 1;
  }
  const resolved = resolveProbe(loaded.cloud, checked.probe);
  if (!resolved.ok) {
    for (const issue of resolved.issues) fail(flagText(issue, opts));
    return 1;
  }
  const { proto, port, spec } = resolved.probe;

  const sim = new Simulator(loaded.cloud, { explainAll: opts.explain === 'all', capture: opts.pcap !== undefined });
  const verdicts: Verdict[] = [];
  for (let i = 0; i < count; i++) {
    verdicts.push(sim.probe(spec));
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
  // After the output, so a failing CI job shows the trace that explains the mismatch.
  const mismatches = (): number => {
    if (opts.expect === undefined) return 0;
    let code = 0;
    verdicts.forEach((v, i) => {
      if (v.verdict === opts.expect) return;
      fail(`--expect ${opts.expect}: probe ${i + 1}/${count} was ${v.verdict}${blocker(v)}`);
      code = 1;
    });
    return code;
  };
  if (opts.json) {
    io.out(JSON.stringify(count === 1 ? verdictJson(verdicts[0]!) : verdicts.map(verdictJson), null, 2));
    return mismatches();
  }
  const s = io.outStyle;
  verdicts.forEach((v, i) => {
    if (i > 0) io.out('');
    const what = proto === 'icmp' ? 'icmp echo' : `${proto}/${port}`;
    io.out(s.bold(`trace ${i + 1}/${count}: ${opts.from} → ${opts.to} ${what}`));
    for (const line of renderEvents(v.events, s, level)) io.out(line);
    for (const line of renderVerdict(v, s)) io.out(line);
  });
  return mismatches();
}
