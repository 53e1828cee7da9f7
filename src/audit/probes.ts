/**
 * The probes file of `vnet audit --probes`: a list of the traffic the cloud is meant to carry,
 *
 *     probes:
 *       - { from: web-1, to: db-1, proto: tcp, port: 5432 }
 *       - { from: client, to: web-lb, port: 80 }        # proto tcp when a port is given
 *       - { from: web-1, to: db-1 }                     # icmp echo
 *       - { from: web-1, to: web-2, port: 80, spoof: 10.0.0.99 }  # from an address not web-1's
 *       - { name: db-closed, from: client, to: db-1, port: 5432, expect: dropped }
 *       - { from: web-1, to: 8.8.8.8, port: 53, proto: udp, expect: delivered, observed_src: 203.0.113.10 }
 *
 * `expect` (a verdict), `observed_src` (the source address the far end must see) and `name` are
 * what `vnet test` checks; `vnet audit` and `vnet conform` take the same file and ignore them.
 * read like a topology (YAML or JSON, source.ts); each probe is checked and resolved as
 * `vnet trace` and the server check theirs (probe/probe.ts), and every problem is an Issue with
 * its path, line and column, all reported at once. Pure: the caller reads the file.
 */
import { formatIp, parseIp } from '../address/ip.js';
import { checkProbe, resolveProbe, type ResolvedProbe } from '../probe/probe.js';
import { suggestion } from '../topology/did-you-mean.js';
import { describeValue, type Issue, type Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { readSource } from '../topology/source.js';
import { VERDICT_KINDS, type VerdictKind } from '../trace/verdict.js';

/** The verdicts a probe may `expect`, as the trace JSON contract names them. */
export const VERDICTS: readonly VerdictKind[] = VERDICT_KINDS;
/** The keys a probe of a probes file takes beyond those of probe/probe.ts. */
const TEST_KEYS = ['name', 'expect', 'observed_src', 'member'] as const;
/** The keys of the file: its probes, and the intents `vnet test` checks (src/intents). */
const FILE_KEYS = ['probes', 'intents'];

/** A probe of the file: resolved, with what `vnet test` checks when the file says so. */
export interface FileProbe extends ResolvedProbe {
  readonly name?: string;
  readonly expect?: VerdictKind;
  /** The source address the far end must see, in its canonical text form. */
  readonly observedSrc?: string;
  /** The load-balancer member (an instance's name) that must answer. */
  readonly member?: string;
}

export type ProbesResult = { ok: true; probes: FileProbe[] } | { ok: false; issues: Issue[] };

export function parseProbes(text: string, cloud: Cloud, file?: string): ProbesResult {
  const read = readSource(text, file);
  if (!read.ok) return { ok: false, issues: read.issues };
  const issues: Issue[] = [];
  const error = (path: Path, code: string, message: string) => issues.push({ severity: 'error', code, path, message });
  const probes: FileProbe[] = [];
  checkProbes(read.source.value, error).forEach((item, i) => {
    const at: Path = ['probes', i];
    const checked = checkProbe(item, { spoof: true, otherKeys: TEST_KEYS });
    const expectations = checkExpectations(item, cloud, (path, code, message) => error([...at, ...path], code, message));
    if (!checked.ok || !expectations) {
      if (checked.ok) return;
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
    probes.push({ ...resolved.probe, ...expectations });
  });
  if (issues.length > 0) {
    const placed = issues.map((i) => ({ ...i, ...(file !== undefined ? { file } : {}), ...(read.source.locate(i.path, i.code === 'unknown-key') ?? {}) }));
    return { ok: false, issues: placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)) };
  }
  return { ok: true, probes };
}

/** The document: a map with `probes`, a list whose items checkProbe checks, and optionally `intents` (src/intents). */
function checkProbes(value: unknown, error: (path: Path, code: string, message: string) => void): unknown[] {
  if (!isMap(value)) {
    error([], 'not-a-map', `expected a map with a "probes" list, got ${describeValue(value)}`);
    return [];
  }
  for (const key of Object.keys(value)) {
    if (!FILE_KEYS.includes(key)) error([key], 'unknown-key', `unknown key "${key}"${suggestion(key, FILE_KEYS)} (expected: ${FILE_KEYS.join(', ')})`);
  }
  const list = value['probes'];
  // A tests file may hold intents alone (src/intents reads them; vnet audit and conform ignore them).
  if (list === undefined && value['intents'] !== undefined) return [];
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

/** `name`, `expect`, `observed_src` and `member` of one probe; undefined when one of them is wrong (each reported). */
function checkExpectations(item: unknown, cloud: Cloud, error: (path: Path, code: string, message: string) => void): Pick<FileProbe, 'name' | 'expect' | 'observedSrc' | 'member'> | undefined {
  if (!isMap(item)) return {};
  let ok = true;
  const out: { name?: string; expect?: VerdictKind; observedSrc?: string; member?: string } = {};
  const { name, expect, observed_src: observed, member } = item;
  if (name !== undefined) {
    if (typeof name === 'string' && name !== '' && name.length <= 256) out.name = name;
    else { ok = false; error(['name'], 'type', `expected a name for the probe (text of 1-256 characters), got ${describeValue(name)}`); }
  }
  if (expect !== undefined) {
    if (typeof expect === 'string' && (VERDICTS as readonly string[]).includes(expect)) out.expect = expect as VerdictKind;
    else {
      ok = false;
      const near = typeof expect === 'string' ? suggestion(expect.slice(0, 64), VERDICTS) : '';
      error(['expect'], 'enum', `expected one of ${VERDICTS.join(', ')}, got ${describeValue(expect)}${near}`);
    }
  }
  if (observed !== undefined) {
    const ip = typeof observed === 'string' ? parseIp(observed) : undefined;
    if (ip !== undefined) out.observedSrc = formatIp(ip);
    else { ok = false; error(['observed_src'], 'ip', `expected the IP address the destination must see as the source, got ${describeValue(observed)}`); }
  }
  if (member !== undefined) {
    if (typeof member === 'string' && cloud.instances.has(member)) out.member = member;
    else {
      ok = false;
      const near = typeof member === 'string' ? suggestion(member.slice(0, 64), [...cloud.instances.keys()]) : '';
      error(['member'], 'unknown-member', `expected the name of the instance (a load-balancer member) that must answer, got ${describeValue(member)}${near}`);
    }
  }
  return ok ? out : undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
