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
