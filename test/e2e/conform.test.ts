// `vnet conform` for real: the example topologies realized in network namespaces, each probe run
// by the kernel and by vnet, and every probe must agree or differ for a documented reason.
// Checks by content, not only the exit code: security groups both ways, the source address the
// far end saw behind SNAT and floating IPs, the load balancer's member sequence, and that
// delivered, refused, dropped and unreachable all occur. Needs root; skips with the reason when
// this machine cannot create namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeNeeding } from '../system-tools.js';
import { namespacesOf, uniquePrefix } from './realize-namespaces.js';


interface Row {
  probe: { from: string; to: string; proto: string; port: number; ipv6: boolean; spoof: string | null };
  vnet: { verdict: string; observed: { src: string; dst: string } | null };
  kernel: { verdict: string; seen: { src: string; dst: string | null } | null; dropAt: string | null };
  status: 'agree' | 'expected' | 'differ';
  reason: string | null;
}

/** Runs `vnet conform --json`; with probes null, the default probes. */
function conform(topology: string, probes: string | null, prefix: string): Promise<{ code: number | null; rows: Row[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/vnet.cjs', 'conform', topology, ...(probes === null ? [] : ['--probes', probes]), '--json', '--prefix', prefix]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code, rows: out ? (JSON.parse(out) as { rows: Row[] }).rows : [], stderr: err }));
  });
}

/**
 * Runs conform and checks what every case expects: nothing on stderr, exit 0, and no probe that
 * differs (`explained`: expected differences allowed; `agree`: every probe agrees).
 */
async function conformClean(letter: string, topology: string, probes: string | null, allow: 'agree' | 'explained'): Promise<{ prefix: string; rows: Row[] }> {
  const prefix = uniquePrefix(letter);
  const { code, rows, stderr } = await conform(topology, probes, prefix);
  expect(stderr).toBe('');
  expect(rows.filter((r) => (allow === 'agree' ? r.status !== 'agree' : r.status === 'differ'))).toEqual([]);
  expect(code).toBe(0);
  return { prefix, rows };
}

const find = (rows: Row[], from: string, to: string, port = 0) => rows.filter((r) => r.probe.from === from && r.probe.to === to && r.probe.port === port);

