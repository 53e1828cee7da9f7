/**
 * Connection tracking keeps the ICMP type through the whole engine: an instance pinging its own
 * floating IP (hairpin) sends an echo request that comes back to it as a new echo request, which
 * its group must allow like any other (Linux and OVN agree: the kernel drops it, ovn-trace drops
 * it at ls_out_acl); an echo reply that answers nothing is invalid and dropped before any rule.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import { probeSpec } from './probes.js';

function cloudOf(rules: string): Cloud {
  const r = parseTopology(`
version: 1
name: hairpin-ping
external_networks: { public: { cidr: 203.0.113.0/24, gateway: 203.0.113.1, pool: 203.0.113.10-203.0.113.200 } }
networks: { net0: { subnets: { s0: { cidr: 10.1.0.0/26 } } } }
routers: { r0: { interfaces: [s0], external_gateway: { network: public, ip: 203.0.113.10, snat: true } } }
security_groups: { sg0: { rules: ${rules} } }
instances: { vm0: { ports: [{ subnet: s0, ip: 10.1.0.10, security_groups: [sg0] }] } }
floating_ips: { fip0: { network: public, port: vm0, ip: 203.0.113.50 } }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.cloud;
}

describe('ICMP echo in connection tracking', () => {
  it('an instance pinging its own floating IP meets its own request as a new flow: no ingress rule, dropped at sg.ingress with ct new', () => {
    const cloud = cloudOf('[]');
    const v = new Simulator(cloud).probe(probeSpec(cloud, 'vm0', '203.0.113.50', 'icmp'));
    expect(v.verdict).toBe('dropped');
    expect(v.drop).toMatchObject({ node: 'instance:vm0', stage: 'sg.ingress' });
    const ingress = v.events.filter((e) => e.stage === 'sg.ingress');
    expect(ingress).toHaveLength(1);
    expect(ingress[0]!.detail).toMatchObject({ ct: 'new', default: 'drop' });
  });

  it('with an ingress ICMP rule the same ping is delivered, and its reply is the tracked reply of the request both ways', () => {
    const cloud = cloudOf('[{ direction: ingress, protocol: icmp }]');
    const v = new Simulator(cloud).probe(probeSpec(cloud, 'vm0', '203.0.113.50', 'icmp'));
    expect(v.verdict).toBe('delivered');
    expect(v.reply).toBe(true);
    const cts = v.events.filter((e) => e.stage === 'sg.ingress' || e.stage === 'sg.egress').map((e) => `${e.stage}:${String((e.detail as { ct?: string }).ct)}`);
    // request out (new), request in (new, by the rule), reply out (established), reply in (established)
    expect(cts).toEqual(['sg.egress:new', 'sg.ingress:new', 'sg.egress:established', 'sg.ingress:established']);
  });
});

describe('an echo reply that answers no tracked request', () => {
  it('is invalid and dropped before any rule: a two-armed instance answers a ping on one network out of its port on the other', () => {
    // The request enters eth1 (net1); the host's route sends the reply out of eth0 (net0), whose
    // tracking (its own zone, as each network's is in Neutron's OVS firewall) never saw it.
    const r = parseTopology(`
version: 1
name: asymmetric
networks: { net0: { subnets: { s0: { cidr: 10.1.0.0/26 } } }, net1: { subnets: { s1: { cidr: 10.1.1.0/26 } } } }
routers: { r0: { interfaces: [s0, s1] } }
security_groups: { sg0: { rules: [{ direction: ingress, protocol: icmp }] } }
instances:
  vm0: { ports: [{ subnet: s0, ip: 10.1.0.10, security_groups: [sg0], allowed_address_pairs: [10.1.1.10] }, { subnet: s1, ip: 10.1.1.10, security_groups: [sg0] }] }
  vm1: { ports: [{ subnet: s0, security_groups: [sg0] }] }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const v = new Simulator(r.cloud).probe(probeSpec(r.cloud, 'vm1', '10.1.1.10', 'icmp'));
    expect(v.reply).toBe(false);
    const drop = v.events.find((e) => e.action === 'drop');
    expect(drop).toMatchObject({ node: 'instance:vm0', port: 'vm0/eth0', stage: 'sg.egress' });
    expect(drop!.detail).toMatchObject({ ct: 'invalid', default: 'drop' });
  });
});
