/**
 * The reports of `vnet test`: the expectation check (verdict, observed source, load-balancer member), JUnit XML with
 * one testcase per probe and a failure element per mismatch, TAP 13's plan and ok / not ok lines,
 * and XML escaping that round-trips any text. Verdicts are real: three-tier, simulated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProbes, VERDICTS, type FileProbe } from '../../../src/audit/probes.js';
import { checkOutcome, probeTitle, renderReport, xmlEscape, type ProbeOutcome } from '../../../src/cli/test-report.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { loadTopologyFile } from '../../../src/files/read-topology.js';

const loaded = loadTopologyFile('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;

function run(tests: string): ProbeOutcome[] {
  const parsed = parseProbes(tests, cloud, 't.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const sim = new Simulator(cloud);
  return parsed.probes.map((probe: FileProbe) => {
    const verdict = sim.probe(probe.spec);
    return { name: probeTitle(probe), probe, verdict, failure: checkOutcome(probe, verdict) };
  });
}

const TESTS = `probes:
  - { from: web-1, to: db-1, port: 5432, expect: delivered }
  - { name: 'redis <closed> & "quoted"', from: web-1, to: db-1, port: 6379, expect: delivered }
  - { from: web-1, to: client, port: 80, expect: delivered, observed_src: 203.0.113.11 }
  - { from: web-1, to: client, port: 80, observed_src: 10.0.0.2 }
`;

describe('checkOutcome', () => {
  const outcomes = run(TESTS);
  it('holds when the verdict and the observed source are as expected, and says why not otherwise', () => {
    expect(outcomes.map((o) => o.failure === null)).toEqual([true, false, true, false]);
    expect(outcomes[1]!.failure).toMatch(/^expected delivered, got dropped, blocked at instance:db-1 \(sg\.ingress\): .*groups \[db\]/);
    expect(outcomes[3]!.failure).toBe('expected the destination to see source 10.0.0.2, it saw 203.0.113.11');
  });
});

describe('member: the load-balancer member that must answer', () => {
  // three-tier's web-lb is round robin over web-1 and web-2: the first probe goes to web-1.
  const outcomes = run(`probes:
  - { from: client, to: lb-fip, port: 80, member: web-1 }
  - { from: client, to: lb-fip, port: 80, member: web-1 }
  - { from: client, to: db-1, port: 5432, member: web-2 }
`);
  it('holds when the balancer chose that member, and names the one it chose otherwise', () => {
    expect(outcomes.map((o) => o.verdict.lb?.member ?? null)).toEqual(['web-1', 'web-2', null]);
    expect(outcomes[0]!.failure).toBeNull();
    expect(outcomes[1]!.failure).toBe('expected member web-1 to answer, lb:web-lb chose web-2 (round_robin)');
    expect(outcomes[2]!.failure).toMatch(/^expected member web-2 to answer, but no load balancer chose a member: /);
    expect(probeTitle(outcomes[0]!.probe)).toBe('client → lb-fip tcp/80 member web-1');
  });
  it('is refused at its path when it names no instance, with a suggestion', () => {
    const parsed = parseProbes('probes:\n  - { from: client, to: lb-fip, port: 80, member: web-3 }\n  - { from: client, to: lb-fip, port: 80, member: 7 }\n', cloud, 't.yaml');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => [i.code, i.path.join('.')])).toEqual([['unknown-member', 'probes.0.member'], ['unknown-member', 'probes.1.member']]);
    expect(parsed.issues[0]!.message).toContain('did you mean');
  });
});

describe('checkOutcome, for any expectation and verdict (300 runs)', () => {
  it('passes exactly when the verdict is the expected one and the destination saw the expected source', () => {
    const [probe, verdict] = ((o) => [o.probe, o.verdict] as const)(run(TESTS)[0]!);
    const kind = fc.constantFrom(...VERDICTS);
    const addr = fc.constantFrom('10.0.0.2', '203.0.113.11', '2001:db8::1');
    fc.assert(fc.property(fc.option(kind, { nil: undefined }), kind, fc.option(addr, { nil: undefined }), fc.option(addr), (expectKind, got, wantSrc, seen) => {
      const p: FileProbe = { ...probe, expect: expectKind, observedSrc: wantSrc };
      const v = { ...verdict, verdict: got, observed: seen === null ? null : { src: seen, dst: '10.0.1.21' } };
      const holds = (expectKind === undefined || expectKind === got) && (wantSrc === undefined || seen === wantSrc);
      const failure = checkOutcome(p, v);
      expect(failure === null).toBe(holds);
      if (failure !== null && expectKind !== undefined && expectKind !== got) expect(failure).toContain(`expected ${expectKind}, got ${got}`);
    }), { numRuns: 300 });
  });
});

/** Attribute values of one element kind, unescaped; the document's elements in order. */
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const tags = (xml: string) => [...xml.matchAll(/<(\/?)([a-z]+)([^>]*?)(\/?)>/g)].map((m) => ({ close: m[1] === '/', name: m[2]!, attrs: m[3]!, empty: m[4] === '/' }));
const attr = (attrs: string, key: string) => { const m = new RegExp(` ${key}="([^"]*)"`).exec(attrs); return m ? unescape(m[1]!) : undefined; };

