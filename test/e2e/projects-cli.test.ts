/**
 * Issue 14's three wrong answers, run as a user runs them (the built CLI through a pipe): a
 * probe to another project's instance by name, the reachability matrix from a-vm1, and a bastion
 * with one port in each project. Each now says where the packet landed and is never delivered.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

const BIN = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { vnet: string } }).bin.vnet;
const vnet = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing after the build`);
});

describe('two projects on 10.0.0.0/24 (issue 14)', () => {
  it('vnet trace a-vm1 → b-vm1: misdelivered over loopback, naming b-fip; --expect delivered fails', () => {
    const r = vnet('trace', 'topologies/two-project.yaml', '--from', 'a-vm1', '--to', 'b-vm1', '--port', '80', '--expect', 'delivered');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^verdict: misdelivered, reply received — b-vm1's address 10\.0\.0\.2 is, in a-vm1's address space, a-vm1 itself; .*b-fip/m);
    expect(r.stdout).toContain('landed at: a-vm1 (over loopback)');
    expect(r.stderr).toContain('--expect delivered: probe 1/1 was misdelivered');
    const json = JSON.parse(vnet('trace', 'topologies/two-project.yaml', '--from', 'a-vm1', '--to', 'b-vm1', '--port', '80', '--json').stdout) as { verdict: string; landed: unknown };
    expect(json).toMatchObject({ verdict: 'misdelivered', landed: { node: 'instance:a-vm1', port: null, outcome: 'delivered' } });
    expect(vnet('trace', 'topologies/two-project.yaml', '--from', 'a-vm1', '--to', 'b-vm1', '--port', '80', '--expect', 'misdelivered').status).toBe(0);
  });

  it('vnet reach --from a-vm1: the b-vm1 row is misdelivered, not delivered; --project keeps a project\'s sources', () => {
    const r = vnet('reach', 'topologies/two-project.yaml', '--from', 'a-vm1', '--json');
    expect(r.status).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: { from: string; to: string; service: string; verdict: string; landed: string | null }[] }).rows;
    expect(rows.find((x) => x.to === 'b-vm1')).toMatchObject({ verdict: 'misdelivered', landed: 'instance:a-vm1' });
    const beta = (JSON.parse(vnet('reach', 'topologies/two-project.yaml', '--project', 'beta', '--json').stdout) as { rows: { from: string }[] }).rows;
    expect(new Set(beta.map((x) => x.from))).toEqual(new Set(['b-vm1', 'b-etl', 'b-cache']));
    const wrong = vnet('reach', 'topologies/two-project.yaml', '--project', 'gamma');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('--project gamma');
  });

  it('a bastion in both projects sending to b-vm1: misdelivered at a-vm1, naming the port it left by', () => {
    const r = vnet('trace', 'test/fixtures/projects/bastion.yaml', '--from', 'bastion', '--to', 'b-vm1', '--port', '80');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict: misdelivered');
    expect(r.stdout).toContain('landed at: a-vm1 (port a-vm1/eth0)');
    expect(r.stdout).toContain('a-sub on bastion/eth0, b-sub on bastion/eth1');
    // The load warning at the instance.
    const v = vnet('validate', 'test/fixtures/projects/bastion.yaml');
    expect(v.status).toBe(0);
    expect(v.stderr).toMatch(/bastion\.yaml:\d+:\d+ instances\.bastion\.ports\[1\]: .*overlaps subnet a-sub/);
  });
});
