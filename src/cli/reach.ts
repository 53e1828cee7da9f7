/**
 * `vnet reach FILE [--json] [--from A] [--to B] [--project P]`: the reachability matrix as a
 * table (what can reach what, on which service, and why not) or as JSON; `--project` keeps the
 * rows whose source is in project P.
 */
import { formatIssue } from '../topology/issue.js';
import { suggestion } from '../topology/did-you-mean.js';
import { reachMatrix } from '../reach/matrix.js';
import type { Io } from './io.js';
import { loadTopologyFile } from '../files/read-topology.js';
import { renderTable } from './table.js';
import { isFailing, renderMatrix } from './reach-view.js';
import { countHits } from '../audit/hits.js';
import { resolveProbe, type ResolvedProbe } from '../probe/probe.js';
import type { Cloud } from '../topology/model.js';
import type { ReachRow } from '../reach/matrix.js';

/** A row's probe, sent to the address the row names (`row.to` may be a name with several). */
function probeOf(cloud: Cloud, row: ReachRow): ResolvedProbe {
  const [proto, port] = row.service.split('/') as ['tcp' | 'udp', string];
  const r = resolveProbe(cloud, { from: row.from, to: row.address, proto, port: Number(port), ipv6: row.address.includes(':'), spoof: null });
  if (!r.ok) throw new Error(`reach row ${row.from} → ${row.to} does not resolve`);
  return { ...r.probe, to: row.to };
}

export function runReach(file: string, opts: { json?: boolean; from?: string; to?: string; project?: string; hits?: boolean; failing?: boolean; matrix?: boolean }, io: Io): number {
  const loaded = loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return 1;
  }
  if (opts.project !== undefined && !loaded.cloud.projects.has(opts.project)) {
    io.err(io.errStyle.red('error: ') + `--project ${opts.project}: no such project (the file has: ${[...loaded.cloud.projects.keys()].join(', ')})${suggestion(opts.project, [...loaded.cloud.projects.keys()])}`);
    return 1;
  }
  const all = reachMatrix(loaded.cloud, { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), ...(opts.project !== undefined ? { project: opts.project } : {}) });
  const r = opts.failing ? { ...all, rows: all.rows.filter(isFailing) } : all;
  if (opts.matrix && !opts.json) {
    for (const line of renderMatrix(r.rows)) io.out(line);
    if (r.sampled) io.out(io.outStyle.yellow(`sampled: ${r.sampled.probed} of ${r.sampled.total} class pairs, evenly spread (narrow with --from/--to for all of them)`));
    return 0;
  }
  // Rule hit counts over the matrix's probes: which rules the matrix's traffic actually uses.
  const hits = opts.hits ? countHits(loaded.cloud, r.rows.map((row) => probeOf(loaded.cloud, row))) : undefined;
  if (opts.json) {
    io.out(JSON.stringify(hits ? { ...r, hits: hits.hits } : r, null, 2));
    return 0;
  }
  const s = io.outStyle;
  const colour = (v: string) => (v === 'delivered' ? s.green(v) : v === 'refused' ? s.yellow(v) : s.red(v));
  const more = (list: readonly string[], name: string) => (list.length > 1 ? `${name} (+${list.length - 1} alike)` : name);
  io.out(renderTable(['from', 'to', 'service', 'verdict', 'reason'],
    r.rows.map((row) => [more(row.fromClass, row.from), `${more(row.toClass, row.to)} ${row.address}`, row.service, colour(row.verdict) + (row.verdict === 'delivered' && !row.reply ? ' (no reply)' : ''), row.verdict === 'delivered' ? '' : row.reason]), s));
  io.out(s.dim(`${r.probes} probes for ${r.pairs} source-destination-service pairs (${r.sources} sources, ${r.destinations} destinations; alike endpoints share one probe)`));
  if (hits) {
    io.out('');
    io.out(renderTable(['group', '#', 'rule', 'hits'], hits.hits.map((h, i) => [i === 0 || hits.hits[i - 1]!.group !== h.group ? h.group : '', `#${h.rule}`, h.text, h.hits === 0 ? s.dim('0 (unused by this matrix)') : String(h.hits)]), s));
  }
  if (r.sampled) io.out(s.yellow(`sampled: ${r.sampled.probed} of ${r.sampled.total} class pairs, evenly spread (narrow with --from/--to for all of them)`));
  return 0;
}
