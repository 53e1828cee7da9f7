/**
 * The shape of a topology file (DESIGN §6), declared once with valibot. The validator and the
 * published JSON Schema (schema/topology.schema.json) are both derived from these declarations.
 * This layer checks shape only (types, known keys, enums); meaning (CIDRs, references, IPAM)
 * is checked by resolve.ts so every problem gets a positioned Issue.
 */
import * as v from 'valibot';

const describe = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

/** Names are map keys and references; "/" is kept free for port references (web-1/eth1). */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const name = describe(v.pipe(v.string(), v.regex(NAME_PATTERN, 'a name of letters, digits, "_", "." or "-"')), 'A name: letters, digits, "_", "." or "-"');
const ipText = describe(v.string(), 'An IPv4 or IPv6 address, e.g. 10.0.0.5 or 2001:db8::5');
const cidrText = describe(v.string(), 'A CIDR prefix, e.g. 10.0.0.0/24 or 2001:db8::/64');
const rangeText = describe(v.string(), 'An address range "start-end", e.g. 10.0.0.10-10.0.0.99');
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const portNumber = int(0, 65535);
/** A port or a port range: 80, or "8000-8080". */
const portRange = describe(v.union([portNumber, v.string()]), 'A port (80) or a range ("8000-8080")');
/** `tcp/22`, `udp/53`, `tcp/8000-8010`. */
const service = describe(v.string(), 'A listening service: "tcp/22", "udp/53" or "tcp/8000-8010"');
const map = <T extends v.GenericSchema>(entry: T, text: string) => describe(v.record(name, entry), text);

const route = v.strictObject({
  destination: cidrText,
  nexthop: ipText,
});

const pool = describe(
  v.union([rangeText, v.strictObject({ start: ipText, end: ipText })]),
  'An allocation pool: "start-end" or { start, end }',
);

export const ipamProfile = v.picklist(['openstack', 'aws']);
export const allocationStrategy = v.picklist(['lowest', 'neutron']);
/** Whose NAT rules the routers follow: the L3 agent's iptables or ML2/OVN's NAT rows (DESIGN §3). */
export const neutronBackend = v.picklist(['l3-agent', 'ovn']);

