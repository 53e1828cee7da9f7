// `vnet test` and `vnet trace --expect` as a CI job runs them: the built CLI on three-tier with a
// tests file that holds and one that does not; the exit code is what fails the job (0 / 1 / 2),
// and each report names the mismatch with its verdict and blocker.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = 'dist/vnet.cjs';
const TOPOLOGY = 'topologies/three-tier.yaml';
const dir = mkdtempSync(join(tmpdir(), 'vnet-test-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function vnet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PASSING = file('passing.yaml', `probes:
  - { name: web reaches the database, from: web-1, to: db-1, proto: tcp, port: 5432, expect: delivered }
  - { from: client, to: db-1, port: 22, expect: unreachable }
  - { from: web-1, to: client, port: 80, expect: delivered, observed_src: 203.0.113.11 }
`);
const FAILING = file('failing.yaml', `probes:
  - { from: web-1, to: db-1, proto: tcp, port: 5432, expect: delivered }
  - { name: redis open to web, from: web-1, to: db-1, port: 6379, expect: delivered }
`);

describe('vnet test', () => {
  it('exits 0 when every expectation holds', () => {
    const r = vnet('test', TOPOLOGY, PASSING);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(3);
    expect(r.stdout).toContain('3 tests: 3 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('exits 1 on a mismatch and prints it with the verdict, the blocker and its rule', () => {
    const r = vnet('test', TOPOLOGY, FAILING);
    expect(r.stdout).toMatch(/FAIL {2}redis open to web\n {6}expected delivered, got dropped, blocked at instance:db-1 \(sg\.ingress\): .*no rule of groups \[db\] allows tcp\/6379/);
    expect(r.stdout).toContain('2 tests: 1 passed, 1 failed');
    expect(r.code).toBe(1);
  });

  it('writes JUnit XML with one testcase per probe and a failure for the mismatch', () => {
    const r = vnet('test', TOPOLOGY, FAILING, '--reporter', 'junit');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="vnet test" tests="2" failures="1"/);
    expect(r.stdout.match(/<testcase /g)).toHaveLength(2);
    expect(r.stdout).toMatch(/<testcase [^>]*name="redis open to web">\n\s*<failure type="verdict" message="expected delivered, got dropped/);
  });

  it('writes TAP and JSON', () => {
    const tap = vnet('test', TOPOLOGY, FAILING, '--reporter', 'tap');
    expect(tap.stdout.split('\n').slice(0, 4)).toEqual(['TAP version 13', '1..2', 'ok 1 - web-1 → db-1 tcp/5432 expect delivered', 'not ok 2 - redis open to web']);
    expect(tap.code).toBe(1);
    const json = vnet('test', TOPOLOGY, PASSING, '--reporter', 'json');
    expect((JSON.parse(json.stdout) as { summary: unknown }).summary).toEqual({ total: 3, passed: 3, failed: 0 });
    expect(json.code).toBe(0);
  });

  it('exits 2 on invalid input: a bad expectation, a probe with none, a missing file, an unknown reporter', () => {
    const bad = vnet('test', TOPOLOGY, file('bad.yaml', 'probes:\n  - { from: web-1, to: db-1, expect: deliverd }\n'));
    expect(bad.stderr).toMatch(/bad\.yaml:2:\d+ probes\[0\]\.expect: expected one of delivered/);
    expect(bad.code).toBe(2);
    const none = vnet('test', TOPOLOGY, file('none.yaml', 'probes:\n  - { from: web-1, to: db-1 }\n'));
    expect(none.stderr).toContain('no expectation');
    expect(none.code).toBe(2);
    expect(vnet('test', TOPOLOGY, join(dir, 'absent.yaml')).code).toBe(2);
    expect(vnet('test', 'topologies/absent.yaml', PASSING).code).toBe(2);
    const reporter = vnet('test', TOPOLOGY, PASSING, '--reporter', 'xml');
    expect(reporter.stderr).toContain('--reporter xml: expected one of text, json, junit, tap');
    expect(reporter.code).toBe(2);
  });
});

describe('vnet trace --expect', () => {
  it('exits 0 when the verdict is the expected one and 1, naming the blocker, when not', () => {
    expect(vnet('trace', TOPOLOGY, '--from', 'web-1', '--to', 'db-1', '--port', '5432', '--expect', 'delivered').code).toBe(0);
    const r = vnet('trace', TOPOLOGY, '--from', 'web-1', '--to', 'db-1', '--port', '6379', '--expect', 'delivered', '--json');
    expect((JSON.parse(r.stdout) as { verdict: string }).verdict).toBe('dropped');
    expect(r.stderr).toMatch(/--expect delivered: probe 1\/1 was dropped, blocked at instance:db-1 \(sg\.ingress\)/);
    expect(r.code).toBe(1);
    const wrong = vnet('trace', TOPOLOGY, '--from', 'web-1', '--to', 'db-1', '--expect', 'ok');
    expect(wrong.stderr).toContain('--expect ok: expected one of delivered, refused, dropped, unreachable, expired');
    expect(wrong.code).toBe(1);
  });
});

const INTENTS = file('intents.yaml', `intents:
  - { name: db isolated from the internet, from: internet, to: 'db-*', expect: isolated }
  - { name: ssh closed to the internet, from: internet, to: 'web-*-fip', port: 22, expect: isolated }
`);

describe('vnet test with intents', () => {
  it('exits 0 on examples/ (probes and intents that hold)', () => {
    const r = vnet('test', 'examples/cloud.yaml', 'examples/network-tests.yaml');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ok    databases are closed to the internet (18 probes for 36 pairs)');
    expect(r.stdout.trim()).toMatch(/7 tests: 7 passed, 0 failed$/);
    expect(r.code).toBe(0);
  });

  it('exits 1 on a violated intent, with its counterexample in every reporter', () => {
    const text = vnet('test', TOPOLOGY, INTENTS);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('FAIL  ssh closed to the internet\n      expected isolated, got delivered; 1 of 3 source-destination-traffic pairs violate it\n      counterexample: { from: client, to: web-1-fip, proto: tcp, port: 22 }');
    const junit = vnet('test', TOPOLOGY, INTENTS, '--reporter', 'junit');
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/<testcase [^>]*name="ssh closed to the internet">\n\s*<failure type="intent" message="expected isolated, got delivered; 1 of 3 /);
    const json = JSON.parse(vnet('test', TOPOLOGY, INTENTS, '--reporter', 'json').stdout) as { results: { pass: boolean; violations: number; counterexample?: { probe: unknown; verdict: string } }[] };
    expect(json.results.map((r) => [r.pass, r.violations])).toEqual([[true, 0], [false, 1]]);
    expect(json.results[1]!.counterexample).toMatchObject({ probe: { from: 'client', to: 'web-1-fip', proto: 'tcp', port: 22 }, verdict: 'delivered' });
    const tap = vnet('test', TOPOLOGY, INTENTS, '--reporter', 'tap');
    expect(tap.stdout).toMatch(/^not ok 2 - ssh closed to the internet\n {2}---\n {2}message: .*\n {2}violations: 1$/m);
  });

  it('exits 2 on an invalid intent, naming the file, line, column and path', () => {
    const bad = file('bad-intents.yaml', "intents:\n  - { name: x, from: 'group:wbe', to: db-1, expect: isolated }\n");
    const r = vnet('test', TOPOLOGY, bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-intents\.yaml:2:\d+ intents\[0\]\.from: no security group named "wbe"; did you mean "web"\?/);
  });
});