/** Well-formed as far as a report needs: one root, every element closed in order, no stray markup. */
function checkWellFormed(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.slice(xml.indexOf('\n') + 1);
  const stack: string[] = [];
  let roots = 0;
  for (const t of tags(body)) {
    if (t.close) expect(stack.pop()).toBe(t.name);
    else {
      if (stack.length === 0) roots++;
      if (!t.empty) stack.push(t.name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // Outside tags, no markup character appears unescaped.
  expect(body.replace(/<[^>]*>/g, '')).not.toMatch(/[<>"]|&(?!(lt|gt|amp|quot|apos);)/);
}

describe('the JUnit report', () => {
  const outcomes = run(TESTS);
  const xml = renderReport('junit', 'tests/three-tier.yaml', outcomes);
  it('is a testsuites document with one testcase per probe and a failure element with the message per mismatch', () => {
    checkWellFormed(xml);
    const all = tags(xml).filter((t) => !t.close);
    expect(all.map((t) => t.name)).toEqual(['testsuites', 'testsuite', 'testcase', 'testcase', 'failure', 'testcase', 'testcase', 'failure']);
    for (const t of all.filter((t) => t.name.startsWith('testsuite'))) {
      expect([attr(t.attrs, 'tests'), attr(t.attrs, 'failures'), attr(t.attrs, 'errors')]).toEqual(['4', '2', '0']);
    }
    const cases = all.filter((t) => t.name === 'testcase');
    expect(cases.map((t) => attr(t.attrs, 'name'))).toEqual(outcomes.map((o) => o.name));
    expect(cases[1]!.empty).toBe(false);
    expect(cases[0]!.empty).toBe(true);
    const failures = all.filter((t) => t.name === 'failure');
    expect(failures.map((t) => attr(t.attrs, 'message'))).toEqual([outcomes[1]!.failure, outcomes[3]!.failure]);
    expect(failures.map((t) => attr(t.attrs, 'type'))).toEqual(['verdict', 'observed_src']);
  });

  it('stays well formed whatever the names and messages hold (200 random outcomes sets)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' }))), { maxLength: 6 }), (cases) => {
      const base = outcomes[0]!;
      const made: ProbeOutcome[] = cases.map(([name, failure]) => ({ ...base, name, failure }));
      const doc = renderReport('junit', 'suite <&>', made);
      checkWellFormed(doc);
      const open = tags(doc).filter((t) => !t.close);
      expect(open.filter((t) => t.name === 'testcase').length).toBe(made.length);
      expect(open.filter((t) => t.name === 'failure').length).toBe(made.filter((m) => m.failure !== null).length);
    }), { numRuns: 200 });
  });
});

describe('xmlEscape', () => {
  it('round-trips every text of XML characters and leaves no markup character bare (500 runs)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", '\x01', '\t', '\n', '\ufffe'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    fc.assert(fc.property(text, (s) => {
      const e = xmlEscape(s);
      expect(e).not.toMatch(/[<>"']|&(?!(lt|gt|amp|quot|apos);)/);
      // eslint-disable-next-line no-control-regex
      expect(unescape(e)).toBe(s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\p{Cs}/gu, ''));
    }), { numRuns: 500 });
  });
});

describe('the TAP report', () => {
  it('opens with the version and the plan, then one ok / not ok line per probe, numbered', () => {
    const lines = renderReport('tap', 't.yaml', run(TESTS)).split('\n');
    expect(lines.slice(0, 2)).toEqual(['TAP version 13', '1..4']);
    expect(lines.filter((l) => /^(not )?ok \d+ - /.test(l)).map((l) => l.replace(/ - .*/, ''))).toEqual(['ok 1', 'not ok 2', 'ok 3', 'not ok 4']);
    expect(lines).toContain('  verdict: dropped');
  });

  it('has exactly as many test lines as the plan says, whatever the names (200 runs)', () => {
    const base = run(TESTS)[0]!;
    fc.assert(fc.property(fc.array(fc.tuple(fc.string(), fc.boolean()), { maxLength: 8 }), (cases) => {
      const lines = renderReport('tap', 't', cases.map(([name, ok]) => ({ ...base, name, failure: ok ? null : 'x' }))).split('\n');
      expect(lines[1]).toBe(`1..${cases.length}`);
      const tests = lines.filter((l) => /^(not )?ok \d+ - /.test(l));
      expect(tests.length).toBe(cases.length);
      tests.forEach((l, i) => expect(l).toMatch(new RegExp(`^${cases[i]![1] ? 'ok' : 'not ok'} ${i + 1} - `)));
      // A name's '#' would turn the line into a directive (SKIP, TODO): never bare.
      for (const l of tests) expect(l.replace(/\\\\/g, '')).not.toMatch(/[^\\]#/);
    }), { numRuns: 200 });
  });
});

describe('the text and JSON reports', () => {
  it('print each mismatch with the verdict and blocker, and the counts', () => {
    const outcomes = run(TESTS);
    const text = renderReport('text', 't.yaml', outcomes);
    expect(text).toMatch(/FAIL {2}redis <closed>.*\n {6}expected delivered, got dropped, blocked at instance:db-1/);
    expect(text.split('\n').at(-1)).toBe('4 tests: 2 passed, 2 failed');
    const json = JSON.parse(renderReport('json', 't.yaml', outcomes)) as { results: { pass: boolean; verdict: string }[]; summary: unknown };
    expect(json.results.map((r) => [r.pass, r.verdict])).toEqual([[true, 'delivered'], [false, 'dropped'], [true, 'delivered'], [false, 'delivered']]);
    expect(json.summary).toEqual({ total: 4, passed: 2, failed: 2 });
  });
});