const subnet = v.strictObject({
  cidr: cidrText,
  gateway: v.optional(v.nullable(ipText)),
  allocation_pools: v.optional(v.array(pool)),
  dns: v.optional(v.array(ipText)),
  host_routes: v.optional(v.array(route)),
  ipam_profile: v.optional(ipamProfile),
  allocation: v.optional(allocationStrategy),
  ipv6_address_mode: v.optional(v.picklist(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'])),
  description: v.optional(v.string()),
});

const network = v.strictObject({
  subnets: map(subnet, 'Subnets of this network, by name (names are unique in the file)'),
  arp_responder: v.optional(describe(v.boolean(), 'Answer ARP for known ports in the switch, as OVN does')),
  mtu: v.optional(int(68, 65535)),
  switches: v.optional(describe(v.array(name), 'A fabric: several switches for this network (ports pick one with `switch`; default: the first)')),
  links: v.optional(describe(v.array(v.pipe(v.array(name), v.length(2, 'a link joins two switches: [a, b]'))), 'Links between the fabric\'s switches; they must form a tree (no loops)')),
  description: v.optional(v.string()),
});

const externalNetwork = v.strictObject({
  cidr: cidrText,
  gateway: v.optional(v.nullable(ipText)),
  pool: v.optional(describe(v.union([pool, v.array(pool)]), 'Addresses for floating IPs and router gateways')),
  description: v.optional(v.string()),
});

const routerInterface = v.union([
  describe(name, 'A subnet name: the interface takes the subnet\'s gateway address'),
  v.strictObject({ subnet: name, ip: v.optional(ipText), switch: v.optional(name) }),
]);

const router = v.strictObject({
  external_gateway: v.optional(
    v.strictObject({
      network: name,
      snat: v.optional(v.boolean()),
      ip: v.optional(ipText),
    }),
  ),
  interfaces: v.optional(v.array(routerInterface)),
  routes: v.optional(describe(v.array(route), "Static routes (Neutron's extra routes)")),
  description: v.optional(v.string()),
});

const protocol = describe(
  v.union([v.picklist(['tcp', 'udp', 'icmp', 'icmpv6', 'any']), int(0, 255)]),
  'tcp, udp, icmp, icmpv6, any, or an IP protocol number',
);

const rule = v.strictObject({
  direction: v.picklist(['ingress', 'egress']),
  ethertype: v.optional(v.picklist(['IPv4', 'IPv6'])),
  protocol: v.optional(protocol),
  ports: v.optional(portRange),
  type: v.optional(describe(int(0, 255), 'ICMP type (Neutron port_range_min)')),
  code: v.optional(describe(int(0, 255), 'ICMP code (Neutron port_range_max); needs type')),
  remote_ip_prefix: v.optional(cidrText),
  remote_group: v.optional(name),
  description: v.optional(v.string()),
});

const securityGroup = v.strictObject({
  description: v.optional(v.string()),
  stateful: v.optional(v.boolean()),
  default_egress: v.optional(describe(v.boolean(), 'Start with the allow-all egress rules (default true)')),
  rules: v.optional(v.array(rule)),
});

const aclRule = v.strictObject({
  rule: describe(int(1, 32766), 'Rule number: lower numbers are evaluated first'),
  action: v.picklist(['allow', 'deny']),
  protocol: v.optional(protocol),
  ports: v.optional(portRange),
  type: v.optional(int(0, 255)),
  code: v.optional(int(0, 255)),
  cidr: v.optional(cidrText),
  description: v.optional(v.string()),
});

const networkAcl = v.strictObject({
  subnets: v.array(name),
  ingress: v.optional(v.array(aclRule)),
  egress: v.optional(v.array(aclRule)),
  description: v.optional(v.string()),
});

const addressPair = v.union([
  describe(v.string(), 'An IP address or CIDR the port may also send from'),
  v.strictObject({ ip_address: v.string(), mac_address: v.optional(v.string()) }),
]);

const fixedIp = v.union([name, v.strictObject({ subnet: name, ip: v.optional(ipText) })]);

const port = v.union([
  describe(name, 'Short form: one port on this subnet'),
  v.strictObject({
    name: v.optional(name),
    subnet: v.optional(name),
    ip: v.optional(ipText),
    switch: v.optional(describe(name, 'Which switch of the network\'s fabric the port is plugged into')),
    fixed_ips: v.optional(describe(v.array(fixedIp), 'Addresses on several subnets of one network')),
    mac: v.optional(v.string()),
    security_groups: v.optional(v.array(name)),
    port_security: v.optional(v.boolean()),
    allowed_address_pairs: v.optional(v.array(addressPair)),
  }),
]);

const instance = v.strictObject({
  ports: v.array(port),
  services: v.optional(v.array(service)),
  description: v.optional(v.string()),
});

const portForwarding = v.strictObject({
  protocol: v.picklist(['tcp', 'udp']),
  external_port: int(1, 65535),
  internal_port: int(1, 65535),
  internal_ip: v.optional(ipText),
});

const floatingIp = v.strictObject({
  network: name,
  port: v.optional(describe(v.string(), 'An instance (its first port) or instance/port')),
  load_balancer: v.optional(name),
  ip: v.optional(ipText),
  port_forwardings: v.optional(v.array(portForwarding)),
  description: v.optional(v.string()),
});

const member = v.union([
  describe(name, 'Short form: an instance, on the listener\'s port'),
  v.strictObject({
    instance: name,
    port: v.optional(describe(int(1, 65535), 'The member\'s protocol port (default: the listener\'s)')),
    weight: v.optional(int(0, 256)),
    admin_state_up: v.optional(v.boolean()),
  }),
]);

const healthMonitor = v.strictObject({
  type: v.picklist(['tcp', 'http', 'ping']),
  interval: v.optional(describe(v.pipe(v.number(), v.minValue(0.001)), 'Seconds between probes')),
  timeout: v.optional(v.pipe(v.number(), v.minValue(0.001))),
  retries: v.optional(int(1, 10)),
  retries_down: v.optional(int(1, 10)),
  url_path: v.optional(v.string()),
});

const lbPool = v.strictObject({
  algorithm: v.optional(v.picklist(['round_robin', 'least_connections', 'source_ip', 'source_ip_port'])),
  members: v.array(member),
  health_monitor: v.optional(healthMonitor),
});

const loadBalancer = v.strictObject({
  subnet: name,
  vip: v.optional(ipText),
  mode: v.optional(v.picklist(['dnat', 'proxy'])),
  security_groups: v.optional(v.array(name)),
  listeners: v.array(v.strictObject({ protocol: v.picklist(['tcp', 'udp', 'http']), port: int(1, 65535), pool: name })),
  pools: map(lbPool, 'Pools of members, by name'),
  description: v.optional(v.string()),
});

const externalHost = v.strictObject({
  ip: ipText,
  services: v.optional(v.array(service)),
  description: v.optional(v.string()),
});

export const topologySchema = v.strictObject({
  version: describe(v.literal(1), 'The file format version: 1'),
  name: v.optional(v.string()),
  description: v.optional(v.string()),
  seed: v.optional(describe(int(0, 2 ** 32 - 1), 'Seed of every pseudo-random choice (default 1)')),
  ipam_profile: v.optional(ipamProfile),
  allocation: v.optional(allocationStrategy),
  neutron_backend: v.optional(describe(neutronBackend, 'Whose router NAT to follow: "l3-agent" (default; SNAT of everything leaving the gateway, hairpin SNAT to the gateway) or "ovn" (ML2/OVN: snat rows only for subnets attached to the router, no gateway hairpin SNAT)')),
  external_networks: v.optional(map(externalNetwork, 'Provider networks with public pools')),
  networks: v.optional(map(network, 'Tenant networks (L2 segments) and their subnets')),
  routers: v.optional(map(router, 'Routers, by name')),
  security_groups: v.optional(map(securityGroup, 'Security groups, by name')),
  network_acls: v.optional(map(networkAcl, 'Stateless subnet ACLs (AWS network ACLs)')),
  instances: v.optional(map(instance, 'Instances (VMs, containers) and their ports')),
  floating_ips: v.optional(map(floatingIp, 'Floating IPs, by name')),
  load_balancers: v.optional(map(loadBalancer, 'Load balancers, by name')),
  external_hosts: v.optional(map(externalHost, 'Hosts on the internet, beyond the external gateway')),
});

export type TopologyDoc = v.InferOutput<typeof topologySchema>;
export type SubnetDoc = v.InferOutput<typeof subnet>;
export type PortDoc = v.InferOutput<typeof port>;
export type RuleDoc = v.InferOutput<typeof rule>;
export type AclRuleDoc = v.InferOutput<typeof aclRule>;
export type PoolDoc = v.InferOutput<typeof pool>;
export type MemberDoc = v.InferOutput<typeof member>;
