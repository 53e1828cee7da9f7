/**
 * The real `openstack` CLI (Debian's python3-openstackclient) drives the built `vnet api`: it
 * builds an external network, a tenant network and subnet, a router with its gateway and an
 * interface, a group with a rule, a port and floating IPs; the saved topology file then loads
 * with vnet's own loader and `vnet trace` gives the verdicts the groups and NAT imply.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTopology } from '../../src/topology/load.js';
import { describeNeeding } from '../system-tools.js';
import { startApi, type ApiProcess } from './api-process.js';

const START = `version: 1
name: os-cli
external_hosts:
  client: { ip: 198.51.100.7, services: [tcp/80] }
`;

describeNeeding('openstack', 'vnet api driven by the openstack CLI', () => {
  let api: ApiProcess;
  let env: NodeJS.ProcessEnv;
  const saved = () => api.saved;

  beforeAll(async () => {
    api = await startApi(START, 'vnet-os-');
    env = api.env;
  }, 30_000);

  afterAll(() => api?.stop());

  const os = (...args: string[]) => {
    const r = spawnSync('openstack', args, { env, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };
  const ok = (...args: string[]) => {
    const r = os(...args);
    expect(r.err, `openstack ${args.join(' ')}`).toBe('');
    expect(r.status, `openstack ${args.join(' ')}: ${r.err}`).toBe(0);
    return r.out;
  };
  const trace = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['dist/vnet.cjs', 'trace', saved(), ...args, '--json'], { encoding: 'utf8' });
    return JSON.parse(r.stdout) as { verdict: string; drop: { stage: string } | null; nat: { kind: string }[] };
  };

  it('builds a cloud with the CLI, refuses its mistakes, and saves a file vnet traces', () => {
    ok('network', 'create', '--external', 'public');
    ok('subnet', 'create', '--network', 'public', '--subnet-range', '203.0.113.0/24', 'public-sub');
    ok('network', 'create', 'net1');
    ok('subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', 'sub1');
    ok('router', 'create', 'r1');
    ok('router', 'set', '--external-gateway', 'public', 'r1');
    ok('router', 'add', 'subnet', 'r1', 'sub1');
    ok('security', 'group', 'create', 'web');
    ok('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--remote-ip', '0.0.0.0/0', 'web');
    const port = JSON.parse(ok('port', 'create', '-f', 'json', '--network', 'net1', '--security-group', 'web', 'p1')) as { fixed_ips: { ip_address: string }[] | string };
    expect(JSON.stringify(port.fixed_ips)).toContain('10.0.0.2');
    const spare = ok('floating', 'ip', 'create', '-f', 'value', '-c', 'id', 'public');
    ok('floating', 'ip', 'set', '--port', 'p1', spare);
    const fip = JSON.parse(ok('floating', 'ip', 'show', '-f', 'json', spare)) as { floating_ip_address: string; fixed_ip_address: string; status: string };
    expect(fip.fixed_ip_address).toBe('10.0.0.2');
    expect(fip.status).toBe('ACTIVE');
    // Mistakes get Neutron's answers.
    const overlap = os('subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/25', 'sub-bad');
    expect(overlap.status).toBe(1);
    expect(overlap.err).toMatch(/400.*subnet-overlap/);
    const taken = os('port', 'create', '--network', 'net1', '--fixed-ip', 'subnet=sub1,ip-address=10.0.0.2', 'p2');
    expect(taken.err).toMatch(/409.*ip-taken/);
    expect(os('floating', 'ip', 'create', 'net1').err).toMatch(/BadRequestException: 400/);
    expect(os('network', 'show', 'nosuchnet').err).toMatch(/No Network found for nosuchnet/);

    const text = readFileSync(saved(), 'utf8');
    const loaded = parseTopology(text);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect([...loaded.cloud.floatingIps.values()].map((f) => [f.address.text, f.fixedAddress?.text, f.router])).toEqual([[fip.floating_ip_address, '10.0.0.2', 'r1']]);
    const fipName = [...loaded.cloud.floatingIps.keys()][0]!;
    const web = trace('--from', 'client', '--to', fipName, '--proto', 'tcp', '--port', '80');
    expect(web.verdict).toBe('refused'); // allowed by web, nothing listens on p1: RST
    expect(web.nat.map((n) => n.kind)).toContain('fip');
    const ssh = trace('--from', 'client', '--to', fipName, '--proto', 'tcp', '--port', '22');
    expect([ssh.verdict, ssh.drop?.stage]).toEqual(['dropped', 'sg.ingress']);
    expect(trace('--from', 'p1', '--to', 'client', '--proto', 'tcp', '--port', '80').verdict).toBe('delivered');
  }, 600_000);
});
