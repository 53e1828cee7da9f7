/**
 * The resolved cloud: what a topology file means once names are resolved and IPAM has run.
 * Immutable (frozen) and complete: every port has its MAC and addresses, every reference is a
 * name that exists. Addresses are kept both as text (for people and JSON) and parsed (for the
 * engine), so nothing downstream parses strings again.
 */
import type { Cidr } from '../address/cidr.js';
import type { Ip } from '../address/ip.js';
import type { Mac } from '../address/mac.js';
import type { Issue } from './issue.js';
import type { RbacEntry } from './projects.js';

export type { RbacEntry, RbacAction } from './projects.js';

/** A project (tenant): every resource names the one that owns it (`admin` unless the file says). */
export interface Project {
  readonly name: string;
  readonly description: string;
}

export interface Address {
  readonly text: string;
  readonly ip: Ip;
}

export interface Prefix {
  readonly text: string;
  readonly cidr: Cidr;
}

export interface RouteEntry {
  readonly destination: Prefix;
  readonly nexthop: Address;
}

export interface AddressRange {
  readonly start: string;
  readonly end: string;
}

export type IpamProfile = 'openstack' | 'aws';
export type AllocationStrategy = 'lowest' | 'neutron';
/** Whose router NAT the cloud follows: the L3 agent's iptables rules or ML2/OVN's NAT rows. */
export type NeutronBackend = 'l3-agent' | 'ovn';

export interface Subnet {
  readonly name: string;
  readonly network: string;
  /** Its network's project. */
  readonly project: string;
  readonly cidr: Prefix;
  readonly version: 4 | 6;
  readonly gateway: Address | null;
  readonly allocationPools: readonly AddressRange[];
  /** Addresses the profile keeps back (network, broadcast, AWS's .1-.3). */
  readonly reserved: readonly string[];
  readonly profile: IpamProfile;
  readonly allocation: AllocationStrategy;
  readonly ipv6AddressMode: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless' | null;
  readonly dns: readonly Address[];
  readonly hostRoutes: readonly RouteEntry[];
  /** Addresses in the pools, and how many of the subnet's addresses are in use (any owner). */
  readonly capacity: string;
  /** Pool addresses still free (a string: IPv6 pools exceed 2^53). */
  readonly free: string;
  readonly used: number;
  readonly networkAcl: string | null;
}

export interface Network {
  readonly name: string;
  readonly project: string;
  /** `shared: true`: every project may attach ports and router interfaces. */
  readonly shared: boolean;
  /** Neutron RBAC entries (access_as_shared) granting other projects its use. */
  readonly rbac: readonly RbacEntry[];
  readonly subnets: readonly string[];
  readonly arpResponder: boolean;
  readonly mtu: number;
  /** Ids of every port attached to this network's switch, in creation order. */
  readonly ports: readonly string[];
  /** The network's switches (one, named after the network, unless a fabric is declared). */
  readonly switches: readonly string[];
  /** Links between switches (a tree). */
  readonly links: readonly (readonly [string, string])[];
}

export interface ExternalNetwork {
  readonly name: string;
  /** Always admin. */
  readonly project: string;
  /** access_as_external entries: when there is any, only those projects (and admin) may use it. */
  readonly rbac: readonly RbacEntry[];
  readonly cidr: Prefix;
  readonly gateway: Address | null;
  readonly pools: readonly AddressRange[];
  readonly capacity: string;
  readonly free: string;
  readonly used: number;
  readonly ports: readonly string[];
}

export type PortOwnerKind = 'instance' | 'router' | 'load_balancer';
/** Neutron's device_owner, which decides how a port behaves. */
export type DeviceOwner = 'compute' | 'router_interface' | 'router_gateway' | 'lb_vip';

export interface FixedIp {
  readonly subnet: string;
  readonly address: Address;
}

export interface AddressPair {
  readonly prefix: Prefix;
  readonly mac: string | null;
}

export interface Port {
  /** `web-1/eth0`, `edge/qr-web`, `edge/qg-public`, `web-lb/vip`. */
  readonly id: string;
  readonly name: string;
  readonly owner: { readonly kind: PortOwnerKind; readonly name: string };
  /** Its owner's project (instance, router or load balancer). */
  readonly project: string;
  readonly deviceOwner: DeviceOwner;
  /** A tenant network name, or an external network name for router gateways. */
  readonly network: string;
  readonly external: boolean;
  /** The switch of the network's fabric this port is plugged into. */
  readonly switch: string;
  readonly mac: string;
  readonly macValue: Mac;
  readonly fixedIps: readonly FixedIp[];
  readonly securityGroups: readonly string[];
  readonly portSecurity: boolean;
  readonly allowedAddressPairs: readonly AddressPair[];
}

