/**
 * Neutron's JSON for each resource, rendered from the resolved cloud (allocated addresses,
 * MACs, gateways, pools) and the store's metadata (IDs, names, projects, timestamps). Field
 * names follow neutron-lib's attribute maps; every resource carries Neutron's standard
 * attributes (project_id and tenant_id, description, tags, created_at, updated_at, revision_number).
 */
import type { Port, SecurityGroupRule } from '../../topology/model.js';
import { stableId } from '../ids.js';
import type { Meta, Store } from '../store.js';

export type Json = Record<string, unknown>;

function standard(m: Meta): Json {
  return {
    id: m.id, name: m.name, tenant_id: m.project, project_id: m.project, description: m.description,
    tags: [...m.tags], created_at: m.created, updated_at: m.updated, revision_number: m.revision,
  };
}

const bool = (v: unknown, dflt: boolean) => (typeof v === 'boolean' ? v : dflt);

export function renderNetwork(store: Store, m: Meta): Json {
  const cloud = store.cloud;
  const ext = cloud.externalNetworks.get(m.key);
  const net = cloud.networks.get(m.key);
  const subnets = ext ? [store.meta('subnet', String(m.attrs.subnet))?.id].filter((x) => x !== undefined)
    : (net?.subnets ?? []).map((s) => store.meta('subnet', s)!.id);
  return {
    ...standard(m), status: 'ACTIVE', admin_state_up: bool(m.attrs.admin_state_up, true), subnets,
    shared: bool(m.attrs.shared, false), 'router:external': m.attrs.external === true, mtu: net?.mtu ?? 1500,
    port_security_enabled: bool(m.attrs.port_security_enabled, true), is_default: false,
    availability_zone_hints: [], availability_zones: ['nova'], ipv4_address_scope: null, ipv6_address_scope: null,
    'provider:network_type': m.attrs.network_type ?? (m.attrs.external === true ? 'flat' : 'geneve'),
    'provider:physical_network': m.attrs.physical_network ?? (m.attrs.external === true ? 'public' : null),
    'provider:segmentation_id': m.attrs.segmentation_id ?? null,
  };
}

export function renderSubnet(store: Store, m: Meta): Json {
  const cloud = store.cloud;
  const common = { ...standard(m), enable_dhcp: bool(m.attrs.enable_dhcp, true), subnetpool_id: null, service_types: [], segment_id: null };
  const extName = typeof m.attrs.external === 'string' ? m.attrs.external : undefined;
  if (extName !== undefined) {
    const e = cloud.externalNetworks.get(extName)!;
    return {
      ...common, network_id: store.meta('network', extName)!.id, cidr: e.cidr.text, ip_version: e.cidr.cidr.version,
      gateway_ip: e.gateway?.text ?? null, allocation_pools: e.pools.map((p) => ({ start: p.start, end: p.end })),
      dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null,
    };
  }
  const s = cloud.subnets.get(m.key)!;
  return {
    ...common, network_id: store.meta('network', s.network)!.id, cidr: s.cidr.text, ip_version: s.version,
    gateway_ip: s.gateway?.text ?? null, allocation_pools: s.allocationPools.map((p) => ({ start: p.start, end: p.end })),
    dns_nameservers: s.dns.map((d) => d.text), host_routes: s.hostRoutes.map((r) => ({ destination: r.destination.text, nexthop: r.nexthop.text })),
    ipv6_ra_mode: m.attrs.ipv6_ra_mode ?? (s.version === 6 ? s.ipv6AddressMode : null), ipv6_address_mode: s.version === 6 ? s.ipv6AddressMode : null,
  };
}

/** Neutron's device_owner for a port vnet built itself (router ports, LB VIPs). */
function builtOwner(p: Port): string {
  switch (p.deviceOwner) {
    case 'router_interface': return 'network:router_interface';
    case 'router_gateway': return 'network:router_gateway';
    case 'lb_vip': return 'Octavia';
    default: return 'compute:nova';
  }
}

