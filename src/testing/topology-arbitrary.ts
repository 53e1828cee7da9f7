/**
 * A fast-check arbitrary for valid topology documents (the file format of docs/topology.md, as a JS
 * value ready for JSON.stringify): a few networks with distinct /24 subnets, a router joining
 * them with an external gateway, security groups with random rules (remote prefixes or groups),
 * instances with services, sometimes floating IPs. Every document it makes loads without
 * errors, which a property test checks; users state their own properties on top of it.
 */
import fc from 'fast-check';

const SERVICES = ['tcp/22', 'tcp/80', 'tcp/443', 'tcp/5432', 'udp/53'] as const;

const ruleDoc = (groups: readonly string[]) =>
  fc.record({
    direction: fc.constantFrom('ingress', 'egress'),
    protocol: fc.constantFrom('tcp', 'udp', 'icmp', 'any'),
    port: fc.constantFrom(22, 53, 80, 443, 5432),
    remote: fc.oneof(fc.constant(null), fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '198.51.100.0/24'), groups.length ? fc.constantFrom(...groups).map((g) => ({ group: g })) : fc.constant(null)),
  }).map((r) => ({
    direction: r.direction,
    protocol: r.protocol,
    ...(r.protocol === 'tcp' || r.protocol === 'udp' ? { ports: r.port } : {}),
    ...(r.protocol === 'icmp' ? { type: 8 } : {}),
    ...(typeof r.remote === 'string' ? { remote_ip_prefix: r.remote } : r.remote ? { remote_group: r.remote.group } : {}),
  }));

export interface TopologyShape {
  readonly networks?: number;
  readonly instances?: number;
}

/** A valid topology document with up to `networks` networks and `instances` instances. */
export const topologyDocument = (shape: TopologyShape = {}): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    networks: fc.integer({ min: 1, max: shape.networks ?? 3 }),
    groups: fc.uniqueArray(fc.constantFrom('web', 'app', 'db', 'ssh'), { minLength: 1, maxLength: 4 }),
    instances: fc.integer({ min: 1, max: shape.instances ?? 6 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  }).chain(({ networks, groups, instances, seed }) =>
    fc.record({
      rules: fc.tuple(...groups.map(() => fc.array(ruleDoc(groups), { maxLength: 4 }))),
      placement: fc.array(fc.record({ net: fc.integer({ min: 0, max: networks - 1 }), groups: fc.subarray([...groups], { minLength: 1 }), services: fc.subarray([...SERVICES]), fip: fc.boolean() }), { minLength: instances, maxLength: instances }),
    }).map(({ rules, placement }) => {
      const subnet = (i: number) => `s${i}`;
      return {
        version: 1,
        name: 'generated',
        seed,
        external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.250' } },
        networks: Object.fromEntries(Array.from({ length: networks }, (_, i) => [`n${i}`, { subnets: { [subnet(i)]: { cidr: `10.${i}.0.0/24` } } }])),
        routers: { r: { external_gateway: { network: 'public', snat: true }, interfaces: Array.from({ length: networks }, (_, i) => subnet(i)) } },
        security_groups: Object.fromEntries(groups.map((g, i) => [g, { rules: rules[i] }])),
        instances: Object.fromEntries(placement.map((p, i) => [`vm-${i}`, { ports: [{ subnet: subnet(p.net), security_groups: p.groups }], services: p.services }])),
        floating_ips: Object.fromEntries(placement.flatMap((p, i) => (p.fip ? [[`fip-${i}`, { network: 'public', port: `vm-${i}` }]] : []))),
        external_hosts: { client: { ip: '198.51.100.7', services: ['tcp/80'] } },
      };
    }),
  );
