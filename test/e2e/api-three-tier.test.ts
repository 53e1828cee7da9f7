/**
 * The three-tier cloud of topologies/three-tier.yaml built with the real `openstack` CLI only
 * (networks, subnets, router and gateway, groups and rules, servers, floating IPs, a load balancer
 * with listener, pool, members and health monitor) against the built `vnet api --save`; the saved
 * file then gives the same verdicts as the bundled file for the golden probes of three-tier
 * (vnet trace on both for one, the library for the rest). The commands run in one `openstack`
 * session (its interactive mode reads them from stdin), since each CLI start costs seconds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Simulator } from '../../src/library/simulator.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Cloud } from '../../src/topology/model.js';
import { describeNeeding } from '../system-tools.js';
import { startApi, type ApiProcess } from './api-process.js';

/** What the API cannot create (the internet's hosts) and the seed come from a starting file. */
const START = `version: 1
name: three-tier
seed: 42
external_hosts:
  client: { ip: 198.51.100.7, services: [tcp/80] }
  mirror: { ip: 192.0.2.50, services: [tcp/80, tcp/443] }
  scanner: { ip: 192.0.2.99 }
`;

/** topologies/three-tier.yaml as openstack commands, in an order a person would type them. */
export const THREE_TIER_COMMANDS = [
  'network create --external public',
  'subnet create --network public --subnet-range 203.0.113.0/24 --gateway 203.0.113.1 --allocation-pool start=203.0.113.10,end=203.0.113.200 --no-dhcp public-subnet',
  'network create app',
  'subnet create --network app --subnet-range 10.0.0.0/24 --dns-nameserver 192.0.2.53 web',
  'subnet create --network app --subnet-range 10.0.1.0/24 db',
  'router create edge',
  'router set --external-gateway public edge',
  'router add subnet edge web',
  'router add subnet edge db',
  'security group create web',
  'security group rule create --protocol tcp --dst-port 80 web',
  'security group rule create --protocol tcp --dst-port 443 web',
  'security group rule create --protocol icmp --icmp-type 8 web',
  'security group create ssh',
  'security group rule create --protocol tcp --dst-port 22 --remote-ip 198.51.100.0/24 ssh',
  'security group create db',
  'security group rule create --protocol tcp --dst-port 5432 --remote-group web db',
  'server create --flavor m1.tiny --image cirros --network app --security-group web --security-group ssh --property vnet:services=tcp/80,tcp/22 web-1',
  'server create --flavor m1.tiny --image cirros --network app --security-group web --security-group ssh --property vnet:services=tcp/80,tcp/22 web-2',
  'port create --network app --fixed-ip subnet=db,ip-address=10.0.1.21 --security-group db db-1-port',
  'server create --flavor m1.small --image ubuntu-24.04 --port db-1-port --property vnet:services=tcp/5432 db-1',
  'floating ip create --floating-ip-address 203.0.113.11 public',
  'server add floating ip web-1 203.0.113.11',
  'loadbalancer create --wait --name web-lb --vip-subnet-id web --vip-address 10.0.0.100',
  'loadbalancer listener create --wait --name web-listener --protocol TCP --protocol-port 80 web-lb',
  'loadbalancer pool create --wait --name web-pool --listener web-listener --protocol TCP --lb-algorithm ROUND_ROBIN',
  'loadbalancer member create --wait --subnet-id web --address 10.0.0.2 --protocol-port 80 web-pool',
  'loadbalancer member create --wait --subnet-id web --address 10.0.0.3 --protocol-port 80 web-pool',
  'loadbalancer healthmonitor create --wait --delay 5 --timeout 2 --max-retries 3 --type TCP web-pool',
];

/** The probes of three-tier's golden traces (test/e2e/golden-traces.test.ts), by name; FIPs by role. */
const PROBES: { from: string; to: string; proto: 'tcp' | 'icmp'; port?: number }[] = [
  { from: 'web-1', to: 'web-2', proto: 'icmp' },
  { from: 'web-1', to: 'web-2', proto: 'tcp', port: 80 },
  { from: 'web-1', to: 'web-2', proto: 'tcp', port: 8080 },
  { from: 'web-1', to: 'db-1', proto: 'tcp', port: 5432 },
  { from: 'db-1', to: 'web-1', proto: 'tcp', port: 443 },
  { from: 'web-1', to: 'db-1', proto: 'tcp', port: 22 },
  { from: 'db-1', to: 'web-1', proto: 'tcp', port: 22 },
  { from: 'client', to: 'web-1-fip', proto: 'tcp', port: 80 },
  { from: 'scanner', to: 'web-1-fip', proto: 'tcp', port: 22 },
  { from: 'web-1', to: 'mirror', proto: 'tcp', port: 443 },
  { from: 'db-1', to: 'mirror', proto: 'tcp', port: 443 },
  { from: 'web-2', to: 'web-1-fip', proto: 'tcp', port: 80 },
  { from: 'client', to: 'lb-fip', proto: 'tcp', port: 80 },
  { from: 'web-2', to: 'web-lb', proto: 'tcp', port: 80 },
  { from: 'db-1', to: 'web-lb', proto: 'tcp', port: 80 },
  { from: 'db-1', to: 'lb-fip', proto: 'tcp', port: 80 },
  { from: 'web-1', to: '10.0.0.77', proto: 'icmp' },
];

