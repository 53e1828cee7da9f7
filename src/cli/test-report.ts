/**
 * What `vnet test` found, checked and reported: each probe of a tests file against its
 * expectations (checkOutcome), then the run as text, JSON, JUnit XML (one testcase per probe, a
 * failure element with the message, as CI systems read it) or TAP 13. Pure: the caller prints.
 */
import type { FileProbe } from '../audit/probes.js';
import type { IntentResult, ProbeText } from '../intents/check.js';
import type { Flow } from '../intents/intents.js';
import type { Verdict } from '../trace/verdict.js';

export const REPORTERS = ['text', 'json', 'junit', 'tap'] as const;
export type Reporter = (typeof REPORTERS)[number];

/** One probe's run: what it expected, what happened, and why it failed (null when it held). */
export interface ProbeOutcome {
  readonly kind?: 'probe';
  readonly name: string;
  readonly probe: FileProbe;
  readonly verdict: Verdict;
  readonly failure: string | null;
}

/** One intent's check over the matrix; the failure shows the counterexample and its trace. */
export interface IntentOutcome {
  readonly kind: 'intent';
  readonly name: string;
  readonly result: IntentResult;
  readonly failure: string | null;
}

export type Outcome = ProbeOutcome | IntentOutcome;

const isIntent = (o: Outcome): o is IntentOutcome => o.kind === 'intent';

const shortNode = (id: string): string => id.replace(/^(instance|network|router|external|host|lb):/, '');

/** A probe as a probes file writes it: `{ from: client, to: db-1, proto: tcp, port: 22 }`. */
export const probeYaml = (p: ProbeText): string => `{ from: ${p.from}, to: ${p.to}, proto: ${p.proto}${p.port !== undefined ? `, port: ${p.port}` : ''} }`;

/** An intent's outcome: null when it holds, else what broke it, the counterexample and its trace. */
export function intentFailure(r: IntentResult): string | null {
  if (r.pass || r.counterexample === null) return null;
  const c = r.counterexample;
  const lines = [`${c.problem}; ${r.violations} of ${r.pairs} source-destination-traffic pairs violate it`, `counterexample: ${probeYaml(c.probe)}`];
  if (c.verdict) {
    lines.push(`${c.verdict.verdict}: ${c.verdict.reason}`);
    const b = c.verdict.drop ?? c.verdict.blockers[0];
    if (b) lines.push(`stopped at ${shortNode(b.node)} (${b.stage}): ${b.reason}`);
    if (c.verdict.path.length) lines.push(`path: ${c.verdict.path.map(shortNode).join(' → ')}`);
  }
  return lines.join('\n');
}

const what = (p: FileProbe): string => (p.proto === 'icmp' ? 'icmp echo' : `${p.proto}/${p.port}`);

/** The probe as a person reads it: its name, or `web-1 → db-1 tcp/5432 expect delivered`. */
export function probeTitle(p: FileProbe): string {
  if (p.name !== undefined) return p.name;
  const expects = [p.expect !== undefined ? `expect ${p.expect}` : '', p.observedSrc !== undefined ? `observed_src ${p.observedSrc}` : '', p.member !== undefined ? `member ${p.member}` : ''].filter((x) => x !== '');
  return [`${p.from} → ${p.to} ${what(p)}`, ...expects].join(' ');
}

/** Where the packet stopped and the rule or reason that stopped it, else the verdict's reason. */
export function blocker(v: Verdict): string {
  const b = v.drop ?? v.blockers[0];
  return b ? `, blocked at ${b.node} (${b.stage}): ${b.reason}` : ` (${v.reason})`;
}

/** The mismatch between the probe's expectations and its verdict, or null when they hold. */
export function checkOutcome(p: FileProbe, v: Verdict): string | null {
  if (p.expect !== undefined && v.verdict !== p.expect) return `expected ${p.expect}, got ${v.verdict}${blocker(v)}`;
  if (p.observedSrc !== undefined) {
    if (v.observed === null) return `expected the destination to see source ${p.observedSrc}, but nothing arrived: ${v.verdict}${blocker(v)}`;
    if (v.observed.src !== p.observedSrc) return `expected the destination to see source ${p.observedSrc}, it saw ${v.observed.src}`;
  }
  if (p.member !== undefined) {
    if (v.lb === null) return `expected member ${p.member} to answer, but no load balancer chose a member: ${v.verdict}${blocker(v)}`;
    if (v.lb.member !== p.member) return `expected member ${p.member} to answer, ${v.lb.node} chose ${v.lb.member} (${v.lb.algorithm})`;
  }
  return null;
}

export interface Summary { readonly total: number; readonly passed: number; readonly failed: number }