/** A port without an address (its network has no subnet): only the API's metadata holds it. */
function renderAddressless(store: Store, m: Meta): Json {
  const mac = typeof m.attrs.mac === 'string' ? m.attrs.mac : `fa:16:3e:${m.id.slice(0, 2)}:${m.id.slice(2, 4)}:${m.id.slice(4, 6)}`;
  const owner = String(m.attrs.device_owner ?? '');
  return {
    ...standard(m), network_id: store.meta('network', String(m.attrs.network))?.id ?? null, mac_address: mac, admin_state_up: bool(m.attrs.admin_state_up, true),
    status: 'DOWN', device_owner: owner, device_id: String(m.attrs.device_id ?? ''), fixed_ips: [], security_groups: [], port_security_enabled: bool(m.attrs.port_security_enabled, true),
    allowed_address_pairs: [], 'binding:host_id': typeof m.attrs.host === 'string' ? m.attrs.host : '', 'binding:vif_type': 'unbound', 'binding:vnic_type': 'normal',
    'binding:profile': {}, 'binding:vif_details': {}, extra_dhcp_opts: [],
  };
}

export function renderPort(store: Store, m: Meta): Json {
  if (m.attrs.pending === true) return renderAddressless(store, m);
  const cloud = store.cloud;
  const p = cloud.ports.get(m.key)!;
  const networkId = store.meta('network', p.network)!.id;
  const subnetId = (name: string) => (p.external ? store.meta('subnet', String(store.meta('network', p.network)!.attrs.subnet))!.id : store.meta('subnet', name)!.id);
  let deviceOwner = typeof m.attrs.device_owner === 'string' ? m.attrs.device_owner : builtOwner(p);
  let deviceId = typeof m.attrs.device_id === 'string' ? m.attrs.device_id : '';
  if (p.owner.kind === 'router') deviceId = store.meta('router', p.owner.name)!.id;
  else if (p.owner.kind === 'load_balancer') deviceId = `lb-${store.meta('loadbalancer', p.owner.name)?.id ?? stableId(store.seed, 'loadbalancer', p.owner.name)}`;
  else if (m.attrs.device_owner === undefined) deviceId = store.meta('server', p.owner.name)?.id ?? stableId(store.seed, 'server', p.owner.name);
  if (p.owner.kind !== 'instance') deviceOwner = builtOwner(p);
  const groups = p.securityGroups.map((g) => store.meta('security_group', g)?.id).filter((x) => x !== undefined);
  // Octavia names its VIP port after the load balancer.
  const name = p.owner.kind === 'load_balancer' && m.name === '' ? `octavia-lb-${store.meta('loadbalancer', p.owner.name)?.id ?? ''}` : m.name;
  return {
    ...standard(m), name, network_id: networkId, mac_address: p.mac, admin_state_up: bool(m.attrs.admin_state_up, true),
    status: deviceOwner === '' ? 'DOWN' : 'ACTIVE', device_owner: deviceOwner, device_id: deviceId,
    fixed_ips: p.fixedIps.map((f) => ({ subnet_id: subnetId(f.subnet), ip_address: f.address.text })),
    security_groups: groups, port_security_enabled: p.portSecurity,
    allowed_address_pairs: p.allowedAddressPairs.map((a, i) => ({ ip_address: writtenPairs(store, p)?.[i] ?? a.prefix.text, mac_address: a.mac ?? p.mac })),
    'binding:host_id': typeof m.attrs.host === 'string' ? m.attrs.host : (deviceOwner === '' ? '' : 'vnet'),
    'binding:vif_type': deviceOwner === '' ? 'unbound' : 'ovs', 'binding:vnic_type': 'normal', 'binding:profile': {}, 'binding:vif_details': {},
    extra_dhcp_opts: [],
  };
}

/** An instance port's allowed address pairs as written (Neutron shows 10.0.0.5 as given, not 10.0.0.5/32). */
function writtenPairs(store: Store, p: Port): readonly string[] | undefined {
  if (p.owner.kind !== 'instance') return undefined;
  const ports = store.doc.instances?.[p.owner.name]?.ports ?? [];
  const name = p.id.slice(p.owner.name.length + 1);
  const entry = ports.find((x, i) => typeof x !== 'string' && (x.name ?? `eth${i}`) === name);
  const pairs = typeof entry === 'object' ? entry.allowed_address_pairs : undefined;
  return pairs?.length === p.allowedAddressPairs.length ? pairs.map((x) => (typeof x === 'string' ? x : x.ip_address)) : undefined;
}

