/**
 * `vnet audit FILE [--json] [--probes PROBES.yaml]`: the security audit of a topology — rules
 * shadowed or made redundant, groups no port uses, sensitive ports open to the world, remote
 * groups with no members, network-ACL rules that never match, LB health checks the groups
 * block — and, with probes, how often each rule allowed something. Text grouped by kind (plain
 * when not a TTY) or JSON `{ findings, hits?, probes? }`. Exit 0 when no finding is a warning,
 * 1 when one is, 2 when the topology or probes file cannot be read or is invalid.
 */
import { readFileSync } from 'node:fs';
import { placeAclFindings } from '../audit/acl-shadowing.js';
import { auditCloud, withProject } from '../audit/audit.js';
import { hasWarnings, KIND_ORDER, KIND_TITLES, sortFindings, type Finding } from '../audit/findings.js';
import { countHits, findUnusedRules, type HitReport } from '../audit/hits.js';
import { parseProbes } from '../audit/probes.js';
import { formatIssue, formatPath, type Issue } from '../topology/issue.js';
import { parseTopology } from '../topology/load.js';
import { readSource, type Position } from '../topology/source.js';
import type { Io } from './io.js';
import { renderTable } from './table.js';

export interface AuditOptions {
  readonly json?: boolean;
  /** A probes file (YAML or JSON): count how often each rule allows something. */
  readonly probes?: string;
}

/** Exit codes: clean, warnings found, input unreadable or invalid. */
export const AUDIT_EXIT = { clean: 0, findings: 1, invalid: 2 } as const;

type Placed = Finding & { readonly line?: number; readonly col?: number };

export function runAudit(file: string, opts: AuditOptions, io: Io): number {
  const invalid = (issues: readonly Issue[]) => {
    for (const issue of issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return AUDIT_EXIT.invalid;
  };
  const text = readText(file);
  if (typeof text !== 'string') return invalid([text]);
  const loaded = parseTopology(text, file);
  if (!loaded.ok) return invalid(loaded.issues);
  const cloud = loaded.cloud;
  const read = readSource(text, file);
  const document = read.ok ? read.source.value : undefined;
  const locate = (f: Finding): Position | undefined => (read.ok ? read.source.locate(f.path) : undefined);

  let findings = placeAclFindings(auditCloud(cloud), document);
  let report: HitReport | undefined;
  if (opts.probes !== undefined) {
    const probeText = readText(opts.probes);
    if (typeof probeText !== 'string') return invalid([probeText]);
    const probes = parseProbes(probeText, cloud, opts.probes);
    if (!probes.ok) return invalid(probes.issues);
    report = countHits(cloud, probes.probes);
    findings = sortFindings([...findings, ...findUnusedRules(cloud, report)]).map((f) => withProject(cloud, f));
  }
  const placed: Placed[] = findings.map((f) => ({ ...f, ...(locate(f) ?? {}) }));
  const code = hasWarnings(findings) ? AUDIT_EXIT.findings : AUDIT_EXIT.clean;

  if (opts.json) {
    io.out(JSON.stringify({
      file, findings: placed,
      ...(report ? { hits: report.hits, probes: report.probes } : {}),
      summary: summaryOf(findings),
      ...(cloud.projects.size > 1 ? { projects: Object.fromEntries([...cloud.projects.keys()].map((p) => [p, summaryOf(findings.filter((f) => f.project === p))])) } : {}),
    }, null, 2));
    return code;
  }
  for (const w of loaded.warnings) io.err(io.errStyle.yellow('warning: ') + formatIssue(w).replace(': warning: ', ': '));
  io.out(renderAudit(file, cloud.name, placed, report, io, cloud.projects.size > 1 ? [...cloud.projects.keys()] : undefined));
  return code;
}

/** With `projects` (a file that declares them), the findings come in one block per project. */
export function renderAudit(file: string, name: string, findings: readonly Placed[], report: HitReport | undefined, io: Io, projects?: readonly string[]): string {
  const s = io.outStyle;
  const sections: string[] = [s.bold(s.cyan(`audit ${name}`)) + s.dim(` (${file})`)];
  const section = (title: string, body: string) => sections.push(`\n${s.bold(title)}\n${body}`);
  if (report) {
    section(`Probes (${report.probes.length})`, report.probes.length === 0 ? s.dim('no probes') : renderTable(['#', 'probe', 'verdict'],
      report.probes.map((p, i) => [String(i + 1), `${p.from} → ${p.to} ${p.proto === 'icmp' ? 'icmp echo' : `${p.proto}/${p.port}`}`, p.verdict]), s));
    section('Rule hits', report.hits.length === 0 ? s.dim('no security group filters an instance port') : renderTable(['group', '#', 'rule', 'hits'],
      report.hits.map((h, i) => [
        i === 0 || report.hits[i - 1]!.group !== h.group ? h.group : '', `#${h.rule}`,
        h.text + (h.origin === 'default' ? s.dim(' (default)') : ''), h.hits === 0 ? s.dim('0') : String(h.hits),
      ]), s));
  }
  const blocks = projects ? projects.map((p) => ({ title: ` — project ${p}`, findings: findings.filter((f) => f.project === p) })) : [{ title: '', findings }];
  for (const block of blocks) for (const kind of KIND_ORDER) {
    const of = block.findings.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    section(`${KIND_TITLES[kind]}${block.title} (${of.length})`, renderTable(['severity', 'at', 'path', 'finding'],
      of.map((f) => [
        f.severity === 'warning' ? s.yellow('warning') : s.cyan('info'),
        f.line !== undefined ? `${f.line}:${f.col ?? 1}` : '-',
        formatPath(f.path) + (f.kind === 'acl-unreachable-rule' && f.path.length === 3 ? ` #${f.rule}` : ''),
        f.message,
      ]), s));
  }
  const { warnings, info } = summaryOf(findings);
  const summary = warnings + info === 0
    ? s.green('clean: no findings')
    : `${warnings === 0 ? s.green('0 warnings') : s.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`)}, ${info} info`;
  sections.push(`\n${summary}`);
  return sections.join('\n');
}

const summaryOf = (findings: readonly Finding[]) => ({
  warnings: findings.filter((f) => f.severity === 'warning').length,
  info: findings.filter((f) => f.severity === 'info').length,
});

/** The file's text, or an Issue saying why it cannot be read (as read-topology.ts words it). */
function readText(file: string): string | Issue {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { severity: 'error', code: 'file', path: [], message: `cannot read the file: ${why}`, file };
  }
}
