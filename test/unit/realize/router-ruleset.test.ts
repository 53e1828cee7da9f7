// The router's NAT ruleset under each Neutron back end (src/realize/router-ruleset.ts): the L3
// agent SNATs everything leaving the gateway and hairpins every floating IP to the gateway; OVN
// SNATs only its attached subnets (`ip saddr`), only with `snat` on, and a balancer's floating
// IP is a VIP. l3-agent scripts stay the reviewed golden ones (script.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routerRuleset } from '../../../src/realize/router-ruleset.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

function load(file: string, backend: 'l3-agent' | 'ovn'): Cloud {
  const r = parseTopology(`${readFileSync(file, 'utf8')}\nneutron_backend: ${backend}\n`, file);
  if (!r.ok) throw new Error(`${file} does not load`);
  return r.cloud;
}

/** The postrouting rules of one router, with the gateway port named qg-gw and the others qr-N. */
function postrouting(cloud: Cloud, name: string): string[] {
  const router = cloud.routers.get(name)!;
  const text = routerRuleset(cloud, router, (id) => (id === router.externalGateway?.port ? 'qg-gw' : `qr-${router.interfaces.indexOf(id)}`)) ?? '';
  const chain = text.split('chain postrouting {')[1] ?? '';
  return chain.split('\n').map((l) => l.trim()).filter((l) => l.includes('snat '));
}

const BACKENDS = 'test/fixtures/nat/nat-backends.yaml';

describe('router NAT ruleset by back end', () => {
  it('l3-agent: SNAT of everything leaving the gateway, hairpin of every floating IP to the gateway', () => {
    const rules = postrouting(load(BACKENDS, 'l3-agent'), 'edge');
    expect(rules).toContain('iifname != "qg-gw" oifname "qg-gw" snat ip to 203.0.113.10 comment "router SNAT"');
    expect(rules).toContain('iifname != "qg-gw" oifname != "qg-gw" ct status dnat ct original ip daddr 203.0.113.50 snat ip to 203.0.113.10 comment "hairpin: sent to a floating IP, DNATed back inside"');
    expect(rules.some((r) => r.includes('ip saddr {'))).toBe(false);
  });

  it('ovn: the SNAT and the hairpin to the gateway take only the attached subnets\' sources (not far, behind inner)', () => {
    const rules = postrouting(load(BACKENDS, 'ovn'), 'edge');
    const rows = 'ip saddr { 10.0.0.0/24, 10.0.1.0/24, 10.50.0.0/29 }';
    expect(rules).toContain(`iifname != "qg-gw" oifname "qg-gw" ${rows} snat ip to 203.0.113.10 comment "ovn: snat rows of the attached subnets"`);
    expect(rules).toContain(`iifname != "qg-gw" oifname != "qg-gw" ct status dnat ct original ip daddr 203.0.113.50 ${rows} snat ip to 203.0.113.10 comment "ovn hairpin: the client's snat row, before the egress loopback"`);
    // Every rule that SNATs to the gateway names its sources.
    for (const r of rules.filter((x) => x.includes('snat ip to 203.0.113.10'))) expect(r).toContain(rows);
  });

  it('snat: false — the L3 agent still hairpins to the gateway; OVN SNATs to it never, a floating IP to itself still', () => {
    const l3 = postrouting(load(BACKENDS, 'l3-agent'), 'nosnat');
    const ovn = postrouting(load(BACKENDS, 'ovn'), 'nosnat');
    expect(l3.filter((r) => r.includes('snat ip to 203.0.113.11'))).toHaveLength(1);
    expect(ovn.filter((r) => r.includes('snat ip to 203.0.113.11'))).toEqual([]);
    for (const rules of [l3, ovn]) expect(rules.filter((r) => r.includes('snat ip to 203.0.113.60'))).toHaveLength(2);
  });

  it('ovn: a balancer\'s floating IP is a VIP, not a hairpin; the L3 agent hairpins it', () => {
    const l3 = postrouting(load('topologies/three-tier.yaml', 'l3-agent'), 'edge');
    const ovn = postrouting(load('topologies/three-tier.yaml', 'ovn'), 'edge');
    const sentTo = (rules: string[]) => rules.filter((r) => r.includes('ct original ip daddr')).map((r) => /ct original ip daddr (\{[^}]*\}|\S+)/.exec(r)![1]);
    expect(new Set(sentTo(l3))).toEqual(new Set(['{ 203.0.113.11, 203.0.113.80 }']));
    expect(new Set(sentTo(ovn))).toEqual(new Set(['203.0.113.11']));
  });

  it('an IPv6 gateway: the L3 agent SNATs all IPv6 leaving it, OVN only its attached IPv6 subnets', () => {
    const v6 = (backend: 'l3-agent' | 'ovn') => {
      const cloud = load('test/fixtures/realize/ipv6-gateway.yaml', backend);
      const router = [...cloud.routers.values()].find((r) => r.externalGateway?.address.ip.version === 6)!;
      const text = routerRuleset(cloud, router, (id) => (id === router.externalGateway?.port ? 'qg-gw' : 'qr')) ?? '';
      return text.split('\n').map((l) => l.trim()).filter((l) => l.includes('snat ip6 to') && l.includes('oifname "qg-gw"'));
    };
    expect(v6('l3-agent')).toEqual([expect.stringMatching(/^iifname != "qg-gw" oifname "qg-gw" snat ip6 to \S+ comment "router SNAT"$/)]);
    expect(v6('ovn')).toEqual([expect.stringMatching(/^iifname != "qg-gw" oifname "qg-gw" ip6 saddr \S+::\/64 snat ip6 to /)]);
  });
});