describeNeeding('namespaces', 'vnet conform on this machine', () => {
  it('three-tier.yaml: the kernel and vnet agree on every probe', async () => {
    const { prefix, rows } = await conformClean('c', 'topologies/three-tier.yaml', 'test/fixtures/realize/three-tier-probes.yaml', 'explained');
    expect(rows).toHaveLength(25);
    for (const r of rows) if (r.status === 'expected') expect(r.reason).toMatch(/\w/);
    // Security groups both ways.
    expect(find(rows, 'web-1', 'db-1', 5432)[0]!.kernel.verdict).toBe('delivered');
    expect(find(rows, 'db-1', 'web-1', 5432)[0]!.kernel.verdict).toBe('dropped');
    expect(find(rows, 'db-1', 'web-1', 5432)[0]!.kernel.dropAt).toContain(`${prefix}-i-web-1 vnet_sg/ingress_drop`);
    // Source addresses the far end saw: router SNAT, floating IP, hairpin, client kept through a FIP.
    expect(find(rows, 'db-1', 'mirror', 443)[0]!.kernel.seen?.src).toBe('203.0.113.10');
    expect(find(rows, 'web-1', 'mirror', 80)[0]!.kernel.seen?.src).toBe('203.0.113.11');
    expect(find(rows, 'web-2', 'web-1-fip', 80)[0]!.kernel.seen?.src).toBe('203.0.113.10');
    expect(find(rows, 'client', 'web-1-fip', 80)[0]!.kernel.seen).toEqual({ src: '198.51.100.7', dst: '10.0.0.2' });
    // The load balancer's sequence, in the kernel and in vnet.
    const lb = find(rows, 'client', 'lb-fip', 80);
    expect(lb.map((r) => r.kernel.seen?.dst)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.2', '10.0.0.3']);
    expect(lb.map((r) => r.vnet.observed?.dst)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.2', '10.0.0.3']);
    // Port security: a spoofed source is dropped on the switch side of the sender's port, in both.
    const spoofed = rows.find((r) => r.probe.spoof === '10.0.0.99')!;
    expect(spoofed.vnet.verdict).toBe('dropped');
    expect(spoofed.kernel.dropAt).toBe(`${prefix}-fabric vnet_ps/spoof_drop`);
    // Every kind of verdict occurs.
    expect(new Set(rows.map((r) => r.kernel.verdict))).toEqual(new Set(['delivered', 'refused', 'dropped', 'unreachable']));
    expect(namespacesOf(prefix)).toEqual([]);
  }, 90_000);

  it('multi-router.yaml: two router hops, SNAT through the other router, floating IP', async () => {
    const { prefix, rows } = await conformClean('m', 'topologies/multi-router.yaml', 'test/fixtures/realize/multi-router-probes.yaml', 'explained');
    expect(rows).toHaveLength(8);
    expect(find(rows, 'hq-1', 'branch-1', 22)[0]!.kernel.seen).toEqual({ src: '10.1.0.2', dst: '10.2.0.2' });
    expect(find(rows, 'client', 'hq-1-fip', 22)[0]!.kernel.verdict).toBe('dropped');
    expect(find(rows, 'client', 'hq-1-fip')[0]!.kernel.verdict).toBe('delivered');
    expect(find(rows, 'hq-1', '10.50.0.5')[0]!.kernel.verdict).toBe('unreachable');
    expect(namespacesOf(prefix)).toEqual([]);
  }, 90_000);

  it('dual-stack.yaml: IPv6 and IPv4 side by side, SLAAC and DHCPv6 addresses, neighbour discovery, the internet', async () => {
    const { prefix, rows } = await conformClean('d', 'topologies/dual-stack.yaml', 'test/fixtures/realize/dual-stack-probes.yaml', 'explained');
    expect(rows).toHaveLength(23);
    // Port security over IPv6: a source that is not web-1's is dropped on its port's switch side.
    expect(rows.find((r) => r.probe.spoof === '2001:db8:1::99')!.kernel.dropAt).toBe(`${prefix}-fabric vnet_ps/spoof_drop`);
    const v6 = (from: string, to: string, port = 0) => rows.filter((r) => r.probe.from === from && r.probe.to === to && r.probe.port === port && r.probe.ipv6);
    const v4 = (from: string, to: string, port = 0) => rows.filter((r) => r.probe.from === from && r.probe.to === to && r.probe.port === port && !r.probe.ipv6);
    // The far end saw the sender's SLAAC (EUI-64) address; the DHCPv6 member answered from its pool address.
    expect(v6('web-1', 'web-2', 443)[0]!.kernel.seen).toEqual({ src: '2001:db8:1:0:f816:3eff:fe00:1', dst: '2001:db8:1:0:f816:3eff:fe00:2' });
    expect(v4('web-1', 'web-2', 443)[0]!.kernel.seen).toEqual({ src: '10.1.0.2', dst: '10.1.0.3' });
    expect(v6('web-1', 'db-1', 5432)[0]!.kernel.seen).toEqual({ src: '2001:db8:1:0:f816:3eff:fe00:1', dst: '2001:db8:2::1' });
    // Security groups both ways, over IPv6: remote group web allows web-1 → db-1, not db-1 → db-2.
    expect(v6('db-1', 'db-2', 5432)[0]!.kernel.dropAt).toContain(`${prefix}-i-db-2 vnet_sg/ingress_drop`);
    expect(v6('db-1', 'web-1', 22)[0]!.kernel.verdict).toBe('dropped');
    expect(v6('db-1', 'web-1')[0]!.kernel.verdict).toBe('delivered');
    expect(v4('web-1', 'web-2')[0]!.kernel.verdict).toBe('dropped');
    // Neighbour discovery that gets no answer, on the link and behind the router.
    expect(v6('web-1', '2001:db8:1::99')[0]!.kernel.verdict).toBe('unreachable');
    expect(v6('web-1', '2001:db8:2::99', 5432)[0]!.kernel.verdict).toBe('unreachable');
    // The internet: no IPv6 route into the cloud or out of it; undeclared public hosts refuse.
    expect(v6('web-1', 'client-v6', 443)[0]!.kernel.verdict).toBe('unreachable');
    expect(v6('client-v6', 'web-1', 443)[0]!.kernel.verdict).toBe('unreachable');
    expect(v6('client-v6', '2001:db8:ffff::8', 80)[0]!.kernel.verdict).toBe('refused');
    expect(v6('client-v6', '2001:db8:ffff::8', 53).map((r) => r.probe.proto + ' ' + r.kernel.verdict)).toEqual(['udp refused']);
    expect(v4('client-v4', 'web-1-fip', 443)[0]!.kernel.seen).toEqual({ src: '198.51.100.7', dst: '10.1.0.2' });
    expect(new Set(rows.filter((r) => r.probe.ipv6).map((r) => r.kernel.verdict))).toEqual(new Set(['delivered', 'refused', 'dropped', 'unreachable']));
    expect(namespacesOf(prefix)).toEqual([]);
  }, 90_000);

  it('lb-health.yaml: the member vnet\'s monitor takes down is left out of the kernel\'s pool too', async () => {
    const { prefix, rows } = await conformClean('h', 'test/fixtures/realize/lb-health.yaml', 'test/fixtures/realize/lb-health-probes.yaml', 'agree');
    const lb = find(rows, 'client', 'lb-fip', 80);
    expect(lb.map((r) => r.kernel.seen?.dst)).toEqual(['10.0.0.2', '10.0.0.4', '10.0.0.2', '10.0.0.4']);
    expect(lb.map((r) => r.vnet.observed?.dst)).toEqual(['10.0.0.2', '10.0.0.4', '10.0.0.2', '10.0.0.4']);
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('aws-vpc.yaml, default probes: network ACLs of two subnets that share a network and a router', async () => {
    // The router's two ports are on one bridge: each must answer ARP for its own address only,
    // or traffic from one subnet enters by the other's port and meets the wrong ACL.
    const { prefix, rows } = await conformClean('a', 'topologies/aws-vpc.yaml', null, 'explained');
    expect(find(rows, 'bastion', 'app-1', 22)[0]!.kernel.seen).toEqual({ src: '10.20.0.4', dst: '10.20.1.4' });
    expect(find(rows, 'bastion', 'app-2', 8080)[0]!.kernel.verdict).toBe('delivered');
    expect(find(rows, 'app-1', 'bastion', 22)[0]!.kernel.dropAt).toContain(`${prefix}-r-igw vnet_acl/acl_drop`);
    expect(find(rows, 'scanner', 'bastion-eip', 22)[0]!.kernel.dropAt).toContain(`${prefix}-r-igw vnet_acl/acl_drop`);
    expect(namespacesOf(prefix)).toEqual([]);
  }, 90_000);

  it('two-project.yaml, default probes: two projects on 10.0.0.0/24 are separate address spaces in the kernel too', async () => {
    // A probe to another project's instance by name lands on whatever holds its address in the
    // sender's space: vnet says misdelivered (and where), the kernel's prober only that it answered.
    const { rows } = await conformClean('p', 'topologies/two-project.yaml', null, 'explained');
    const misdelivered = rows.filter((r) => r.vnet.verdict === 'misdelivered');
    expect(misdelivered.map((r) => `${r.probe.from} → ${r.probe.to}/${r.probe.port}`)).toEqual(['a-vm1 → b-vm1/80', 'b-vm1 → a-vm1/80', 'b-vm1 → a-vm1/22', 'b-etl → b-vm1/80', 'b-cache → b-vm1/80', 'mirror → b-vm1/80']);
    for (const r of misdelivered) expect(r.status).toBe('expected');
    // Loopback in both: a-vm1's own 10.0.0.2.
    expect(find(rows, 'a-vm1', 'b-vm1', 80)[0]!.kernel.seen).toEqual({ src: '10.0.0.2', dst: '10.0.0.2' });
    // Across projects by floating IP, and beta's instances on the shared and RBAC networks in alpha's space.
    expect(find(rows, 'client', 'b-fip', 80)[0]!.kernel.seen).toEqual({ src: '198.51.100.7', dst: '10.0.0.2' });
    expect(find(rows, 'b-etl', 'a-vm1', 80)[0]!.kernel.seen).toEqual({ src: '10.8.0.2', dst: '10.0.0.2' });
    expect(find(rows, 'b-vm1', 'b-cache', 80)[0]!.kernel.verdict).toBe('unreachable');
  }, 120_000);

  it('ipv6-gateway.yaml: an IPv6 external network, the router SNATs IPv6 as vnet does', async () => {
    const { prefix, rows } = await conformClean('g', 'test/fixtures/realize/ipv6-gateway.yaml', 'test/fixtures/realize/ipv6-gateway-probes.yaml', 'agree');
    expect(find(rows, 'a', 'c6', 80)[0]!.kernel.seen).toEqual({ src: '2001:db8:100::2', dst: '2001:db8:ffff::7' });
    expect(rows.map((r) => r.kernel.verdict)).toEqual(['delivered', 'unreachable', 'refused', 'delivered', 'refused', 'delivered']);
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('nat-ovn.yaml: neutron_backend ovn — the kernel SNATs only the attached subnets, as vnet does', async () => {
    const { prefix, rows } = await conformClean('o', 'test/fixtures/realize/nat-ovn.yaml', 'test/fixtures/realize/nat-ovn-probes.yaml', 'explained');
    expect(find(rows, 'db-1', 'mirror', 443)[0]!.kernel.seen).toEqual({ src: '203.0.113.10', dst: '198.51.100.20' });
    expect(find(rows, 'db-1', 'web-1-fip', 80)[0]!.kernel.seen?.src).toBe('203.0.113.10');
    // From behind another router: no snat row, so the member sees the client's own address.
    expect(find(rows, 'far-1', 'web-1-fip', 80)[0]!.kernel.seen?.src).toBe('172.16.0.2');
    // Not SNATed (snat off; a source behind another router): the answer has no way back in either.
    expect(rows.map((r) => r.status)).toEqual(['agree', 'agree', 'agree', 'expected', 'expected']);
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('ipv6-balancer.yaml: an IPv6 VIP, round robin through the router and from the VIP\'s subnet', async () => {
    const { prefix, rows } = await conformClean('b', 'test/fixtures/realize/ipv6-balancer.yaml', 'test/fixtures/realize/ipv6-balancer-probes.yaml', 'explained');
    const routed = find(rows, 'cl', 'lb', 80);
    expect(routed.map((r) => r.kernel.seen)).toEqual(['2001:db8:5::1', '2001:db8:5::2', '2001:db8:5::1'].map((dst) => ({ src: '2001:db8:6::1', dst })));
    expect(routed.map((r) => r.status)).toEqual(['agree', 'agree', 'agree']);
    expect(find(rows, 'cl2', 'lb', 80)[0]!.kernel.seen?.src).toBe('2001:db8:5::4');
    expect(find(rows, 'cl', 'lb', 81)[0]!.kernel.verdict).toBe('refused');
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('lb-hairpin-hash.yaml: source hashing picks the same members, and the member sees the same sources', async () => {
    const { prefix, rows } = await conformClean('s', 'test/fixtures/realize/lb-hairpin-hash.yaml', 'test/fixtures/realize/lb-hairpin-hash-probes.yaml', 'agree');
    expect(rows).toHaveLength(15);
    // Hashing by address: every member serves someone, and a client keeps its member.
    const byAddress = rows.filter((r) => r.probe.port === 80 && r.probe.to === 'lb-fip' && r.probe.from.startsWith('client-'));
    expect(new Set(byAddress.map((r) => r.kernel.seen?.dst)).size).toBe(3);
    expect(byAddress[6]!.kernel.seen?.dst).toBe(byAddress[0]!.kernel.seen?.dst);
    for (const r of rows) expect(r.kernel.seen?.dst, `${r.probe.from} → ${r.probe.to}`).toBe(r.vnet.observed?.dst);
    // Who the member saw: the router's address on the member's link, the client itself, the gateway.
    expect(find(rows, 'insider', 'hash-lb', 80)[0]!.kernel.seen?.src).toBe('10.2.0.1');
    expect(find(rows, 'admin', 'hash-lb', 80)[0]!.kernel.seen?.src).toBe('10.3.0.2');
    expect(find(rows, 'admin', 'lb-fip', 80)[0]!.kernel.seen?.src).toBe('203.0.113.10');
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('--keep leaves the realization up to look around in, and realize --down removes it', () => {
    const prefix = uniquePrefix('k');
    try {
      const run = spawnSync(process.execPath, ['dist/vnet.cjs', 'conform', 'topologies/minimal.yaml', '--keep', '--json', '--prefix', prefix], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout) as { kept: boolean; timing: { teardownMs: number | null }; summary: { differ: number } };
      expect(out.kept).toBe(true);
      expect(out.timing.teardownMs).toBeNull();
      expect(run.stderr).toContain(`left up: ${prefix}-*`);
      expect(namespacesOf(prefix).length).toBe(3);
    } finally {
      spawnSync(process.execPath, ['dist/vnet.cjs', 'realize', 'topologies/minimal.yaml', '--down', '--prefix', prefix]);
    }
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);

  it('tears down when interrupted', async () => {
    const prefix = uniquePrefix('i');
    const child = spawn(process.execPath, ['dist/vnet.cjs', 'conform', 'topologies/multi-router.yaml', '--prefix', prefix]);
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    // Interrupt once the namespaces exist.
    for (let i = 0; i < 200 && namespacesOf(prefix).length < 8; i++) await new Promise((r) => setTimeout(r, 50));
    expect(namespacesOf(prefix).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(err).toContain(`tore down ${prefix}-*`);
    expect(namespacesOf(prefix)).toEqual([]);
  }, 60_000);
});
