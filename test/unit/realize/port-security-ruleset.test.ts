/**
 * The realization's port security (src/realize/port-security-ruleset.ts): one chain per instance
 * port with port security, one per MAC it may send from, holding exactly the addresses vnet's
 * port security lets that MAC use (fixed addresses, allowed pairs, plus the link-local and
 * unspecified IPv6 sources Linux's neighbour discovery needs); a covered element is left out,
 * since nftables refuses overlapping intervals. Where this machine can make a namespace, nft
 * checks the text (`nft -c`).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';
import { portSecurityRuleset } from '../../../src/realize/port-security-ruleset.js';
import { uniquePrefix } from '../../e2e/realize-namespaces.js';
import { describeNeeding } from '../../system-tools.js';

const yaml = `version: 1
networks:
  lan:
    subnets:
      v4: { cidr: 10.0.0.0/24 }
instances:
  a:
    ports:
      - subnet: v4
        ip: 10.0.0.10
        allowed_address_pairs: ["10.0.0.0/25", { ip_address: 10.0.9.9, mac_address: "fa:16:3e:aa:bb:cc" }]
  b: { ports: [{ subnet: v4, port_security: false }] }
`;

function ruleset(): string {
  const r = parseTopology(yaml, 'pairs.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  const ports = [...r.cloud.ports.values()].filter((p) => p.owner.kind === 'instance').map((port, i) => ({ port, bridgeSide: `vnqp${i}` }));
  return portSecurityRuleset(ports)!;
}

describe('the port-security ruleset', () => {
  it('guards only ports with port security, one chain per MAC, with the addresses vnet allows', () => {
    const text = ruleset();
    expect(text).toContain('iifname "vnqp0" jump port0 comment "a/eth0"');
    expect(text).not.toContain('vnqp1'); // b has port security off
    expect(text).toContain('ether saddr fa:16:3e:00:00:01 jump port0_mac0');
    expect(text).toContain('ether saddr fa:16:3e:aa:bb:cc jump port0_mac1');
    // The /25 pair covers the fixed address, which is left out of the set.
    expect(text).toContain('    ip saddr 10.0.0.0/25 accept');
    expect(text).toContain('    arp saddr ip 10.0.0.0/25 accept');
    expect(text).toContain('    ip6 saddr { fe80::f816:3eff:fe00:1, :: } accept');
    // The pair with its own MAC: only its address, and no IPv6 (the link-local is the port MAC's).
    const mac1 = text.slice(text.indexOf('chain port0_mac1'));
    expect(mac1).toContain('ip saddr 10.0.9.9 accept');
    expect(mac1.slice(0, mac1.indexOf('}'))).not.toContain('ip6');
  });

  describeNeeding('namespaces', 'in the kernel', () => {
    it('is valid nftables (nft -c)', () => {
      const ns = `${uniquePrefix('q')}-check`;
      expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
      try {
        const check = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', '-'], { input: ruleset(), encoding: 'utf8' });
        expect(check.stderr).toBe('');
        expect(check.status).toBe(0);
      } finally {
        spawnSync('ip', ['netns', 'del', ns]);
      }
    });
  });
});
