/**
 * The shape of a topology file (docs/topology.md), declared once with valibot. The validator and the
 * published JSON Schema (schema/topology.schema.json) are both derived from these declarations.
 * This layer checks shape only (types, known keys, enums); meaning (CIDRs, references, IPAM)
 * is checked by resolve.ts so every problem gets a positioned Issue.
 */
import * as v from 'valibot';
import { nameMap } from './name-map.js';

const describe = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

/** Names are map keys and references; "/" is kept free for port references (web-1/eth1). */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const name = describe(v.pipe(v.string(), v.regex(NAME_PATTERN, 'a name of letters, digits, "_", "." or "-"')), 'A name: letters, digits, "_", "." or "-"');
/** A string of a kind (its JSON Schema `title`, which the reference page shows as its type) and a description. */
const text = (kind: string, about: string) => describe(v.pipe(v.string(), v.title(kind)), about);
const ipText = text('address', 'An IPv4 or IPv6 address, e.g. 10.0.0.5 or 2001:db8::5');
const cidrText = text('CIDR', 'A CIDR prefix, e.g. 10.0.0.0/24 or 2001:db8::/64');
const rangeText = text('range', 'An address range "start-end", e.g. 10.0.0.10-10.0.0.99');
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const portNumber = int(0, 65535);
/** A port or a port range: 80, or "8000-8080". */
const portRange = describe(v.union([portNumber, v.pipe(v.string(), v.title('port range'))]), 'A port (80) or a range ("8000-8080")');
/** `tcp/22`, `udp/53`, `tcp/8000-8010`. */
const service = text('service', 'A listening service: "tcp/22", "udp/53" or "tcp/8000-8010"');
/** The schema's name maps, which the compiled shape check (shape-fast.ts) checks as nameMap does. */
export const NAME_MAPS = new Set<object>();
const named: typeof nameMap = (key, value) => {
  const made = nameMap(key, value);
  NAME_MAPS.add(made);
  return made;
};
/** Name-keyed maps: every name kept, none looked up on Object.prototype (name-map.ts). */
const map = <T extends v.GenericSchema>(entry: T, text: string) => describe(named(name, entry), text);

/** `default@beta`: the key of project beta's own `default` group ("@" is in no other name, so it never clashes). */
export const PROJECT_DEFAULT_GROUP = /^default@([A-Za-z0-9][A-Za-z0-9_.-]*)$/;
const groupKey = describe(
  v.pipe(v.string(), v.regex(/^(?:[A-Za-z0-9][A-Za-z0-9_.-]*|default@[A-Za-z0-9][A-Za-z0-9_.-]*)$/, 'a name of letters, digits, "_", "." or "-" (or default@PROJECT)')),
  'A name; default@PROJECT is that project\'s own default group',
);
const project = describe(name, 'The project (tenant) that owns it (default admin); see projects');
const rbacEntry = v.strictObject({
  project: describe(name, 'The project the entry grants to'),
  action: describe(v.picklist(['access_as_shared', 'access_as_external']), 'access_as_shared: the project may attach ports and router interfaces (tenant networks); access_as_external: the project may use it for router gateways and floating IPs (external networks)'),
});

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
/** Whose NAT rules the routers follow: the L3 agent's iptables or ML2/OVN's NAT rows. */
export const neutronBackend = v.picklist(['l3-agent', 'ovn']);

