/**
 * The probes file of `vnet audit --probes`: a list of the traffic the cloud is meant to carry,
 *
 *     probes:
 *       - { from: web-1, to: db-1, proto: tcp, port: 5432 }
 *       - { from: client, to: web-lb, port: 80 }        # proto tcp when a port is given
 *       - { from: web-1, to: db-1 }                     # icmp echo
 *       - { from: web-1, to: web-2, port: 80, spoof: 10.0.0.99 }  # from an address not web-1's
 *
 * read like a topology (YAML or JSON, source.ts); each probe is checked and resolved as
 * `vnet trace` and the server check theirs (probe/probe.ts), and every problem is an Issue with
 * its path, line and column, all reported at once. Pure: the caller reads the file.
 */
import { checkProbe, resolveProbe, type ResolvedProbe } from '../probe/probe.js';
import { suggestion } from '../topology/did-you-mean.js';
import { describeValue, type Issue, type Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { readSource } from '../topology/source.js';

export type ProbesResult = { ok: true; probes: ResolvedProbe[] } | { ok: false; issues: Issue[] };

export function parseProbes(text: string, cloud: Cloud, file?: string): ProbesResult {
  const read = readSource(text, file);
  if (!read.ok) return { ok: false, issues: read.issues };
  const issues: Issue[] = [];
  const error = (path: Path, code: string, message: string) => issues.push({ severity: 'error', code, path, message });
  const probes: ResolvedProbe[] = [];
  checkProbes(read.source.value, error).forEach((item, i) => {
    const at: Path = ['probes', i];
    const checked = checkProbe(item, { spoof: true });
    if (!checked.ok) {
      // A missing key has no place in the file: it is reported where its probe is, as in topologies.
      for (const is of checked.issues) {
        if (is.code === 'missing-key') error(at, is.code, `missing key "${is.path[0]}": ${is.message}`);
        else error([...at, ...is.path], is.code, is.message);
      }
      return;
    }
    const resolved = resolveProbe(cloud, checked.probe);
    if (!resolved.ok) {
      for (const is of resolved.issues) {
        const key = is.path[0];
        const named = key === 'from' || key === 'to' ? `${checked.probe[key]}: ` : '';
        error([...at, ...is.path], is.code, `${named}${is.message}`);
      }
      return;
    }
    probes.push(resolved.probe);
  });
  if (issues.length > 0) {
    const placed = issues.map((i) => ({ ...i, ...(file !== undefined ? { file } : {}), ...(read.source.locate(i.path, i.code === 'unknown-key') ?? {}) }));
    return { ok: false, issues: placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)) };
  }
  return { ok: true, probes };
}

/** The document: a map with one key, `probes`, a list; its items are checked by checkProbe. */
function checkProbes(value: unknown, error: (path: Path, code: string, message: string) => void): unknown[] {
  if (!isMap(value)) {
    error([], 'not-a-map', `expected a map with a "probes" list, got ${describeValue(value)}`);
    return [];
  }
  for (const key of Object.keys(value)) {
    if (key !== 'probes') error([key], 'unknown-key', `unknown key "${key}"${suggestion(key, ['probes'])} (expected: probes)`);
  }
  const list = value['probes'];
  if (list === undefined) {
    error([], 'missing-key', 'missing key "probes": a list such as [{ from: web-1, to: db-1, proto: tcp, port: 5432 }]');
    return [];
  }
  if (!Array.isArray(list)) {
    error(['probes'], 'type', `expected a list of probes, got ${describeValue(list)}`);
    return [];
  }
  return list;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
