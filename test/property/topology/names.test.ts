/**
 * Every name is either an ordinary name or refused at its place; none is dropped. For any name
 * the grammar accepts, Object.prototype's own names among them (constructor, prototype,
 * toString, hasOwnProperty, ...), a file that uses it for an entry of every collection loads
 * with that entry in the model and every reference to it resolved. Names outside the grammar
 * (__proto__, _x) are refused with a name issue at each key's line and column. A reference to
 * an entry that does not exist is refused even when it is an Object.prototype member's name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';
import { NAME_PATTERN } from '../../../src/topology/schema.js';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

/** One entry named N in every collection, each referring to the others by that name. */
const topology = (n: string): string => `version: 1
external_networks:
  ${n}: { cidr: 203.0.113.0/24, gateway: 203.0.113.1, pool: 203.0.113.10-203.0.113.200 }
networks:
  ${n}:
    subnets:
      ${n}: { cidr: 10.0.0.0/24 }
routers:
  ${n}: { external_gateway: { network: ${n} }, interfaces: [${n}] }
security_groups:
  ${n}: { rules: [{ direction: ingress, protocol: tcp, ports: 80, remote_group: ${n} }] }
network_acls:
  ${n}: { subnets: [${n}], ingress: [{ rule: 1, action: allow }], egress: [{ rule: 1, action: allow }] }
instances:
  ${n}: { ports: [{ subnet: ${n}, security_groups: [${n}] }], services: [tcp/80] }
floating_ips:
  ${n}: { network: ${n}, port: ${n} }
load_balancers:
  ${n}:
    subnet: ${n}
    listeners: [{ protocol: tcp, port: 80, pool: ${n} }]
    pools: { ${n}: { algorithm: round_robin, members: [${n}] } }
external_hosts:
  ${n}: { ip: 198.51.100.7 }
`;

/** Lines (1-based) and columns of the keys named N in topology(N), in file order. */
const KEY_PLACES = [[3, 3], [5, 3], [7, 7], [9, 3], [11, 3], [13, 3], [15, 3], [17, 3], [19, 3], [22, 14], [24, 3]];

const grammarName = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES.filter((n) => NAME_PATTERN.test(n)), 'prototype', 'constructor', 'toString', 'hasOwnProperty'),
  fc.stringMatching(NAME_PATTERN).filter((n) => n.length <= 30),
);

describe('names (property)', () => {
  it('Object.prototype names the grammar accepts are all tried, and __proto__ is outside it', () => {
    expect(NAME_PATTERN.test('constructor') && NAME_PATTERN.test('prototype') && NAME_PATTERN.test('toString')).toBe(true);
    expect(NAME_PATTERN.test('__proto__')).toBe(false);
  });

  it('any name the grammar accepts is in every collection of the model, with its references resolved', () => {
    fc.assert(fc.property(grammarName, (n) => {
      // Quoted, so that a name such as 0 or true stays a string in YAML.
      const result = parseTopology(topology(JSON.stringify(n)), 'names.yaml');
      if (!result.ok) throw new Error(`${n}: ${result.issues.map((i) => `${i.code} ${i.message}`).join('; ')}`);
      const { cloud } = result;
      for (const m of [cloud.externalNetworks, cloud.networks, cloud.subnets, cloud.routers, cloud.securityGroups, cloud.networkAcls, cloud.instances, cloud.floatingIps, cloud.loadBalancers, cloud.externalHosts]) {
        expect([...m.keys()].filter((k) => k !== 'default')).toEqual([n]);
        expect(m.get(n)!.name).toBe(n);
      }
      expect(cloud.networks.get(n)!.subnets).toEqual([n]);
      expect(cloud.subnets.get(n)!.network).toBe(n);
      const port = cloud.ports.get(cloud.instances.get(n)!.ports[0]!)!;
      expect(port.securityGroups).toEqual([n]);
      expect(cloud.securityGroups.get(n)!.rules.some((r) => r.remoteGroup === n)).toBe(true);
      expect(cloud.routers.get(n)!.externalGateway?.network).toBe(n);
      expect(cloud.routers.get(n)!.interfaces).toHaveLength(1);
      expect(cloud.networkAcls.get(n)!.subnets).toEqual([n]);
      expect(cloud.subnets.get(n)!.networkAcl).toBe(n);
      expect(cloud.floatingIps.get(n)!.port).toBe(port.id);
      expect(cloud.loadBalancers.get(n)!.pools.map((p) => [p.name, p.members.map((m) => m.instance)])).toEqual([[n, [n]]]);
    }), { numRuns: 200 });
  });

  it('a name outside the grammar is refused at every key that uses it, never dropped', () => {
    fc.assert(fc.property(fc.constantFrom('__proto__', '_x', '__defineGetter__', '-a', '.a'), (n) => {
      const result = parseTopology(topology(JSON.stringify(n)), 'names.yaml');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const atKeys = result.issues.filter((i) => i.code === 'name' && i.path[i.path.length - 1] === n);
      expect(atKeys.map((i) => [i.line, i.col])).toEqual(KEY_PLACES);
    }));
  });

  it('a reference to a missing entry named like an Object.prototype member is an error, not a match', () => {
    fc.assert(fc.property(fc.constantFrom(...PROTOTYPE_NAMES.filter((n) => NAME_PATTERN.test(n))), (n) => {
      const text = topology('web').replace('security_groups: [web]', `security_groups: [${n}]`).replace('remote_group: web', `remote_group: ${n}`)
        .replace('members: [web]', `members: [${n}]`).replace('network: web, port: web', `network: ${n}, port: web`);
      const result = parseTopology(text, 'refs.yaml');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues.map((i) => i.code).sort()).toEqual(['unknown-external-network', 'unknown-group', 'unknown-group', 'unknown-instance'].sort());
    }));
  });
});
