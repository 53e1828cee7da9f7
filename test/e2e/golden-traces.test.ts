// Golden traces: reviewed, committed renderings of the engine's behaviour on the example
// topologies (every event in one short line: node, stage, action, packet).
// A change in behaviour shows up as a diff to review. `UPDATE_GOLDEN=1 npx vitest run
// test/e2e/golden-traces.test.ts` rewrites them after a reviewed change.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveProbe } from '../../src/probe/probe.js';
import { Simulator } from '../../src/engine/simulator.js';
import { parseTopology } from '../../src/topology/load.js';
import { renderEventLines } from '../../src/trace/render.js';
import type { Verdict } from '../../src/trace/verdict.js';

interface Probe { from: string; to: string; proto: 'tcp' | 'udp' | 'icmp'; port?: number; ipv6?: boolean }
/** `backend` adds `neutron_backend` to the file, so one topology shows both back ends' NAT. */
interface Scenario { topology: string; name: string; probes: Probe[]; backend?: 'l3-agent' | 'ovn' }

const NAT_BACKENDS = 'test/fixtures/nat/nat-backends.yaml';
/** The cases where the back ends' router NAT differs (the fixture's header says what each shows). */
const backendScenarios: Scenario[] = (['l3-agent', 'ovn'] as const).flatMap((backend) => [
  { topology: NAT_BACKENDS, backend, name: `${backend}-snat-attached-subnet`, probes: [{ from: 'db-1', to: 'mirror', proto: 'tcp', port: 443 }] },
  { topology: NAT_BACKENDS, backend, name: `${backend}-snat-behind-static-route`, probes: [{ from: 'far-1', to: 'mirror', proto: 'tcp', port: 443 }] },
  { topology: NAT_BACKENDS, backend, name: `${backend}-hairpin-from-attached-subnet`, probes: [{ from: 'db-1', to: 'web-1-fip', proto: 'tcp', port: 80 }] },
  { topology: NAT_BACKENDS, backend, name: `${backend}-hairpin-from-behind-static-route`, probes: [{ from: 'far-1', to: 'web-1-fip', proto: 'tcp', port: 80 }] },
  { topology: NAT_BACKENDS, backend, name: `${backend}-snat-off`, probes: [{ from: 'shut-1', to: 'mirror', proto: 'tcp', port: 443 }, { from: 'shut-1', to: 'shut-2-fip', proto: 'tcp', port: 80 }] },
] satisfies Scenario[]);