/** A floating IP named by role: web-1's and the load balancer's, as addresses (the API names FIPs itself). */
function target(cloud: Cloud, to: string): string {
  const fips = [...cloud.floatingIps.values()];
  if (to === 'web-1-fip') return fips.find((f) => f.port === 'web-1/eth0')!.address.text;
  if (to === 'lb-fip') return fips.find((f) => f.port === 'web-lb/vip')!.address.text;
  return to;
}

/** What must agree between the two clouds: everything but MACs and event details. */
function outcome(cloud: Cloud, p: (typeof PROBES)[number]) {
  const sim = new Simulator(cloud);
  const v = sim.probe({ ...p, to: target(cloud, p.to) });
  return { verdict: v.verdict, reply: v.reply, path: v.path, drop: v.drop && { node: v.drop.node, stage: v.drop.stage }, nat: v.nat, lb: v.lb, observed: v.observed };
}

describeNeeding('openstack', 'the three-tier cloud built with the openstack CLI', () => {
  let api: ApiProcess;
  let env: NodeJS.ProcessEnv;
  const saved = () => api.saved;

  beforeAll(async () => {
    api = await startApi(START, 'vnet-os3-');
    env = api.env;
  }, 30_000);

  afterAll(() => api?.stop());

  const ok = (...args: string[]) => {
    const r = spawnSync('openstack', args, { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr.trim(), `openstack ${args.join(' ')}`).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.trim();
  };

  it('builds three-tier with the CLI, and the saved file traces as the bundled one', () => {
    const session = spawnSync('openstack', [], { env, input: `${THREE_TIER_COMMANDS.join('\n')}\n`, encoding: 'utf8', timeout: 400_000 });
    // The interactive mode goes on after a failed command: any error it printed is a failure here.
    expect(session.stderr.trim()).toBe('');
    expect(session.stdout).not.toMatch(/Exception|Error|No \w+ found|Unable to/);
    const vipPort = ok('loadbalancer', 'show', '-f', 'value', '-c', 'vip_port_id', 'web-lb');
    ok('floating', 'ip', 'create', '--port', vipPort, '--floating-ip-address', '203.0.113.80', 'public');
    const lb = JSON.parse(ok('loadbalancer', 'status', 'show', 'web-lb')) as { loadbalancer: { provisioning_status: string; listeners: { pools: { members: unknown[]; health_monitor: { type: string } }[] }[] } };
    expect(lb.loadbalancer.provisioning_status).toBe('ACTIVE');
    expect(lb.loadbalancer.listeners[0]!.pools[0]!.members).toHaveLength(2);

    const built = parseTopology(readFileSync(saved(), 'utf8'));
    const bundled = parseTopology(readFileSync('topologies/three-tier.yaml', 'utf8'));
    expect(built.ok && bundled.ok).toBe(true);
    if (!built.ok || !bundled.ok) return;
    expect(built.cloud.loadBalancers.get('web-lb')?.pools[0]?.healthMonitor?.type).toBe('tcp');
    for (const p of PROBES) expect(outcome(built.cloud, p), JSON.stringify(p)).toEqual(outcome(bundled.cloud, p));
    // And vnet trace itself, on the saved file and the bundled one.
    const trace = (file: string, to: string) => JSON.parse(spawnSync(process.execPath, ['dist/vnet.cjs', 'trace', file, '--from', 'client', '--to', to, '--proto', 'tcp', '--port', '80', '--json', '--count', '2'], { encoding: 'utf8' }).stdout) as { verdict: string; lb: { member: string } | null }[];
    const viaCli = trace(saved(), '203.0.113.80');
    expect(viaCli.map((v) => [v.verdict, v.lb?.member])).toEqual(trace('topologies/three-tier.yaml', 'lb-fip').map((v) => [v.verdict, v.lb?.member]));
    expect(viaCli.map((v) => v.lb?.member)).toEqual(['web-1', 'web-2']);
  }, 900_000);
});
