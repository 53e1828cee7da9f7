/**
 * `vnet trace --explain all`, run as users run it: every filter on the path that would drop the
 * probe is lifted in turn and listed (JSON `blockers`, text "blockers (N, ...)"), in path order;
 * the default and `--explain first` stop at the first. test/fixtures/engine/explain-all.yaml
 * puts four filters on one path: a security group (egress), two network ACLs (a's egress, b's
 * ingress) and a security group (ingress).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { vnet: string } };
const BIN = pkg.bin.vnet;
const FILE = 'test/fixtures/engine/explain-all.yaml';
const STACK_FRAME = /^\s+at /m;

interface Blocker { node: string; stage: string; reason: string }
interface TraceJson {
  verdict: string;
  reply: boolean;
  path: string[];
  drop: Blocker | null;
  blockers: Blocker[];
  events: { node: string; stage: string; action: string; direction: string }[];
}

function vnet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function traceJson(...extra: string[]): TraceJson {
  const run = vnet('trace', FILE, '--from', 'client', '--to', 'server', '--port', '22', '--json', ...extra);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as TraceJson;
}

const FIRST: [string, string] = ['instance:client', 'sg.egress'];
const ALL: [string, string][] = [FIRST, ['router:r', 'acl'], ['router:r', 'acl'], ['instance:server', 'sg.ingress']];

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing after the build`);
});

describe('vnet trace --explain all', () => {
  it('--json lists every blocker on the path, in path order, each with its reason', () => {
    const v = traceJson('--explain', 'all');
    expect(v.verdict).toBe('dropped');
    expect(v.blockers.map((b) => [b.node, b.stage])).toEqual(ALL);
    const [egress, aclA, aclB, ingress] = v.blockers.map((b) => b.reason);
    expect(egress).toContain('no rule of groups [silent] allows tcp/22');
    expect(aclA).toBe('network ACL a-acl of subnet a (egress): no rule matches, the implicit * deny applies');
    expect(aclB).toBe('network ACL b-acl of subnet b (ingress): rule #100 deny tcp/22 from 10.0.1.0/24');
    expect(ingress).toContain('no rule of groups [closed] allows tcp/22');
    // The verdict's drop is the first blocker; the lifted packet went all the way.
    expect(v.drop).toEqual(v.blockers[0]);
    expect(v.path).toEqual(['instance:client', 'network:left', 'router:r', 'network:right', 'instance:server']);
    // Each blocker is a lifted drop in the events, where it happened.
    const lifted = v.events.filter((e) => e.direction === 'forward' && e.action.endsWith('-lifted')).map((e) => [e.node, e.stage]);
    expect(lifted).toEqual(ALL);
  });

  it('the text output numbers the same four blockers with their stages', () => {
    const run = vnet('trace', FILE, '--from', 'client', '--to', 'server', '--port', '22', '--explain', 'all');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('blockers (4, '));
    expect(head).toBeGreaterThan(0);
    expect(lines.slice(head + 1, head + 5).map((l) => /^\s+(\d)\. (\S+) (\S+):/.exec(l)?.slice(1))).toEqual([
      ['1', 'client', 'sg.egress'], ['2', 'r', 'acl'], ['3', 'r', 'acl'], ['4', 'server', 'sg.ingress'],
    ]);
    expect(lines[head + 3]).toContain('rule #100 deny tcp/22 from 10.0.1.0/24');
  });

  it('without it, and with --explain first, the trace stops at the first blocker', () => {
    for (const extra of [[], ['--explain', 'first']]) {
      const v = traceJson(...extra);
      expect(v.verdict).toBe('dropped');
      expect(v.reply).toBe(false);
      expect(v.blockers.map((b) => [b.node, b.stage])).toEqual([FIRST]);
      expect(v.path).toEqual(['instance:client']);
    }
  });

  it('a delivered probe has no blockers to list', () => {
    const run = vnet('trace', 'topologies/three-tier.yaml', '--from', 'web-1', '--to', 'db-1', '--port', '5432', '--json', '--explain', 'all');
    expect(run.status).toBe(0);
    const v = JSON.parse(run.stdout) as TraceJson;
    expect([v.verdict, v.blockers, v.drop]).toEqual(['delivered', [], null]);
  });

  it('an unknown value is refused on stderr with exit 1, no stack trace', () => {
    const run = vnet('trace', FILE, '--from', 'client', '--to', 'server', '--port', '22', '--explain', 'every');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--explain every: expected all or first');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});