export function renderRouter(store: Store, m: Meta): Json {
  const r = store.cloud.routers.get(m.key)!;
  const gw = r.externalGateway;
  const extSubnet = gw ? store.meta('subnet', String(store.meta('network', gw.network)!.attrs.subnet)) : undefined;
  return {
    ...standard(m), status: 'ACTIVE', admin_state_up: bool(m.attrs.admin_state_up, true),
    external_gateway_info: gw ? { network_id: store.meta('network', gw.network)!.id, enable_snat: gw.snat, external_fixed_ips: [{ subnet_id: extSubnet?.id ?? null, ip_address: gw.address.text }] } : null,
    routes: r.routes.map((x) => ({ destination: x.destination.text, nexthop: x.nexthop.text })),
    distributed: false, ha: false, flavor_id: null, availability_zone_hints: [], availability_zones: ['nova'],
  };
}

export function renderRule(store: Store, m: Meta): Json {
  const group = String(m.attrs.group);
  const g = store.cloud.securityGroups.get(group)!;
  const r: SecurityGroupRule = g.rules[Number(m.attrs.index)]!;
  const icmp = r.protocol === 'icmp' || r.protocol === 'icmpv6';
  // Neutron shows the protocol as stored: a number stays a number (the file keeps it), ICMPv6 is ipv6-icmp.
  const docRules = store.doc.security_groups?.[group]?.rules ?? [];
  const nDefault = ((store.meta('security_group', group)?.attrs.rules as string[] | undefined)?.length ?? g.rules.length) - docRules.length;
  const written = docRules[Number(m.attrs.index) - nDefault]?.protocol;
  const protocol = typeof written === 'number' ? String(written)
    : r.protocol === 'any' ? null : r.protocol === 'icmpv6' ? 'ipv6-icmp' : typeof r.protocol === 'number' ? String(r.protocol) : r.protocol;
  return {
    id: m.id, tenant_id: m.project, project_id: m.project, description: m.description, tags: [...m.tags],
    created_at: m.created, updated_at: m.updated, revision_number: m.revision,
    security_group_id: store.meta('security_group', group)!.id, direction: r.direction, ethertype: r.ethertype,
    protocol,
    port_range_min: icmp ? r.icmpType : r.ports?.from ?? null,
    port_range_max: icmp ? r.icmpCode : r.ports?.to ?? null,
    remote_ip_prefix: r.remoteIpPrefix?.text ?? null,
    remote_group_id: r.remoteGroup === null ? null : store.meta('security_group', r.remoteGroup)?.id ?? null,
    remote_address_group_id: null, normalized_cidr: r.remoteIpPrefix?.text ?? null, belongs_to_default_sg: group === 'default',
  };
}

export function renderGroup(store: Store, m: Meta): Json {
  const g = store.cloud.securityGroups.get(m.key)!;
  const ids = (m.attrs.rules as string[] | undefined) ?? [];
  return {
    ...standard(m), stateful: g.stateful, shared: false,
    security_group_rules: ids.map((id) => store.byIdOf('security_group_rule', id)).filter((x) => x !== undefined).map((rm) => renderRule(store, rm)),
  };
}

export function renderFloatingIp(store: Store, m: Meta): Json {
  const f = store.cloud.floatingIps.get(m.key)!;
  const portMeta = f.port === null ? undefined : store.meta('port', f.port);
  return {
    ...standard(m), floating_ip_address: f.address.text, floating_network_id: store.meta('network', f.network)!.id,
    router_id: f.router === null ? null : store.meta('router', f.router)?.id ?? null,
    port_id: portMeta?.id ?? null, fixed_ip_address: f.fixedAddress?.text ?? null,
    status: f.port === null ? 'DOWN' : 'ACTIVE', port_details: portMeta ? portDetails(store, portMeta) : null,
    port_forwardings: [], dns_domain: '', dns_name: '', qos_policy_id: null,
  };
}

function portDetails(store: Store, m: Meta): Json {
  const p = renderPort(store, m);
  return { name: p.name, network_id: p.network_id, mac_address: p.mac_address, admin_state_up: p.admin_state_up, status: p.status, device_id: p.device_id, device_owner: p.device_owner };
}

export function renderRbac(store: Store, m: Meta): Json {
  const target = String(m.attrs.target);
  return {
    id: m.id, project_id: m.project, tenant_id: m.project, object_type: 'network', object_id: store.meta('network', String(m.attrs.network))?.id ?? null,
    action: m.attrs.action, target_tenant: target === '*' ? '*' : store.projectIdOf(target), target_project: target === '*' ? '*' : store.projectIdOf(target),
  };
}