const subnet = v.strictObject({
  cidr: cidrText,
  gateway: v.optional(describe(v.nullable(ipText), 'The gateway address (default: the first host for IPv4, the subnet-router anycast address for IPv6); null for none')),
  allocation_pools: v.optional(describe(v.array(pool), 'Where ports get addresses (default: the whole subnet less network, broadcast and gateway)')),
  dns: v.optional(describe(v.array(ipText), 'DNS servers, addresses')),
  host_routes: v.optional(describe(v.array(route), 'Routes handed to the ports of this subnet')),
  ipam_profile: v.optional(describe(ipamProfile, 'openstack (default) or aws (reserves the first four addresses and the last, as a VPC subnet)')),
  allocation: v.optional(describe(allocationStrategy, 'lowest (default: lowest free address first) or neutron (Neutron\'s seeded-random pick among the first 1,000 free)')),
  ipv6_address_mode: v.optional(describe(v.picklist(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']), 'IPv6 only: slaac and dhcpv6-stateless derive addresses from the MAC (EUI-64; a /64 only), dhcpv6-stateful allocates from the pool')),
  description: v.optional(v.string()),
});

const network = v.strictObject({
  subnets: map(subnet, 'Subnets of this network, by name (names are unique in the file)'),
  arp_responder: v.optional(describe(v.boolean(), 'Answer ARP for known ports in the switch, as OVN does')),
  mtu: v.optional(describe(int(68, 65535), 'MTU of the network (default 1500)')),
  project: v.optional(project),
  shared: v.optional(describe(v.boolean(), 'Every project may attach ports and router interfaces to it (default false: only its own project and those an rbac entry grants)')),
  rbac: v.optional(describe(v.array(rbacEntry), 'Neutron RBAC: projects that may use this network (access_as_shared)')),
  switches: v.optional(describe(v.array(name), 'A fabric: several switches for this network (ports pick one with `switch`; default: the first)')),
  links: v.optional(describe(v.array(v.pipe(v.array(name), v.length(2, 'a link joins two switches: [a, b]'))), 'Links between the fabric\'s switches; they must form a tree (no loops)')),
  description: v.optional(v.string()),
});

const externalNetwork = v.strictObject({
  cidr: cidrText,
  gateway: v.optional(describe(v.nullable(ipText), 'The upstream gateway, beyond which the internet lies (default: the first host)')),
  pool: v.optional(describe(v.union([pool, v.array(pool)]), 'Addresses for floating IPs and router gateways')),
  rbac: v.optional(describe(v.array(rbacEntry), 'Neutron RBAC: with any access_as_external entry, only the projects named (and admin) may use it; without one, every project may')),
  description: v.optional(v.string()),
});

const routerInterface = v.union([
  describe(name, 'A subnet name: the interface takes the subnet\'s gateway address'),
  v.strictObject({
    subnet: describe(name, 'The subnet the interface is on'),
    ip: v.optional(describe(ipText, 'The interface\'s address (default: the subnet\'s gateway)')),
    switch: v.optional(describe(name, 'Which switch of the network\'s fabric the interface is plugged into')),
  }),
]);

const router = v.strictObject({
  project: v.optional(project),
  external_gateway: v.optional(
    describe(v.strictObject({
      network: describe(name, 'The external network'),
      snat: v.optional(describe(v.boolean(), 'SNAT traffic leaving through the gateway to its address (default true)')),
      ip: v.optional(describe(ipText, 'The gateway\'s address (default: from the external network\'s pool)')),
    }), 'The router\'s port on an external network: its default route'),
  ),
  interfaces: v.optional(describe(v.array(routerInterface), 'The subnets the router joins')),
  routes: v.optional(describe(v.array(route), "Static routes (Neutron's extra routes)")),
  description: v.optional(v.string()),
});

const protocol = describe(
  v.union([v.picklist(['tcp', 'udp', 'icmp', 'icmpv6', 'any']), int(0, 255)]),
  'tcp, udp, icmp, icmpv6, any, or an IP protocol number',
);

const rule = v.strictObject({
  direction: describe(v.picklist(['ingress', 'egress']), 'ingress: into the port; egress: out of it'),
  ethertype: v.optional(describe(v.picklist(['IPv4', 'IPv6']), 'Address family (default: that of remote_ip_prefix, else IPv4)')),
  protocol: v.optional(describe(protocol, 'tcp, udp, icmp, icmpv6, any (default), or an IP protocol number')),
  ports: v.optional(portRange),
  type: v.optional(describe(int(0, 255), 'ICMP type (Neutron port_range_min)')),
  code: v.optional(describe(int(0, 255), 'ICMP code (Neutron port_range_max); needs type')),
  remote_ip_prefix: v.optional(describe(cidrText, 'Traffic from (ingress) or to (egress) this prefix; at most one of remote_ip_prefix and remote_group (neither: any address)')),
  remote_group: v.optional(describe(groupKey, 'Traffic from or to any address of any port in this group (default: the group\'s own project\'s default group)')),
  description: v.optional(v.string()),
});

const securityGroup = v.strictObject({
  project: v.optional(project),
  description: v.optional(v.string()),
  stateful: v.optional(describe(v.boolean(), 'Replies of allowed connections pass on their own (default true); false: replies need rules')),
  default_egress: v.optional(describe(v.boolean(), 'Start with the allow-all egress rules (default true)')),
  rules: v.optional(describe(v.array(rule), 'Allow rules: their union over a port\'s groups decides; order does not matter')),
});

const aclRule = v.strictObject({
  rule: describe(int(1, 32766), 'Rule number: lower numbers are evaluated first'),
  action: v.picklist(['allow', 'deny']),
  protocol: v.optional(describe(protocol, 'tcp, udp, icmp, icmpv6, any (default), or an IP protocol number')),
  ports: v.optional(portRange),
  type: v.optional(describe(int(0, 255), 'ICMP type')),
  code: v.optional(describe(int(0, 255), 'ICMP code; needs type')),
  cidr: v.optional(describe(cidrText, 'The far end: source (ingress) or destination (egress) prefix (default 0.0.0.0/0)')),
  description: v.optional(v.string()),
});

const networkAcl = v.strictObject({
  project: v.optional(project),
  subnets: describe(v.array(name), 'The subnets whose boundary the ACL guards'),
  ingress: v.optional(describe(v.array(aclRule), 'Rules for traffic entering the subnets: first match wins, default deny')),
  egress: v.optional(describe(v.array(aclRule), 'Rules for traffic leaving the subnets: first match wins, default deny')),
  description: v.optional(v.string()),
});

const addressPair = v.union([
  text('address or CIDR', 'An IP address or CIDR the port may also send from'),
  v.strictObject({ ip_address: text('address or CIDR', 'An IP address or CIDR'), mac_address: v.optional(text('MAC', 'The MAC it may send from (default: the port\'s)')) }),
]);

const fixedIp = v.union([describe(name, 'A subnet name: an address from its pool'), v.strictObject({ subnet: name, ip: v.optional(ipText) })]);

const port = v.union([
  describe(name, 'Short form: one port on this subnet'),
  v.strictObject({
    name: v.optional(describe(name, 'The port\'s name (default eth0, eth1, ... in order)')),
    subnet: v.optional(describe(name, 'The subnet the port is on')),
    ip: v.optional(describe(ipText, 'A fixed address (default: the lowest free in the pools)')),
    switch: v.optional(describe(name, 'Which switch of the network\'s fabric the port is plugged into')),
    fixed_ips: v.optional(describe(v.array(fixedIp), 'Addresses on several subnets of one network')),
    mac: v.optional(text('MAC', 'The MAC (default: allocated from Neutron\'s base fa:16:3e, in order)')),
    security_groups: v.optional(describe(v.array(groupKey), 'The port\'s groups (default: [default], its own project\'s default group)')),
    port_security: v.optional(describe(v.boolean(), 'Security groups and anti-spoofing on this port (default true)')),
    allowed_address_pairs: v.optional(describe(v.array(addressPair), 'Other addresses the port may send from (port security)')),
  }),
]);

const instance = v.strictObject({
  project: v.optional(project),
  ports: describe(v.array(port), 'The instance\'s ports, eth0 first'),
  services: v.optional(describe(v.array(service), 'What the instance listens on: a SYN gets SYN-ACK, other ports RST (TCP) or port unreachable (UDP)')),
  description: v.optional(v.string()),
});

const portForwarding = v.strictObject({
  protocol: v.picklist(['tcp', 'udp']),
  external_port: describe(int(1, 65535), 'The port on the floating IP'),
  internal_port: describe(int(1, 65535), 'The port on the instance'),
  internal_ip: v.optional(describe(ipText, 'The instance address to forward to (default: its first IPv4 address)')),
});

const floatingIp = v.strictObject({
  project: v.optional(project),
  network: describe(name, 'The external network the address comes from'),
  port: v.optional(text('port reference', 'An instance (its first port) or instance/port')),
  load_balancer: v.optional(describe(name, 'A load balancer: the address leads to its VIP')),
  ip: v.optional(describe(ipText, 'The floating address (default: from the network\'s pool)')),
  port_forwardings: v.optional(describe(v.array(portForwarding), 'Forward single ports of this address to an instance')),
  description: v.optional(v.string()),
});

const member = v.union([
  describe(name, 'Short form: an instance, on the listener\'s port'),
  v.strictObject({
    instance: describe(name, 'The member instance'),
    port: v.optional(describe(int(1, 65535), 'The member\'s protocol port (default: the listener\'s)')),
    weight: v.optional(describe(int(0, 256), 'Share of new connections (default 1; 0: none)')),
    admin_state_up: v.optional(describe(v.boolean(), 'false takes the member out of the pool (default true)')),
  }),
]);

const healthMonitor = v.strictObject({
  type: describe(v.picklist(['tcp', 'http', 'ping']), 'What a check sends: a TCP connect, an HTTP request, or an ICMP echo'),
  interval: v.optional(describe(v.pipe(v.number(), v.minValue(0.001)), 'Seconds between probes (default 5)')),
  timeout: v.optional(describe(v.pipe(v.number(), v.minValue(0.001)), 'Seconds a check waits for its answer (default 2)')),
  retries: v.optional(describe(int(1, 10), 'Successes in a row that bring a member up (default 3)')),
  retries_down: v.optional(describe(int(1, 10), 'Failures in a row that take a member down (default: retries)')),
  url_path: v.optional(describe(v.string(), 'HTTP checks: the path requested (default /)')),
});

const lbPool = v.strictObject({
  algorithm: v.optional(describe(v.picklist(['round_robin', 'least_connections', 'source_ip', 'source_ip_port']), 'How a member is chosen (default round_robin); the source hashes are Linux\'s jhash, as nftables scales it')),
  members: describe(v.array(member), 'The instances that serve'),
  health_monitor: v.optional(describe(healthMonitor, 'Checks sent on the virtual clock; a member that fails them is not chosen')),
});

const loadBalancer = v.strictObject({
  project: v.optional(project),
  subnet: describe(name, 'The subnet of the VIP'),
  vip: v.optional(describe(ipText, 'The virtual address (default: from the subnet\'s pool)')),
  mode: v.optional(describe(v.picklist(['dnat', 'proxy']), 'dnat (default, as OVN: members see the client\'s address) or proxy (as an Octavia amphora: members see the VIP)')),
  security_groups: v.optional(describe(v.array(groupKey), 'Groups on the VIP port')),
  listeners: describe(v.array(v.strictObject({
    protocol: v.picklist(['tcp', 'udp', 'http']),
    port: describe(int(1, 65535), 'The port on the VIP'),
    pool: describe(name, 'The pool that serves it'),
  })), 'What the VIP accepts, and which pool serves each'),
  pools: map(lbPool, 'Pools of members, by name'),
  description: v.optional(v.string()),
});

const externalHost = v.strictObject({
  ip: describe(ipText, 'The host\'s address: not in any network of the file'),
  services: v.optional(describe(v.array(service), 'What the host listens on')),
  description: v.optional(v.string()),
});

export const topologySchema = v.strictObject({
  version: describe(v.literal(1), 'The file format version: 1'),
  name: v.optional(describe(v.string(), 'The cloud\'s name, shown by every command (default unnamed)')),
  description: v.optional(v.string()),
  seed: v.optional(describe(int(0, 2 ** 32 - 1), 'Seed of every pseudo-random choice (default 1)')),
  ipam_profile: v.optional(describe(ipamProfile, 'Default ipam_profile of every subnet (default openstack)')),
  allocation: v.optional(describe(allocationStrategy, 'Default allocation of every subnet (default lowest)')),
  neutron_backend: v.optional(describe(neutronBackend, 'Whose router NAT to follow: "l3-agent" (default; SNAT of everything leaving the gateway, hairpin SNAT to the gateway) or "ovn" (ML2/OVN: snat rows only for subnets attached to the router, no gateway hairpin SNAT)')),
  projects: v.optional(map(v.strictObject({ description: v.optional(v.string()) }), 'Projects (tenants), by name; without it everything belongs to admin, which always exists')),
  external_networks: v.optional(map(externalNetwork, 'Provider networks with public pools')),
  networks: v.optional(map(network, 'Tenant networks (L2 segments) and their subnets')),
  routers: v.optional(map(router, 'Routers, by name')),
  security_groups: v.optional(describe(named(groupKey, securityGroup), 'Security groups, by name; default is admin\'s default group, default@PROJECT another project\'s')),
  network_acls: v.optional(map(networkAcl, 'Stateless subnet ACLs (AWS network ACLs)')),
  instances: v.optional(map(instance, 'Instances (VMs, containers) and their ports')),
  floating_ips: v.optional(map(floatingIp, 'Floating IPs, by name; one with no port, load balancer or port forwardings is held in reserve, as an unassociated floating IP in Neutron')),
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
export type RbacDoc = v.InferOutput<typeof rbacEntry>;