const scenarios: Scenario[] = [
  { topology: 'topologies/three-tier.yaml', name: 'ping-first-with-arp-then-cached', probes: [{ from: 'web-1', to: 'web-2', proto: 'icmp' }, { from: 'web-1', to: 'web-2', proto: 'icmp' }] },
  { topology: 'topologies/three-tier.yaml', name: 'tcp-same-subnet-open', probes: [{ from: 'web-1', to: 'web-2', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/three-tier.yaml', name: 'tcp-same-subnet-closed', probes: [{ from: 'web-1', to: 'web-2', proto: 'tcp', port: 8080 }] },
  { topology: 'topologies/three-tier.yaml', name: 'tcp-cross-subnet-open', probes: [{ from: 'web-1', to: 'db-1', proto: 'tcp', port: 5432 }] },
  { topology: 'topologies/three-tier.yaml', name: 'tcp-cross-subnet-closed', probes: [{ from: 'db-1', to: 'web-1', proto: 'tcp', port: 443 }] },
  { topology: 'topologies/three-tier.yaml', name: 'tcp-blocked-by-group', probes: [{ from: 'web-1', to: 'db-1', proto: 'tcp', port: 22 }] },
  { topology: 'topologies/three-tier.yaml', name: 'ssh-from-outside-allowed-prefix-only', probes: [{ from: 'db-1', to: 'web-1', proto: 'tcp', port: 22 }] },
  { topology: 'topologies/three-tier.yaml', name: 'internet-to-floating-ip-http', probes: [{ from: 'client', to: 'web-1-fip', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/three-tier.yaml', name: 'internet-to-floating-ip-ssh-disallowed', probes: [{ from: 'scanner', to: 'web-1-fip', proto: 'tcp', port: 22 }] },
  { topology: 'topologies/three-tier.yaml', name: 'floating-ip-outbound', probes: [{ from: 'web-1', to: 'mirror', proto: 'tcp', port: 443 }] },
  { topology: 'topologies/three-tier.yaml', name: 'router-snat-outbound', probes: [{ from: 'db-1', to: 'mirror', proto: 'tcp', port: 443 }] },
  { topology: 'topologies/three-tier.yaml', name: 'floating-ip-hairpin', probes: [{ from: 'web-2', to: 'web-1-fip', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/three-tier.yaml', name: 'lb-round-robin-via-floating-ip', probes: [1, 2, 3, 4].map(() => ({ from: 'client', to: 'lb-fip', proto: 'tcp' as const, port: 80 })) },
  { topology: 'topologies/three-tier.yaml', name: 'lb-same-subnet-client', probes: [{ from: 'web-2', to: 'web-lb', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/three-tier.yaml', name: 'lb-vip-from-another-subnet-keeps-client', probes: [{ from: 'db-1', to: 'web-lb', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/three-tier.yaml', name: 'lb-floating-ip-from-inside-hairpin', probes: [{ from: 'db-1', to: 'lb-fip', proto: 'tcp', port: 80 }] },
  { topology: 'test/fixtures/engine/lb-member-on-client-link.yaml', name: 'lb-member-on-client-link-snat-to-router', probes: [{ from: 'client', to: 'lb', proto: 'tcp', port: 80 }, { from: 'admin', to: 'lb', proto: 'tcp', port: 80 }] },
  { topology: 'test/fixtures/engine/lb-member-down.yaml', name: 'health-monitor-takes-blocked-member-down', probes: [1, 2, 3].map(() => ({ from: 'client', to: 'lb-fip', proto: 'tcp' as const, port: 80 })) },
  { topology: 'test/fixtures/engine/lb-member-down.yaml', name: 'no-healthy-member-refused', probes: [{ from: 'client', to: 'empty-fip', proto: 'tcp', port: 80 }] },
  { topology: 'test/fixtures/engine/lb-proxy.yaml', name: 'proxy-mode-member-sees-vip', probes: [{ from: 'client', to: 'lb-fip', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/fabric.yaml', name: 'across-a-leaf-spine-fabric', probes: [{ from: 'a1', to: 'b1', proto: 'tcp', port: 80 }, { from: 'a2', to: 'b1', proto: 'tcp', port: 22 }] },
  { topology: 'topologies/minimal.yaml', name: 'udp-open-and-closed', probes: [{ from: 'alice', to: 'bob', proto: 'udp', port: 53 }, { from: 'alice', to: 'bob', proto: 'udp', port: 54 }] },
  { topology: 'topologies/three-tier.yaml', name: 'arp-unanswered', probes: [{ from: 'web-1', to: '10.0.0.77', proto: 'icmp' }] },
  { topology: 'test/fixtures/engine/routing-loop.yaml', name: 'routing-loop-expires', probes: [{ from: 'a', to: '10.99.0.5', proto: 'icmp' }] },
  { topology: 'test/fixtures/engine/no-route.yaml', name: 'no-route-unreachable', probes: [{ from: 'a', to: '198.51.100.7', proto: 'tcp', port: 443 }] },
  { topology: 'topologies/dual-stack.yaml', name: 'ipv6-ping-with-nd', probes: [{ from: 'web-1', to: 'db-1', proto: 'icmp', ipv6: true }] },
  { topology: 'topologies/multi-router.yaml', name: 'two-router-hops', probes: [{ from: 'hq-1', to: 'branch-1', proto: 'tcp', port: 22 }] },
  // Issue 14: two projects on 10.0.0.0/24. By name, b-vm1's address is a-vm1 itself in alpha's
  // space (misdelivered over loopback); by its floating IP it is reached; beta's b-cache on the
  // shared network and b-etl on alpha's RBAC-shared ops network are in alpha's space.
  { topology: 'topologies/two-project.yaml', name: 'overlap-by-name-lands-on-self', probes: [{ from: 'a-vm1', to: 'b-vm1', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/two-project.yaml', name: 'across-projects-by-floating-ip', probes: [{ from: 'a-vm1', to: 'b-fip', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/two-project.yaml', name: 'shared-network-from-other-project', probes: [{ from: 'a-vm1', to: 'b-cache', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/two-project.yaml', name: 'rbac-network-member-by-name-lands-in-alpha', probes: [{ from: 'b-etl', to: 'b-vm1', proto: 'tcp', port: 80 }] },
  { topology: 'topologies/two-project.yaml', name: 'internet-to-private-overlap-unreachable', probes: [{ from: 'client', to: 'b-vm1', proto: 'tcp', port: 80 }] },
  { topology: 'test/fixtures/projects/bastion.yaml', name: 'bastion-in-both-projects-lands-by-first-port', probes: [{ from: 'bastion', to: 'b-vm1', proto: 'tcp', port: 80 }] },
  ...backendScenarios,
];

export function runScenario(s: Scenario): { verdicts: Verdict[]; health: string[] } {
  const text = readFileSync(s.topology, 'utf8') + (s.backend ? `\nneutron_backend: ${s.backend}\n` : '');
  const loaded = parseTopology(text, s.topology);
  if (!loaded.ok) throw new Error(`${s.topology} does not load`);
  const sim = new Simulator(loaded.cloud);
  // Health-monitor transitions happen in the background before the first probe.
  const health = renderEventLines(sim.events.filter((e) => e.stage === 'lb.health' && e.action.startsWith('member-')));
  const verdicts = s.probes.map((p) => {
    // As vnet trace resolves it: a named destination is the probe's target (where it must land).
    const r = resolveProbe(loaded.cloud, { from: p.from, to: p.to, proto: p.proto, port: p.port ?? 0, ipv6: p.ipv6 ?? false, spoof: null });
    if (!r.ok) throw new Error(`bad probe ${p.from} → ${p.to}`);
    return sim.probe(r.probe.spec);
  });
  return { verdicts, health };
}

function render({ verdicts, health }: { verdicts: Verdict[]; health: string[] }): string {
  return (health.length ? `# health monitors\n${health.join('\n')}\n\n` : '') + verdicts.map((v, i) => [
    `# probe ${i + 1}`,
    ...renderEventLines(v.events),
    `verdict: ${v.verdict} reply=${v.reply}`,
    `path: ${v.path.join(' > ')}`,
    `drop: ${v.drop ? `${v.drop.node} ${v.drop.stage}: ${v.drop.reason}` : '-'}`,
    `nat: ${v.nat.length ? v.nat.map((n) => `${n.node} ${n.kind} ${n.from} => ${n.to}`).join('; ') : '-'}`,
    `lb: ${v.lb ? `${v.lb.node} ${v.lb.member} (${v.lb.algorithm})` : '-'}`,
    `observed: ${v.observed ? `${v.observed.src} > ${v.observed.dst}` : '-'}`,
    `landed: ${v.landed ? `${v.landed.node} ${v.landed.port ?? '(loopback)'}` : '-'}`,
    ...(v.verdict === 'misdelivered' ? [`reason: ${v.reason}`] : []),
  ].join('\n')).join('\n\n') + '\n';
}

describe('golden traces', () => {
  for (const s of scenarios) {
    it(`${s.topology} ${s.name}`, () => {
      const name = s.topology.split('/').pop()!.replace(/\.yaml$/, '');
      const file = join('test/golden', name, `${s.name}.txt`);
      const text = render(runScenario(s));
      if (process.env['UPDATE_GOLDEN']) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
