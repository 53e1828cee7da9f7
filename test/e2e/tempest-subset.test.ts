/**
 * tempest's own network API tests (Debian's python3-tempest 33) against the built `vnet api`: the
 * subset CI runs (`scripts/tempest.sh --subset`: networks, IPv4 and IPv6 subnets, ports, routers,
 * security groups, floating IPs, admin and negative tests). Every test of the subset must pass; a
 * failure names tempest's failing tests with their tracebacks. Without tempest it skips (CI fails
 * instead).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeNeeding } from '../system-tools.js';
import { classOf, parseTempestOutput } from './tempest-output.js';

/** The budget for CI's tempest run; the subset takes far less (see scripts/tempest.sh). */
const BUDGET_MS = 10 * 60_000;

/** The classes of the subset, each one area the issue names; every one must run and pass. */
const CLASSES = [
  'tempest.api.network.test_networks.NetworksTest',
  'tempest.api.network.test_networks.NetworksIpV6Test',
  'tempest.api.network.test_ports.PortsTestJSON',
  'tempest.api.network.test_routers.RoutersTest',
  'tempest.api.network.test_security_groups.SecGroupTest',
  'tempest.api.network.test_security_groups.SecGroupIPv6Test',
  'tempest.api.network.test_floating_ips.FloatingIPTestJSON',
  'tempest.api.network.admin.test_routers.RoutersAdminTest',
  'tempest.api.network.admin.test_external_network_extension.ExternalNetworksTestJSON',
  'tempest.api.network.test_networks_negative.NetworksNegativeTestJSON',
  'tempest.api.network.test_routers_negative.RoutersNegativeTest',
  'tempest.api.network.test_routers_negative.RoutersNegativeIpV6Test',
  'tempest.api.network.test_floating_ips_negative.FloatingIPNegativeTestJSON',
  'tempest.api.network.test_extensions.ExtensionsTestJSON',
  'tempest.api.network.test_versions.NetworksApiDiscovery',
];
/** tempest's counts for the subset (none of its tests is gated on an extension vnet does not advertise). */
const EXPECTED = { passed: 129, skipped: 0 };

interface Run { status: number | null; out: string; timedOut: boolean; ms: number }

/** scripts/tempest.sh in its own process group, so that a run over budget is stopped whole (vnet api, tempest and its workers). */
function runTempest(work: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/tempest.sh', '--subset', '--workdir', work], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const timer = setTimeout(() => { timedOut = true; process.kill(-child.pid!, 'SIGTERM'); }, BUDGET_MS);
    child.once('close', (status) => { clearTimeout(timer); resolve({ status, out, timedOut, ms: performance.now() - started }); });
  });
}

/** tempest's own account of its failures (tracebacks), from the run's log, for the failure message. */
function failureDetails(work: string): string {
  const log = join(work, 'run.log');
  if (!existsSync(log)) return '(no run.log)';
  const text = readFileSync(log, 'utf8');
  const at = text.search(/^Failed \d+ tests? - output below:/m);
  return at >= 0 ? text.slice(at, at + 20_000) : text.slice(-4_000);
}

describeNeeding('tempest', "tempest's network API subset against vnet api", () => {
  let work = '';
  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('runs the subset: every test passes, each area runs, the counts are the expected ones', async () => {
    work = mkdtempSync(join(tmpdir(), 'vnet-tempest-'));
    const run = await runTempest(work);
    const where = `scripts/tempest.sh --subset (${Math.round(run.ms / 1000)} s)`;
    expect(run.timedOut, `${where} went over the ${BUDGET_MS / 60_000}-minute budget and was stopped:\n${run.out.slice(-4_000)}`).toBe(false);
    expect(run.status, `${where} could not run tempest:\n${run.out.slice(-4_000)}`).not.toBe(2);
    const { results, totals } = parseTempestOutput(run.out);
    const failed = results.filter((r) => r.status === 'FAILED').map((r) => r.id);
    expect(failed, `tempest tests failed against vnet api:\n${failureDetails(work)}`).toEqual([]);
    expect(totals, `${where} printed no totals:\n${run.out.slice(-4_000)}`).not.toBeNull();
    expect(run.status, `${where} exit status`).toBe(0);
    const passedClasses = new Set(results.filter((r) => r.status === 'ok').map((r) => classOf(r.id)));
    expect([...passedClasses].sort()).toEqual([...CLASSES].sort());
    expect({ passed: totals!.passed, skipped: totals!.skipped, failed: totals!.failed }).toEqual({ ...EXPECTED, failed: 0 });
  }, BUDGET_MS + 30_000);
});