export const summarize = (outcomes: readonly Outcome[]): Summary => {
  const failed = outcomes.filter((o) => o.failure !== null).length;
  return { total: outcomes.length, passed: outcomes.length - failed, failed };
};

/** The report in one of the formats; `suite` names the run (the tests file). */
export function renderReport(reporter: Reporter, suite: string, outcomes: readonly Outcome[]): string {
  switch (reporter) {
    case 'text': return textReport(outcomes);
    case 'json': return jsonReport(suite, outcomes);
    case 'junit': return junitReport(suite, outcomes);
    case 'tap': return tapReport(outcomes);
  }
}

function textReport(outcomes: readonly Outcome[]): string {
  const held = (o: Outcome) => (isIntent(o) ? `ok    ${o.name} (${o.result.probes} probes for ${o.result.pairs} pairs)` : `ok    ${o.name}`);
  const lines = outcomes.map((o) => (o.failure === null ? held(o) : `FAIL  ${o.name}\n${o.failure.split('\n').map((l) => `      ${l}`).join('\n')}`));
  const s = summarize(outcomes);
  lines.push('', `${s.total} test${s.total === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed`);
  return lines.join('\n');
}

function jsonReport(suite: string, outcomes: readonly Outcome[]): string {
  return JSON.stringify({
    tests: suite,
    results: outcomes.map((o) => (isIntent(o) ? intentJson(o) : {
      name: o.name,
      probe: { from: o.probe.from, to: o.probe.to, proto: o.probe.proto, port: o.probe.port },
      ...(o.probe.expect !== undefined ? { expect: o.probe.expect } : {}),
      ...(o.probe.observedSrc !== undefined ? { observed_src: o.probe.observedSrc } : {}),
      ...(o.probe.member !== undefined ? { member: o.probe.member } : {}),
      pass: o.failure === null,
      verdict: o.verdict.verdict, reason: o.verdict.reason, drop: o.verdict.drop, observed: o.verdict.observed, lb: o.verdict.lb,
      ...(o.failure !== null ? { failure: o.failure } : {}),
    })),
    summary: summarize(outcomes),
  }, null, 2);
}

function intentJson(o: IntentOutcome): Record<string, unknown> {
  const i = o.result.intent;
  const flow = (f: Flow) => ({ from: f.fromText, to: f.toText, proto: f.proto, ...(f.ports ? { port: f.ports.from === f.ports.to ? f.ports.from : `${f.ports.from}-${f.ports.to}` } : {}) });
  const c = o.result.counterexample;
  return {
    name: o.name,
    intent: i.kind === 'exact' ? { ...flow(i.scope), exact: i.allowed.map(flow) } : { ...flow(i.flow), expect: i.kind },
    pass: o.failure === null,
    probes: o.result.probes, pairs: o.result.pairs, violations: o.result.violations,
    ...(c ? { counterexample: { probe: c.probe, problem: c.problem, verdict: c.verdict?.verdict ?? null, reason: c.verdict?.reason ?? null, drop: c.verdict?.drop ?? null, path: c.verdict?.path ?? [] } } : {}),
    ...(o.failure !== null ? { failure: o.failure } : {}),
  };
}

/** Text as XML character data or an attribute value; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function junitReport(suite: string, outcomes: readonly Outcome[]): string {
  const s = summarize(outcomes);
  const counts = `tests="${s.total}" failures="${s.failed}" errors="0" skipped="0"`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="vnet test" ${counts}>`, `  <testsuite name="${xmlEscape(suite)}" ${counts}>`];
  for (const o of outcomes) {
    const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(o.name)}"`;
    if (o.failure === null) lines.push(`${open}/>`);
    else {
      const type = isIntent(o) ? 'intent' : o.probe.expect !== undefined && o.verdict.verdict !== o.probe.expect ? 'verdict' : o.failure.startsWith('expected member') ? 'member' : 'observed_src';
      const message = o.failure.split('\n')[0]!;
      lines.push(`${open}>`, `      <failure type="${type}" message="${xmlEscape(message)}">${xmlEscape(o.failure)}</failure>`, '    </testcase>');
    }
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n');
}

/** TAP 13: a plan, one ok / not ok line per probe (a `#` in a name would start a directive: escaped). */
function tapReport(outcomes: readonly Outcome[]): string {
  const lines = ['TAP version 13', `1..${outcomes.length}`];
  outcomes.forEach((o, i) => {
    const name = o.name.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ');
    lines.push(`${o.failure === null ? 'ok' : 'not ok'} ${i + 1} - ${name}`);
    if (o.failure !== null) lines.push('  ---', `  message: ${JSON.stringify(o.failure)}`, isIntent(o) ? `  violations: ${o.result.violations}` : `  verdict: ${o.verdict.verdict}`, '  ...');
  });
  return lines.join('\n');
}