export interface Service {
  readonly protocol: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

export interface Instance {
  readonly name: string;
  readonly project: string;
  readonly ports: readonly string[];
  readonly services: readonly Service[];
}

export interface Router {
  readonly name: string;
  readonly project: string;
  readonly interfaces: readonly string[];
  readonly externalGateway: { readonly network: string; readonly port: string; readonly address: Address; readonly snat: boolean } | null;
  readonly routes: readonly RouteEntry[];
}

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'any' | number;

export interface SecurityGroupRule {
  /** Position in the group's rule list as shown to users (0-based, defaults first). */
  readonly index: number;
  readonly origin: 'default' | 'file';
  readonly direction: 'ingress' | 'egress';
  readonly ethertype: 'IPv4' | 'IPv6';
  readonly protocol: Protocol;
  /** TCP/UDP port range; null = any port. */
  readonly ports: { readonly from: number; readonly to: number } | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  readonly remoteIpPrefix: Prefix | null;
  readonly remoteGroup: string | null;
  /** `ingress tcp/80 from 0.0.0.0/0`: how traces and audits name the rule. */
  readonly text: string;
}

export interface SecurityGroup {
  /** The key ports and rules use: the file's name, or `default@PROJECT` for a project's default group. */
  readonly name: string;
  readonly project: string;
  readonly stateful: boolean;
  readonly rules: readonly SecurityGroupRule[];
  /** True when the file did not define it (a project's `default` group). */
  readonly implicit: boolean;
}

export interface AclRule {
  readonly number: number;
  readonly action: 'allow' | 'deny';
  readonly protocol: Protocol;
  readonly ports: { readonly from: number; readonly to: number } | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  readonly cidr: Prefix;
  readonly text: string;
}

export interface NetworkAcl {
  readonly name: string;
  readonly project: string;
  readonly subnets: readonly string[];
  /** Sorted by rule number: first match wins, then the implicit deny. */
  readonly ingress: readonly AclRule[];
  readonly egress: readonly AclRule[];
}

export interface PortForwarding {
  readonly protocol: 'tcp' | 'udp';
  readonly externalPort: number;
  readonly internalPort: number;
  readonly internalAddress: Address;
}

export interface FloatingIp {
  readonly name: string;
  readonly project: string;
  readonly network: string;
  readonly address: Address;
  /** The port it maps to and that port's fixed address (null for a port-forwarding-only FIP). */
  readonly port: string | null;
  readonly fixedAddress: Address | null;
  readonly router: string | null;
  readonly portForwardings: readonly PortForwarding[];
}

export interface HealthMonitor {
  readonly type: 'tcp' | 'http' | 'ping';
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly retriesDown: number;
  readonly urlPath: string;
}

export interface PoolMember {
  readonly instance: string;
  readonly port: string;
  readonly address: Address;
  readonly protocolPort: number;
  readonly weight: number;
  readonly adminStateUp: boolean;
}

export interface LbPool {
  readonly name: string;
  readonly algorithm: 'round_robin' | 'least_connections' | 'source_ip' | 'source_ip_port';
  readonly members: readonly PoolMember[];
  readonly healthMonitor: HealthMonitor | null;
}

export interface LoadBalancer {
  readonly name: string;
  readonly project: string;
  readonly subnet: string;
  readonly vip: Address;
  readonly vipPort: string;
  readonly mode: 'dnat' | 'proxy';
  readonly listeners: readonly { readonly protocol: 'tcp' | 'udp' | 'http'; readonly port: number; readonly pool: string }[];
  readonly pools: readonly LbPool[];
}

export interface ExternalHost {
  readonly name: string;
  /** Always admin. */
  readonly project: string;
  readonly address: Address;
  readonly services: readonly Service[];
}

export interface Cloud {
  readonly name: string;
  readonly seed: number;
  /** `neutron_backend` (default `l3-agent`): which back end's router NAT the engine and the realization follow. */
  readonly neutronBackend: NeutronBackend;
  /** Every project, admin first (it always exists), then the file's in order. */
  readonly projects: ReadonlyMap<string, Project>;
  readonly externalNetworks: ReadonlyMap<string, ExternalNetwork>;
  readonly networks: ReadonlyMap<string, Network>;
  readonly subnets: ReadonlyMap<string, Subnet>;
  readonly routers: ReadonlyMap<string, Router>;
  readonly securityGroups: ReadonlyMap<string, SecurityGroup>;
  readonly networkAcls: ReadonlyMap<string, NetworkAcl>;
  readonly instances: ReadonlyMap<string, Instance>;
  readonly ports: ReadonlyMap<string, Port>;
  readonly floatingIps: ReadonlyMap<string, FloatingIp>;
  readonly loadBalancers: ReadonlyMap<string, LoadBalancer>;
  readonly externalHosts: ReadonlyMap<string, ExternalHost>;
  readonly warnings: readonly Issue[];
}
