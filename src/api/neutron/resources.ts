/**
 * Neutron's writes, each a change to the topology document inside a store transaction: the
 * loader then decides, with the same validation and IPAM as a file, whether the result stands.
 * Only what the document cannot judge is checked here (ownership, IDs, in-use conflicts, the
 * attributes the format does not hold). Unbound Neutron ports are one-port instances named after
 * the port; external networks without a subnet live only in the metadata until they get one.
 */
import { PROJECT_DEFAULT_GROUP } from '../../topology/schema.js';
import { externalUsableBy, networkUsableBy } from '../../topology/projects.js';
import { cidrContains, parseCidrLoose } from '../../address/cidr.js';
import { parseIp } from '../../address/ip.js';
import type { Port } from '../../topology/model.js';
import type { Token } from '../identity.js';
import type { Doc, Kind, Meta, Store, Tx } from '../store.js';
import { ApiError, badRequest, conflict, forbidden, notFound, objectAt } from '../types.js';

type Body = Record<string, unknown>;
type Rules = NonNullable<NonNullable<Doc['security_groups']>[string]['rules']>;
type DocRule = Rules[number];

export const TYPE_NAME: Readonly<Record<Kind, string>> = {
  network: 'Network', subnet: 'Subnet', port: 'Port', router: 'Router', security_group: 'SecurityGroup', security_group_rule: 'SecurityGroupRule', floatingip: 'FloatingIP',
  loadbalancer: 'Load Balancer', listener: 'Listener', pool: 'Pool', member: 'Member', healthmonitor: 'Health Monitor', server: 'Server', rbac_policy: 'RbacPolicy',
};

export const str = (b: Body, k: string): string | undefined => {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid input for ${k}. Reason: '${JSON.stringify(v)}' is not a valid string.`, 'InvalidInput');
  return v;
};
export const boolOf = (b: Body, k: string): boolean | undefined => {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw badRequest(`Invalid input for ${k}. Reason: '${String(v)}' is not a valid boolean value.`, 'InvalidInput');
};
/** Neutron converts numeric strings (OSC sends "mtu": "1500"). */
export const intOf = (b: Body, k: string): number | null | undefined => {
  const v = b[k];
  if (v === undefined) return undefined;
  if (v === null) return null;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`Invalid input for ${k}. Reason: '${String(v)}' is not an integer.`, 'InvalidInput');
  return n;
};
export const list = (b: Body, k: string): unknown[] | undefined => {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badRequest(`Invalid input for ${k}. Reason: '${JSON.stringify(v)}' is not a list.`, 'InvalidInput');
  return v;
};

/** The project a new resource belongs to: the caller's, or (admin only) the one it names. */
export function ownerOf(b: Body, token: Token): string {
  const asked = str(b, 'project_id') ?? str(b, 'tenant_id');
  if (asked !== undefined && asked !== token.projectId && !token.isAdmin) throw forbidden('Only admin can create a resource for another project.');
  return asked ?? token.projectId;
}

/** Looks up a resource by ID inside the transaction; 404 in Neutron's words when it is absent. */
export function findIn(tx: Tx, store: Store, kind: Kind, id: string, token: Token): Meta {
  const m = store.byIdOf(kind, id);
  const inTx = m ? tx.meta(kind, m.key) : undefined;
  if (!inTx || !visible(store, inTx, token)) throw notFound(`${TYPE_NAME[kind]}NotFound`, `${TYPE_NAME[kind]} ${id} could not be found.`);
  return inTx;
}

/** A non-admin sees its project's resources (its own default group among them), shared and external networks and their subnets. */
export function visible(store: Store, m: Meta, token: Token): boolean {
  if (token.isAdmin || m.project === token.projectId) return true;
  if (m.kind === 'network') return networkVisible(store, m, token);
  if (m.kind === 'subnet') {
    const net = typeof m.attrs.external === 'string' ? store.meta('network', m.attrs.external) : store.meta('network', store.cloud.subnets.get(m.key)?.network ?? '');
    // As in Neutron, another project's external network shows, but not its subnets unless it is shared.
    if (net === undefined) return false;
    if (net.project === token.projectId || net.attrs.shared === true) return true;
    return net.attrs.external !== true && networkVisible(store, net, token);
  }
  // An RBAC policy is seen by its owner and by the project it grants to.
  if (m.kind === 'rbac_policy') return m.attrs.target !== '*' && store.projectIdOf(String(m.attrs.target)) === token.projectId;
  return false;
}

/** Another project's network: shared or granted (access_as_shared), or external and not restricted away (access_as_external). */
function networkVisible(store: Store, m: Meta, token: Token): boolean {
  const name = store.projectName(token.projectId) ?? '';
  const ext = store.cloud.externalNetworks.get(m.key);
  if (ext) return externalUsableBy(ext, name);
  if (m.attrs.external === true) return true; // an external network still without its subnet
  const net = store.cloud.networks.get(m.key);
  return net !== undefined && networkUsableBy(net, name);
}

export function owned(m: Meta, token: Token): void {
  if (!token.isAdmin && m.project !== token.projectId) throw forbidden(`${TYPE_NAME[m.kind]} ${m.id} belongs to another project.`);
}

function setCommon(tx: Tx, m: Meta, b: Body): void {
  const name = str(b, 'name');
  if (name !== undefined) m.name = name;
  const description = str(b, 'description');
  if (description !== undefined) m.description = description;
  const up = boolOf(b, 'admin_state_up');
  if (up !== undefined) m.attrs.admin_state_up = up;
  tx.touch(m);
}

// ---------------------------------------------------------------- networks

export function createNetwork(tx: Tx, b: Body, token: Token): Meta {
  const name = str(b, 'name') ?? '';
  const external = boolOf(b, 'router:external') ?? false;
  const shared = boolOf(b, 'shared') ?? false;
  if ((external || shared) && !token.isAdmin) throw forbidden(`Only admin can create a${external ? 'n external' : ' shared'} network.`);
  const key = tx.uniqueKey(name, 'network');
  const mtu = intOf(b, 'mtu');
  const attrs: Record<string, unknown> = { shared, external, admin_state_up: boolOf(b, 'admin_state_up') ?? true, port_security_enabled: boolOf(b, 'port_security_enabled') ?? true };
  for (const [from, to] of [['provider:network_type', 'network_type'], ['provider:physical_network', 'physical_network'], ['provider:segmentation_id', 'segmentation_id']] as const) if (b[from] !== undefined) attrs[to] = b[from];
  if (external) attrs.pending = true;
  else (tx.doc.networks ??= {})[key] = { subnets: {}, ...(typeof mtu === 'number' ? { mtu } : {}), ...(shared ? { shared } : {}) };
  return tx.add('network', key, { name, project: ownerOf(b, token), description: str(b, 'description') ?? '', attrs });
}

export function updateNetwork(tx: Tx, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  setCommon(tx, m, b);
  const shared = boolOf(b, 'shared');
  if (shared !== undefined) {
    if (!token.isAdmin && shared) throw forbidden('Only admin can share a network.');
    m.attrs.shared = shared;
    const net = tx.doc.networks?.[m.key];
    if (net) { if (shared) net.shared = true; else delete net.shared; }
  }
  const pse = boolOf(b, 'port_security_enabled');
  if (pse !== undefined) m.attrs.port_security_enabled = pse;
  const mtu = intOf(b, 'mtu');
  if (typeof mtu === 'number') {
    const net = tx.doc.networks?.[m.key];
    if (!net) throw badRequest('vnet: the MTU of an external network is not modelled');
    net.mtu = mtu;
  }
  const external = boolOf(b, 'router:external');
  if (external !== undefined && external !== (m.attrs.external === true)) {
    if (!token.isAdmin) throw forbidden('Only admin can change router:external.');
    const net = tx.doc.networks?.[m.key];
    if ((net && Object.keys(net.subnets).length) || (!net && m.attrs.pending !== true)) throw badRequest(`vnet: router:external can change only while network ${m.id} has no subnets`);
    if (external) { delete tx.doc.networks![m.key]; m.attrs.pending = true; }
    else { (tx.doc.networks ??= {})[m.key] = { subnets: {} }; delete m.attrs.pending; }
    m.attrs.external = external;
  }
}

export function deleteNetwork(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  const cloud = store.cloud;
  const inUse = [...cloud.ports.values()].some((p) => p.network === m.key) || tx.all('port').some((p) => p.attrs.pending === true && p.attrs.network === m.key);
  if (inUse) throw conflict('NetworkInUse', `Unable to complete operation on network ${m.id}. There are one or more ports still in use on the network.`);
  if (m.attrs.external === true) {
    // Neutron's delete_disassociated_floatingips: unassociated floating IPs go with their network.
    for (const [key, f] of Object.entries(tx.doc.floating_ips ?? {})) {
      if (f.network === m.key && f.port === undefined && f.load_balancer === undefined && !f.port_forwardings?.length) { delete tx.doc.floating_ips![key]; tx.remove('floatingip', key); }
    }
    if (m.attrs.pending !== true) deleteSubnetOf(tx, store, m);
  } else {
    for (const s of Object.keys(tx.doc.networks?.[m.key]?.subnets ?? {})) tx.remove('subnet', s);
    delete tx.doc.networks?.[m.key];
  }
  tx.remove('network', m.key);
}

// ---------------------------------------------------------------- subnets

export function createSubnet(tx: Tx, store: Store, b: Body, token: Token): Meta {
  const netId = str(b, 'network_id');
  if (netId === undefined) throw badRequest('Invalid input for network_id: a subnet needs a network_id', 'InvalidInput');
  const net = findIn(tx, store, 'network', netId, token);
  if (!token.isAdmin && net.project !== token.projectId) throw forbidden(`Network ${netId} belongs to another project.`);
  const cidr = str(b, 'cidr');
  if (cidr === undefined) throw badRequest('vnet: a subnet needs a cidr (subnet pools are not modelled)');
  const parsed = parseCidrLoose(cidr);
  if (!parsed.ok) throw badRequest(`Invalid input for cidr. Reason: '${cidr}' is not a valid IP subnet (${parsed.problem}).`, 'InvalidInput');
  const version = intOf(b, 'ip_version') ?? parsed.cidr.version;
  if (version !== parsed.cidr.version) throw badRequest(`Invalid input for operation: ip_version ${version} does not match cidr ${cidr}.`, 'InvalidInput');
  const name = str(b, 'name') ?? '';
  const key = tx.uniqueKey(name, 'subnet');
  const pools = list(b, 'allocation_pools')?.map((p, i) => {
    const o = objectAt(p, `allocation_pools[${i}]`);
    return { start: String(o.start), end: String(o.end) };
  });
  const attrs: Record<string, unknown> = { enable_dhcp: boolOf(b, 'enable_dhcp') ?? true };
  const ra = ipv6Mode(b, 'ipv6_ra_mode');
  if (ra !== undefined) attrs.ipv6_ra_mode = ra;
  const mode = ipv6Mode(b, 'ipv6_address_mode');
  checkIpv6Modes(ra, mode, attrs.enable_dhcp === true);
  if (net.attrs.external === true) {
    if (net.attrs.pending !== true) throw badRequest(`vnet: external network ${netId} already has a subnet; an external network has one subnet in vnet`);
    (tx.doc.external_networks ??= {})[net.key] = {
      cidr, ...(b.gateway_ip !== undefined ? { gateway: b.gateway_ip === null ? null : String(b.gateway_ip) } : {}),
      ...(pools ? { pool: pools } : {}),
    };
    delete net.attrs.pending;
    net.attrs.subnet = key;
    attrs.external = net.key;
  } else {
    const doc = tx.doc.networks![net.key]!;
    doc.subnets[key] = {
      cidr,
      ...(b.gateway_ip !== undefined ? { gateway: b.gateway_ip === null ? null : String(b.gateway_ip) } : {}),
      ...(pools ? { allocation_pools: pools } : {}),
      ...subnetLists(b),
      ...(mode !== undefined ? { ipv6_address_mode: mode as 'slaac' } : version === 6 && ra !== undefined ? { ipv6_address_mode: ra as 'slaac' } : {}),
    };
  }
  return tx.add('subnet', key, { name, project: net.project === token.projectId || !token.isAdmin ? ownerOf(b, token) : net.project, description: str(b, 'description') ?? '', attrs });
}

function subnetLists(b: Body) {
  const dns = list(b, 'dns_nameservers')?.map(String);
  const routes = list(b, 'host_routes')?.map((r, i) => {
    const o = objectAt(r, `host_routes[${i}]`);
    return { destination: String(o.destination), nexthop: String(o.nexthop) };
  });
  return { ...(dns ? { dns } : {}), ...(routes ? { host_routes: routes } : {}) };
}

export function updateSubnet(tx: Tx, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  setCommon(tx, m, b);
  if (b.cidr !== undefined || b.ip_version !== undefined || b.network_id !== undefined) throw badRequest('Cannot update read-only attribute cidr, ip_version or network_id', 'InvalidInput');
  const dhcp = boolOf(b, 'enable_dhcp');
  if (dhcp !== undefined) m.attrs.enable_dhcp = dhcp;
  const pools = list(b, 'allocation_pools')?.map((p, i) => { const o = objectAt(p, `allocation_pools[${i}]`); return { start: String(o.start), end: String(o.end) }; });
  if (typeof m.attrs.external === 'string') {
    const e = tx.doc.external_networks![m.attrs.external]!;
    if (b.gateway_ip !== undefined) e.gateway = b.gateway_ip === null ? null : String(b.gateway_ip);
    if (pools) e.pool = pools;
    return;
  }
  const s = subnetDoc(tx.doc, m.key);
  if (b.gateway_ip !== undefined) s.gateway = b.gateway_ip === null ? null : String(b.gateway_ip);
  if (pools) s.allocation_pools = pools;
  Object.assign(s, subnetLists(b));
}

function subnetDoc(doc: Doc, key: string) {
  for (const n of Object.values(doc.networks ?? {})) if (n.subnets[key]) return n.subnets[key];
  throw new ApiError(404, 'SubnetNotFound', `Subnet ${key} could not be found.`);
}

export function deleteSubnet(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  if (typeof m.attrs.external === 'string') {
    const net = tx.meta('network', m.attrs.external)!;
    deleteSubnetOf(tx, store, net);
    return;
  }
  let users = [...store.cloud.ports.values()].filter((p) => p.fixedIps.some((f) => f.subnet === m.key));
  // As Neutron, a SLAAC or dhcpv6-stateless subnet goes even with ports: their MAC-derived addresses go with it.
  const mode = subnetDoc(tx.doc, m.key).ipv6_address_mode;
  if (mode === 'slaac' || mode === 'dhcpv6-stateless') {
    users = users.filter((p) => {
      if (p.owner.kind !== 'instance') return true;
      if (p.fixedIps.length < 2) return !unaddress(tx, store, p.id);
      const { port } = portEntry(tx.doc, p.id);
      port.fixed_ips = (port.fixed_ips ?? []).filter((f) => (typeof f === 'string' ? f : f.subnet) !== m.key);
      return false;
    });
  }
  if (users.length) throw conflict('SubnetInUse', `Unable to complete operation on subnet ${m.id}: one or more ports have an IP allocation from this subnet.`);
  for (const n of Object.values(tx.doc.networks ?? {})) delete n.subnets[m.key];
  tx.remove('subnet', m.key);
}

/**
 * A Neutron port whose only address goes with its SLAAC subnet stays, with no fixed IPs: in vnet
 * it becomes an addressless port (metadata only, as on a network without a subnet), keeping its
 * ID, name, MAC and owner fields. A Nova server's port, or one port of several, cannot (false).
 */
function unaddress(tx: Tx, store: Store, portKey: string): boolean {
  const p = store.cloud.ports.get(portKey)!;
  const inst = p.owner.name;
  const pm = tx.meta('port', portKey);
  if (!pm || tx.meta('server', inst) || tx.doc.instances?.[inst]?.ports.length !== 1) return false;
  for (const f of Object.values(tx.doc.floating_ips ?? {})) if (f.port === portKey || f.port === inst) delete f.port;
  delete tx.doc.instances[inst];
  dropMembers(tx, inst);
  tx.remove('port', portKey);
  const moved = tx.add('port', `pending/${inst}`, {
    name: pm.name, project: pm.project, description: pm.description,
    attrs: { ...pm.attrs, pending: true, network: p.network, mac: p.mac, port_security_enabled: p.portSecurity },
  }, pm.id);
  moved.tags = [...pm.tags];
  moved.created = pm.created;
  tx.touch(moved);
  return true;
}

function deleteSubnetOf(tx: Tx, store: Store, net: Meta): void {
  const users = [...store.cloud.ports.values()].filter((p) => p.network === net.key);
  const fips = Object.values(tx.doc.floating_ips ?? {}).filter((f) => f.network === net.key);
  if (users.length || fips.length) throw conflict('SubnetInUse', `Unable to complete operation on the subnet of network ${net.id}: router gateways or floating IPs use it.`);
  delete tx.doc.external_networks?.[net.key];
  tx.remove('subnet', String(net.attrs.subnet));
  delete net.attrs.subnet;
  net.attrs.pending = true;
}

// ---------------------------------------------------------------- ports

type PortDocLong = Exclude<NonNullable<Doc['instances']>[string]['ports'][number], string>;

/** The document entry of an instance port, by its cloud ID `instance/port`. */
function portEntry(doc: Doc, key: string): { inst: string; index: number; port: PortDocLong } {
  const slash = key.indexOf('/');
  const inst = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const ports = doc.instances?.[inst]?.ports ?? [];
  const index = ports.findIndex((p, i) => typeof p !== 'string' && (p.name ?? `eth${i}`) === name);
  if (index < 0) throw badRequest(`vnet: port ${key} is not an instance port and cannot be changed through the port API`);
  return { inst, index, port: ports[index] as PortDocLong };
}

function subnetsOf(doc: Doc, netKey: string): [string, { cidr: string; ipv6_address_mode?: string }][] {
  return Object.entries(doc.networks?.[netKey]?.subnets ?? {});
}

export function fixedIpsFor(tx: Tx, store: Store, netKey: string, b: Body, token: Token): { subnet: string; ip?: string }[] {
  const subnets = subnetsOf(tx.doc, netKey);
  const given = list(b, 'fixed_ips');
  if (given === undefined) {
    if (!subnets.length) throw badRequest(`vnet: network ${netKey} has no subnet; a port needs an address`);
    // As Neutron's IPAM: one address from the first IPv4 subnet and from the first IPv6 subnet
    // that allocates (stateful), and one on every auto-address (SLAAC, dhcpv6-stateless) subnet.
    const isAuto = ([, s]: [string, { cidr: string; ipv6_address_mode?: string }]) => s.cidr.includes(':') && (s.ipv6_address_mode === 'slaac' || s.ipv6_address_mode === 'dhcpv6-stateless');
    const v4 = subnets.find(([, s]) => !s.cidr.includes(':'));
    const auto = subnets.filter(isAuto);
    const v6 = subnets.find((e) => e[1].cidr.includes(':') && !isAuto(e));
    const picked = [v4, v6, ...auto].filter((x) => x !== undefined);
    return (picked.length ? picked : [subnets[0]!]).map(([k]) => ({ subnet: k }));
  }
  return given.map((f, i) => {
    const o = objectAt(f, `fixed_ips[${i}]`);
    const ip = str(o, 'ip_address');
    const subnetId = str(o, 'subnet_id');
    let subnet: string | undefined;
    if (subnetId !== undefined) {
      subnet = findIn(tx, store, 'subnet', subnetId, token).key;
      if (!subnets.some(([k]) => k === subnet)) throw badRequest(`Invalid input for operation: Failed to create port on network ${netKey}, because fixed_ips included invalid subnet ${subnetId}.`, 'InvalidInput');
    } else if (ip !== undefined) {
      const addr = parseIp(ip);
      if (!addr) throw badRequest(`Invalid input for fixed_ips. Reason: '${ip}' is not a valid IP address.`, 'InvalidInput');
      subnet = subnets.find(([, s]) => { const c = parseCidrLoose(s.cidr); return c.ok && cidrContains(c.cidr, addr); })?.[0];
      if (subnet === undefined) throw badRequest(`IP address ${ip} is not a valid IP for any of the subnets on the specified network.`, 'InvalidIpForNetwork');
    } else throw badRequest(`Invalid input for fixed_ips[${i}]: give subnet_id or ip_address`, 'InvalidInput');
    return { subnet, ...(ip !== undefined ? { ip } : {}) };
  });
}

function groupKeys(tx: Tx, store: Store, ids: unknown[], token: Token): string[] {
  return ids.map((id) => findIn(tx, store, 'security_group', String(id), token).key);
}

function pairsOf(b: Body) {
  return list(b, 'allowed_address_pairs')?.map((p, i) => {
    const o = objectAt(p, `allowed_address_pairs[${i}]`);
    const mac = str(o, 'mac_address');
    return { ip_address: String(o.ip_address), ...(mac !== undefined ? { mac_address: mac } : {}) };
  });
}

export function createPort(tx: Tx, store: Store, b: Body, token: Token): Meta {
  const netId = str(b, 'network_id');
  if (netId === undefined) throw badRequest('Invalid input for network_id: a port needs a network_id', 'InvalidInput');
  const net = findIn(tx, store, 'network', netId, token);
  if (net.attrs.external === true) throw badRequest('vnet: ports on an external network are router gateways and floating IPs only');
  const name = str(b, 'name') ?? '';
  const key = tx.uniqueKey(name, 'port');
  const portSecurity = boolOf(b, 'port_security_enabled') ?? (net.attrs.port_security_enabled !== false);
  const groups = list(b, 'security_groups');
  const given = list(b, 'fixed_ips');
  if (subnetsOf(tx.doc, net.key).length === 0 && (given === undefined || given.length === 0)) return addressless(tx, store, net, key, b, token);
  const fixed = fixedIpsFor(tx, store, net.key, b, token);
  const port: PortDocLong = { name: 'eth0', fixed_ips: fixed };
  const mac = str(b, 'mac_address');
  if (mac !== undefined) port.mac = mac;
  if (!portSecurity) port.port_security = false;
  if (groups !== undefined) port.security_groups = groupKeys(tx, store, groups, token);
  else if (!portSecurity) port.security_groups = [];
  const pairs = pairsOf(b);
  if (pairs) port.allowed_address_pairs = pairs;
  (tx.doc.instances ??= {})[key] = { ports: [port] };
  const attrs: Record<string, unknown> = { admin_state_up: boolOf(b, 'admin_state_up') ?? true, device_owner: str(b, 'device_owner') ?? '', device_id: str(b, 'device_id') ?? '' };
  const host = str(b, 'binding:host_id');
  if (host !== undefined) attrs.host = host;
  return tx.add('port', `${key}/eth0`, { name, project: ownerOf(b, token), description: str(b, 'description') ?? '', attrs });
}

export function updatePort(tx: Tx, store: Store, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  setCommon(tx, m, b);
  for (const k of ['device_owner', 'device_id'] as const) { const v = str(b, k); if (v !== undefined) m.attrs[k] = v; }
  const host = str(b, 'binding:host_id');
  if (host !== undefined) m.attrs.host = host;
  const touchesDoc = ['security_groups', 'port_security_enabled', 'allowed_address_pairs', 'fixed_ips', 'mac_address'].some((k) => b[k] !== undefined);
  if (!touchesDoc) return;
  if (m.attrs.pending === true) throw badRequest(`vnet: port ${m.id} has no address (its network had no subnet); delete it and create another`);
  const current = store.cloud.ports.get(m.key)!;
  if (current.owner.kind === 'router' && current.deviceOwner === 'router_interface') { updateInterfacePort(tx, store, m, current, b, token); return; }
  const { port } = portEntry(tx.doc, m.key);
  const ps = boolOf(b, 'port_security_enabled');
  if (ps !== undefined) { if (ps) delete port.port_security; else port.port_security = false; }
  const groups = list(b, 'security_groups');
  if (groups !== undefined) port.security_groups = groupKeys(tx, store, groups, token);
  const pairs = pairsOf(b);
  if (pairs) port.allowed_address_pairs = pairs;
  const mac = str(b, 'mac_address');
  if (mac !== undefined) port.mac = mac;
  if (b.fixed_ips !== undefined) {
    const fixed = keepAddresses(store, current, fixedIpsFor(tx, store, current.network, b, token));
    delete port.subnet; delete port.ip;
    port.fixed_ips = fixed;
  }
}

/**
 * Neutron's _get_changed_ips_for_port: an entry naming an address the port has keeps it; an entry
 * naming only a subnet keeps the port's (not otherwise kept) address there instead of allocating
 * a new one. SLAAC and dhcpv6-stateless addresses follow the MAC, so they stay subnet-only.
 */
function keepAddresses(store: Store, port: Port, asked: { subnet: string; ip?: string }[]): { subnet: string; ip?: string }[] {
  const same = (text: string, f: Port['fixedIps'][number]) => parseIp(text)?.value === f.address.ip.value && f.address.ip.version === parseIp(text)?.version;
  const spare = port.fixedIps.filter((f) => !asked.some((a) => a.ip !== undefined && same(a.ip, f)));
  return asked.map((a) => {
    if (a.ip !== undefined) return a;
    const at = spare.findIndex((f) => f.subnet === a.subnet);
    if (at < 0) return a;
    const [kept] = spare.splice(at, 1);
    const mode = store.cloud.subnets.get(a.subnet)?.ipv6AddressMode;
    return mode === 'slaac' || mode === 'dhcpv6-stateless' ? a : { subnet: a.subnet, ip: kept!.address.text };
  });
}

/**
 * fixed_ips on a router interface port: vnet's interface is one address on one subnet, so the
 * request must name that subnet once; an address moves the interface there (written into the
 * router's interface in the file), a subnet alone keeps the address it has.
 */
function updateInterfacePort(tx: Tx, store: Store, m: Meta, port: Port, b: Body, token: Token): void {
  const others = ['security_groups', 'port_security_enabled', 'allowed_address_pairs', 'mac_address'].filter((k) => b[k] !== undefined);
  if (others.length) throw badRequest(`vnet: a router interface port has no ${others.join(', ')} to change (port ${m.id})`);
  if (b.fixed_ips === undefined) return;
  const asked = keepAddresses(store, port, fixedIpsFor(tx, store, port.network, b, token));
  const subnet = port.fixedIps[0]!.subnet;
  if (asked.length !== 1 || asked[0]!.subnet !== subnet) {
    throw badRequest(`Bad request: vnet: router interface port ${m.id} keeps exactly one address on its subnet ${store.meta('subnet', subnet)?.id ?? subnet}; remove the interface and add another to change subnets`);
  }
  const ip = asked[0]!.ip;
  if (ip === undefined) return;
  const router = tx.doc.routers![port.owner.name]!;
  const interfaces = router.interfaces ?? [];
  const at = interfaces.findIndex((i) => (typeof i === 'string' ? i : i.subnet) === subnet);
  if (at < 0) throw new ApiError(500, 'InternalServerError', `vnet: router ${port.owner.name} has no interface on ${subnet}`);
  const entry = interfaces[at]!;
  interfaces[at] = { ...(typeof entry === 'string' ? {} : entry), subnet, ip };
}

export function deletePort(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  if (m.attrs.pending === true) { tx.remove('port', m.key); return; }
  const p = store.cloud.ports.get(m.key)!;
  if (p.owner.kind !== 'instance') throw conflict('PortInUse', `Port ${m.id} cannot be deleted directly via the port API: it has device owner ${p.deviceOwner === 'lb_vip' ? 'Octavia' : `network:${p.deviceOwner}`}.`);
  const { inst, index } = portEntry(tx.doc, m.key);
  const ref = (r: string | undefined) => r === m.key || (r === inst && index === 0);
  for (const f of Object.values(tx.doc.floating_ips ?? {})) if (ref(f.port)) delete f.port;
  const ports = tx.doc.instances![inst]!.ports;
  if (ports.length === 1) { delete tx.doc.instances![inst]; dropMembers(tx, inst); }
  else ports.splice(index, 1);
  tx.remove('port', m.key);
}

/**
 * A port on a network without a subnet has no address, and a vnet port needs one: it lives only
 * in the API's metadata (not saved), shows with no fixed IPs, and can be renamed or deleted.
 */
function addressless(tx: Tx, store: Store, net: Meta, key: string, b: Body, token: Token): Meta {
  if (b.security_groups !== undefined) void groupKeys(tx, store, list(b, 'security_groups') ?? [], token);
  return tx.add('port', `pending/${key}`, {
    name: str(b, 'name') ?? '', project: ownerOf(b, token), description: str(b, 'description') ?? '',
    attrs: { pending: true, network: net.key, admin_state_up: boolOf(b, 'admin_state_up') ?? true, device_owner: str(b, 'device_owner') ?? '', device_id: str(b, 'device_id') ?? '', mac: str(b, 'mac_address') ?? null, port_security_enabled: boolOf(b, 'port_security_enabled') ?? (net.attrs.port_security_enabled !== false) },
  });
}

/** An instance that goes leaves every pool it served (Octavia keeps such members; vnet's are instances). */
export function dropMembers(tx: Tx, instance: string): void {
  for (const lb of Object.values(tx.doc.load_balancers ?? {})) {
    for (const pool of Object.values(lb.pools)) pool.members = pool.members.filter((mb) => (typeof mb === 'string' ? mb : mb.instance) !== instance);
  }
}

// ---------------------------------------------------------------- routers

function gatewayOf(tx: Tx, store: Store, info: unknown, token: Token) {
  if (info === null || info === undefined) return null;
  const o = objectAt(info, 'external_gateway_info');
  if (Object.keys(o).length === 0) return null;
  const netId = str(o, 'network_id');
  if (netId === undefined) throw badRequest('Invalid input for external_gateway_info: network_id is required', 'InvalidInput');
  const net = findIn(tx, store, 'network', netId, token);
  if (net.attrs.external !== true) throw badRequest(`Bad router request: Network ${netId} is not an external network.`);
  if (net.attrs.pending === true) throw badRequest(`Bad router request: external network ${netId} has no subnet.`);
  const snat = boolOf(o, 'enable_snat');
  const fixed = list(o, 'external_fixed_ips')?.map((f) => str(objectAt(f, 'external_fixed_ips[]'), 'ip_address')).find((ip) => ip !== undefined);
  if (snat === false && !token.isAdmin) throw forbidden('Only admin can turn SNAT off.');
  return { network: net.key, snat: snat ?? true, ...(fixed !== undefined ? { ip: fixed } : {}) };
}

function routesOf(b: Body) {
  return list(b, 'routes')?.map((r, i) => {
    const o = objectAt(r, `routes[${i}]`);
    return { destination: String(o.destination), nexthop: String(o.nexthop) };
  });
}

export function createRouter(tx: Tx, store: Store, b: Body, token: Token): Meta {
  const name = str(b, 'name') ?? '';
  const key = tx.uniqueKey(name, 'router');
  const gw = gatewayOf(tx, store, b.external_gateway_info, token);
  const routes = routesOf(b);
  (tx.doc.routers ??= {})[key] = { interfaces: [], ...(gw ? { external_gateway: gw } : {}), ...(routes?.length ? { routes } : {}) };
  return tx.add('router', key, { name, project: ownerOf(b, token), description: str(b, 'description') ?? '', attrs: { admin_state_up: boolOf(b, 'admin_state_up') ?? true } });
}

export function updateRouter(tx: Tx, store: Store, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  setCommon(tx, m, b);
  const r = tx.doc.routers![m.key]!;
  if (b.external_gateway_info !== undefined) {
    const gw = gatewayOf(tx, store, b.external_gateway_info, token);
    const current = store.cloud.routers.get(m.key)?.externalGateway;
    if (current && gw?.network !== current.network && [...store.cloud.floatingIps.values()].some((f) => f.router === m.key)) {
      throw conflict('RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${m.id}, since a gateway to external network ${store.meta('network', current.network)!.id} is required by one or more floating IPs.`);
    }
    if (gw) r.external_gateway = gw; else delete r.external_gateway;
  }
  const routes = routesOf(b);
  if (routes) r.routes = routes;
  else if (b.routes === null) delete r.routes; // Neutron clears extra routes on null (tempest does so)
}

export function deleteRouter(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  const r = store.cloud.routers.get(m.key)!;
  if (r.interfaces.length || [...store.cloud.floatingIps.values()].some((f) => f.router === m.key)) {
    throw conflict('RouterInUse', `Router ${m.id} still has ports`);
  }
  delete tx.doc.routers![m.key];
  tx.remove('router', m.key);
}

/** add_router_interface: a subnet (the interface takes its gateway) or an unbound port (its address). */
export function addInterface(tx: Tx, store: Store, m: Meta, b: Body, token: Token): { subnet: string; portKey: string; keepId?: string } {
  owned(m, token);
  const r = tx.doc.routers![m.key]!;
  const interfaces = (r.interfaces ??= []);
  const subnetId = str(b, 'subnet_id');
  const portId = str(b, 'port_id');
  if ((subnetId === undefined) === (portId === undefined)) throw badRequest('Bad router request: Either subnet_id or port_id must be specified.');
  const has = (s: string) => interfaces.some((i) => (typeof i === 'string' ? i : i.subnet) === s);
  if (subnetId !== undefined) {
    const s = findIn(tx, store, 'subnet', subnetId, token);
    if (typeof s.attrs.external === 'string') throw badRequest(`Bad router request: subnet ${subnetId} is on an external network; use external_gateway_info.`);
    if (has(s.key)) throw badRequest(`Bad router request: Router already has a port on subnet ${subnetId}.`);
    interfaces.push(s.key);
    return { subnet: s.key, portKey: `${m.key}/qr-${s.key}` };
  }
  const pm = findIn(tx, store, 'port', portId!, token);
  if (pm.attrs.pending === true) throw badRequest(`Bad router request: Port ${portId} does not have any IPs.`);
  const p = store.cloud.ports.get(pm.key)!;
  if (p.owner.kind !== 'instance' || pm.attrs.device_owner !== '') throw conflict('PortInUse', `Port ${portId} is in use (device owner ${String(pm.attrs.device_owner ?? 'compute:nova')}).`);
  if (p.fixedIps.length !== 1) throw badRequest(`Bad router request: Port ${portId} must have exactly one fixed IP.`);
  const f = p.fixedIps[0]!;
  if (has(f.subnet)) throw badRequest(`Bad router request: Router already has a port on subnet ${store.meta('subnet', f.subnet)!.id}.`);
  deletePort(tx, store, pm, token);
  interfaces.push({ subnet: f.subnet, ip: f.address.text });
  return { subnet: f.subnet, portKey: `${m.key}/qr-${f.subnet}`, keepId: pm.id };
}

export function removeInterface(tx: Tx, store: Store, m: Meta, b: Body, token: Token): { subnet: string; portId: string } {
  owned(m, token);
  const r = tx.doc.routers![m.key]!;
  const interfaces = r.interfaces ?? [];
  const subnetId = str(b, 'subnet_id');
  const portId = str(b, 'port_id');
  let subnet: string | undefined;
  if (subnetId !== undefined) subnet = findIn(tx, store, 'subnet', subnetId, token).key;
  else if (portId !== undefined) {
    const pm = store.byIdOf('port', portId);
    const p = pm ? store.cloud.ports.get(pm.key) : undefined;
    if (!p || p.owner.kind !== 'router' || p.owner.name !== m.key) throw notFound('RouterInterfaceNotFound', `Router ${m.id} does not have an interface with id ${portId}`);
    subnet = p.fixedIps[0]?.subnet;
  } else throw badRequest('Bad router request: Either subnet_id or port_id must be specified.');
  const at = interfaces.findIndex((i) => (typeof i === 'string' ? i : i.subnet) === subnet);
  if (at < 0) throw notFound('RouterInterfaceNotFoundForSubnet', `Router ${m.id} has no interface on subnet ${subnetId ?? subnet}`);
  const portKey = `${m.key}/qr-${subnet!}`;
  const fipUsers = [...store.cloud.floatingIps.values()].filter((f) => f.router === m.key && f.port !== null && store.cloud.ports.get(f.port)?.fixedIps.some((x) => x.subnet === subnet));
  if (fipUsers.length) throw conflict('RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${subnetId ?? subnet} on router ${m.id} cannot be deleted, as it is required by one or more floating IPs.`);
  interfaces.splice(at, 1);
  return { subnet: subnet!, portId: store.meta('port', portKey)?.id ?? '' };
}

// ---------------------------------------------------------------- security groups

export function createGroup(tx: Tx, b: Body, token: Token, newRuleId: () => string): Meta {
  const name = str(b, 'name') ?? '';
  if (name === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  const key = tx.uniqueKey(name, 'sg', 'groups');
  const stateful = boolOf(b, 'stateful');
  const description = str(b, 'description') ?? '';
  (tx.doc.security_groups ??= {})[key] = { ...(description ? { description } : {}), ...(stateful === false ? { stateful } : {}) };
  return tx.add('security_group', key, { name, project: ownerOf(b, token), description, attrs: { rules: [newRuleId(), newRuleId()] } });
}

export function updateGroup(tx: Tx, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  // Neutron's order: the name validator refuses `default` for any group, then the default group keeps its name.
  const name = str(b, 'name');
  if (name === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  if (isDefaultGroup(m.key) && name !== undefined) throw conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
  setCommon(tx, m, b);
  const stateful = boolOf(b, 'stateful');
  if (stateful !== undefined) {
    materializeDefault(tx, m.key);
    tx.doc.security_groups![m.key]!.stateful = stateful;
  }
}

export function deleteGroup(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  if (isDefaultGroup(m.key)) throw conflict('SecurityGroupCannotRemoveDefault', 'Removing default security group not allowed.');
  const users = [...store.cloud.ports.values()].filter((p) => p.securityGroups.includes(m.key));
  if (users.length) throw conflict('SecurityGroupInUse', `Security Group ${m.id} in use.`);
  // Rules of other groups whose remote group this was go with it, as in Neutron.
  for (const [g, doc] of Object.entries(tx.doc.security_groups ?? {})) {
    const gm = tx.meta('security_group', g)!;
    const ids = gm.attrs.rules as string[];
    const nDefault = ids.length - (doc.rules?.length ?? 0);
    for (let i = (doc.rules?.length ?? 0) - 1; i >= 0; i--) {
      if (doc.rules![i]!.remote_group === m.key) { doc.rules!.splice(i, 1); tx.remove('security_group_rule', ids[nDefault + i]!); ids.splice(nDefault + i, 1); }
    }
  }
  delete tx.doc.security_groups![m.key];
  for (const id of (m.attrs.rules as string[] | undefined) ?? []) tx.remove('security_group_rule', id);
  tx.remove('security_group', m.key);
}

/** A project's default group: admin's `default`, another project's `default@PROJECT` (the file's keys). */
const isDefaultGroup = (key: string) => key === 'default' || PROJECT_DEFAULT_GROUP.test(key);

/**
 * An implicit default group becomes a written one with Neutron's ingress-from-members rules, so
 * rules can be added and removed (`remote_group: default` in it is its own project's default).
 */
function materializeDefault(tx: Tx, key: string): void {
  if (!isDefaultGroup(key) || tx.doc.security_groups?.[key]) return;
  (tx.doc.security_groups ??= {})[key] = {
    rules: [{ direction: 'ingress', ethertype: 'IPv4', remote_group: 'default' }, { direction: 'ingress', ethertype: 'IPv6', remote_group: 'default' }],
  };
}

/** The names vnet models, by Neutron's names and numbers; other numbers stay numbers (the file takes any 0-255). */
const PROTOCOL_NAMES: Readonly<Record<string, 'tcp' | 'udp' | 'icmp' | 'icmpv6'>> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'icmpv6', 'ipv6-icmp': 'icmpv6', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
/** Neutron's port protocols that vnet does not model (dccp, sctp, udplite): ports on them cannot be written in the file. */
const UNMODELLED_PORT_PROTOCOLS = new Set(['dccp', 'sctp', 'udplite', '33', '132', '136']);
/** What neutron's convert_protocol accepts besides numbers (neutron-lib's sg_supported_protocols). */
const NEUTRON_PROTOCOLS = ['ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp'];
const IPV6_ONLY = new Set(['ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '44', '58', '59', '60', '43']);

/**
 * A rule's protocol as Neutron stores it (convert_protocol, then _make_canonical_ipv6_icmp_protocol):
 * names lower-cased, numbers as decimal strings, and on IPv6 the legacy icmp/icmpv6 as ipv6-icmp and 1 as 58.
 */
export function neutronProtocol(value: unknown, ethertype: 'IPv4' | 'IPv6'): string | null {
  if (value === undefined || value === null || value === 'any') return null;
  const bad = () => badRequest(`Security group rule protocol ${String(value)} not supported. Only protocol values [${NEUTRON_PROTOCOLS.join(', ')}] and integer representations [0 to 255] are supported.`, 'SecurityGroupRuleInvalidProtocol');
  let text: string;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw bad();
    text = String(n);
  } else if (typeof value === 'string' && NEUTRON_PROTOCOLS.includes(value.toLowerCase())) text = value.toLowerCase();
  else throw bad();
  if (ethertype === 'IPv6') {
    if (text === 'icmp' || text === 'icmpv6') return 'ipv6-icmp';
    if (text === '1') return '58';
  }
  return text;
}

/** Neutron's protocol text as the file's protocol: a modelled name, else the number; undefined for any. */
function docProtocol(text: string | null): DocRule['protocol'] {
  if (text === null) return undefined;
  if (/^\d+$/.test(text)) return Number(text); // the file keeps the number, so the API shows it again after a reload
  const named = PROTOCOL_NAMES[text];
  if (named === undefined) throw badRequest(`vnet: protocol ${text} is not modelled; give its number (0-255) instead`, 'SecurityGroupRuleInvalidProtocol');
  return named;
}

const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'];

/** An IPv6 mode attribute: one of Neutron's three values, or absent (null is absent, as in Neutron). */
function ipv6Mode(b: Body, k: 'ipv6_ra_mode' | 'ipv6_address_mode'): string | undefined {
  if (b[k] === null) return undefined;
  const v = str(b, k);
  if (v !== undefined && !IPV6_MODES.includes(v)) throw badRequest(`Invalid input for ${k}. Reason: '${v}' is not in [${IPV6_MODES.map((m) => `'${m}'`).join(', ')}].`, 'InvalidInput');
  return v;
}

/** Neutron's _validate_ipv6_dhcp and _validate_ipv6_combination, in that order. */
function checkIpv6Modes(ra: string | undefined, mode: string | undefined, dhcp: boolean): void {
  if ((ra !== undefined || mode !== undefined) && !dhcp) throw badRequest('Invalid input for operation: ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False.', 'InvalidInput');
  if (ra !== undefined && mode !== undefined && ra !== mode) {
    throw badRequest(`Invalid input for operation: ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${mode}' is not valid. If both attributes are set, they must be the same value.`, 'InvalidInput');
  }
}

/** A Neutron rule request as the file's rule, with Neutron's checks the file's loader does not make. */
export function ruleFromRequest(tx: Tx, store: Store, b: Body, token: Token): { group: Meta; rule: DocRule } {
  const groupId = str(b, 'security_group_id');
  if (groupId === undefined) throw badRequest('Invalid input for security_group_id: it is required', 'InvalidInput');
  const group = findIn(tx, store, 'security_group', groupId, token);
  owned(group, token);
  const direction = str(b, 'direction');
  if (direction !== 'ingress' && direction !== 'egress') throw badRequest(`Invalid input for direction. Reason: ${JSON.stringify(b.direction)} is not in [ingress, egress].`, 'InvalidInput');
  const etherText = str(b, 'ethertype') ?? 'IPv4';
  const ethertype = etherText.toLowerCase() === 'ipv4' ? 'IPv4' : etherText.toLowerCase() === 'ipv6' ? 'IPv6' : undefined;
  if (ethertype === undefined) throw badRequest(`Invalid input for ethertype. Reason: ${JSON.stringify(etherText)} is not in [IPv4, IPv6].`, 'SecurityGroupRuleInvalidEtherType');
  const text = neutronProtocol(b.protocol, ethertype);
  if (text !== null && ethertype === 'IPv4' && IPV6_ONLY.has(text)) throw badRequest(`Invalid ethertype ${ethertype} for protocol ${text}.`, 'SecurityGroupEthertypeConflictWithProtocol');
  const protocol = docProtocol(text);
  const port = (k: string): number | null => {
    const v = intOf(b, k) ?? null;
    if (v !== null && (v < 0 || v > 65535)) throw badRequest(`Invalid value for port ${v}`, 'SecurityGroupInvalidPortValue'); // convert_validate_port_value
    return v;
  };
  const min = port('port_range_min');
  const max = port('port_range_max');
  const rule: DocRule = { direction, ethertype };
  if (protocol !== undefined) rule.protocol = protocol;
  const kind = text === null ? undefined : PROTOCOL_NAMES[text];
  if (min !== null || max !== null) {
    // Neutron's _validate_port_range, in its order.
    if (text === null) throw badRequest('Must also specify protocol if port range is given.', 'SecurityGroupProtocolRequiredWithPorts');
    if (kind === 'tcp' || kind === 'udp' || UNMODELLED_PORT_PROTOCOLS.has(text)) {
      if (min === 0 || max === 0) throw badRequest('Invalid value for port 0', 'SecurityGroupInvalidPortValue');
      if (min === null || max === null || min > max) throw badRequest('For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
      if (min === 1 && max === 65535) { /* Neutron's canonical form of the whole range: no range */ } else if (UNMODELLED_PORT_PROTOCOLS.has(text)) throw badRequest(`vnet: port ranges are modelled for tcp and udp only, not ${text}`, 'SecurityGroupInvalidProtocolForPort');
      else rule.ports = min === max ? min : `${min}-${max}`;
    } else if (kind === 'icmp' || kind === 'icmpv6') {
      for (const [v, field, attr] of [[min, 'type', 'port_range_min'], [max, 'code', 'port_range_max']] as const) {
        if (v !== null && v > 255) throw badRequest(`Invalid value for ICMP ${field} (${attr}) ${v}. It must be 0 to 255.`, 'SecurityGroupInvalidIcmpValue');
      }
      if (min === null) throw badRequest(`ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`, 'SecurityGroupMissingIcmpType');
      rule.type = min;
      if (max !== null) rule.code = max;
    } else throw badRequest(`Ports cannot be specified for protocol ${text}. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.`, 'SecurityGroupInvalidProtocolForPort');
  }
  const prefix = str(b, 'remote_ip_prefix');
  const remoteGroup = str(b, 'remote_group_id');
  if (prefix !== undefined && remoteGroup !== undefined) throw badRequest('Only remote_ip_prefix or remote_group_id may be provided.', 'SecurityGroupRemoteGroupAndRemoteIpPrefix');
  if (prefix !== undefined) {
    const c = parseCidrLoose(prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`);
    if (!c.ok) throw badRequest(`Invalid input for remote_ip_prefix. Reason: '${prefix}' is not a valid IP prefix (${c.problem}).`, 'InvalidInput');
    if ((c.cidr.version === 4 ? 'IPv4' : 'IPv6') !== ethertype) throw badRequest(`Conflicting value ethertype ${ethertype} for CIDR ${prefix}`, 'SecurityGroupRuleParameterConflict');
    rule.remote_ip_prefix = prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`;
  }
  if (remoteGroup !== undefined) rule.remote_group = findIn(tx, store, 'security_group', remoteGroup, token).key;
  const description = str(b, 'description');
  if (description) rule.description = description;
  return { group, rule };
}

export function addRule(tx: Tx, group: Meta, rule: DocRule, id: string, project: string, description: string): void {
  materializeDefault(tx, group.key);
  const doc = tx.doc.security_groups![group.key]!;
  (doc.rules ??= []).push(rule);
  (group.attrs.rules as string[]).push(id);
  tx.add('security_group_rule', id, { name: '', project, description, attrs: { group: group.key } }, id);
  tx.touch(group);
}

export function deleteRule(tx: Tx, store: Store, rule: Meta, token: Token): void {
  const group = tx.meta('security_group', String(rule.attrs.group))!;
  owned(group, token);
  materializeDefault(tx, group.key);
  const doc = tx.doc.security_groups![group.key]!;
  const ids = group.attrs.rules as string[];
  const at = ids.indexOf(rule.id);
  const nDefault = ids.length - (doc.rules?.length ?? 0);
  if (at < nDefault) {
    // One of the two default egress rules: the other becomes a written rule.
    const resolved = store.cloud.securityGroups.get(group.key)!.rules;
    const other = resolved.find((r, i) => i < nDefault && i !== at);
    doc.default_egress = false;
    if (other) (doc.rules ??= []).unshift({ direction: 'egress', ethertype: other.ethertype });
  } else doc.rules!.splice(at - nDefault, 1);
  ids.splice(at, 1);
  tx.remove('security_group_rule', rule.id);
  tx.touch(group);
}

// ---------------------------------------------------------------- floating IPs

/** What a floating IP maps to in the file: an instance port, or a load balancer through its VIP port. */
function portRef(tx: Tx, store: Store, portId: string, token: Token, fixedIp: string | undefined): { port: string } | { load_balancer: string } {
  const pm = findIn(tx, store, 'port', portId, token);
  const p = store.cloud.ports.get(pm.key);
  if (p?.owner.kind === 'load_balancer') {
    if (fixedIp !== undefined && fixedIp !== p.fixedIps[0]?.address.text) throw badRequest(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIp}.`);
    return { load_balancer: p.owner.name };
  }
  if (!p || p.owner.kind !== 'instance') throw badRequest(`vnet: floating IPs map to instance ports and load balancer VIPs; port ${portId} is a ${p?.deviceOwner ?? 'new'} port`);
  pickFixedIp(tx, p, portId, fixedIp);
  return { port: pm.key };
}

/**
 * Neutron's choice of the fixed address a floating IP maps to: the one asked for (400 when the
 * port lacks it or it is not IPv4), else the port's only IPv4 address (400 when it has several).
 * The file maps a floating IP to its port's first IPv4 address, so the chosen one is moved first
 * among the port's fixed IPs (every one is pinned, so no address moves).
 */
function pickFixedIp(tx: Tx, p: Port, portId: string, fixedIp: string | undefined): void {
  const v4 = p.fixedIps.filter((f) => f.address.ip.version === 4);
  if (fixedIp === undefined) {
    if (v4.length > 1) throw badRequest(`Bad floatingip request: Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP.`);
    return;
  }
  const asked = parseIp(fixedIp);
  if (!asked) throw badRequest(`Invalid input for fixed_ip_address. Reason: '${fixedIp}' is not a valid IP address.`, 'InvalidInput');
  if (asked.version !== 4) throw badRequest(`Bad floatingip request: Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address.`);
  const at = p.fixedIps.findIndex((f) => f.address.ip.version === 4 && f.address.ip.value === asked.value);
  if (at < 0) throw badRequest(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIp}.`);
  if (v4[0] === p.fixedIps[at]) return;
  const { port } = portEntry(tx.doc, p.id);
  const entries = port.fixed_ips ?? [];
  const i = entries.findIndex((f) => typeof f !== 'string' && f.ip !== undefined && parseIp(f.ip)?.value === asked.value);
  if (i < 0) throw new ApiError(500, 'InternalServerError', `vnet: port ${p.id} has no pinned entry for ${fixedIp}`);
  entries.unshift(...entries.splice(i, 1));
}

export function createFloatingIp(tx: Tx, store: Store, b: Body, token: Token): Meta {
  const netId = str(b, 'floating_network_id');
  if (netId === undefined) throw badRequest('Invalid input for floating_network_id: it is required', 'InvalidInput');
  const net = findIn(tx, store, 'network', netId, token);
  if (net.attrs.external !== true) throw badRequest(`Bad floatingip request: Network ${netId} is not a valid external network.`);
  if (net.attrs.pending === true) throw badRequest(`Bad floatingip request: external network ${netId} has no subnet.`);
  const key = tx.uniqueKey('', 'fip');
  const portId = str(b, 'port_id');
  const ip = str(b, 'floating_ip_address');
  const fixedIp = str(b, 'fixed_ip_address');
  if (fixedIp !== undefined && portId === undefined) throw badRequest('Bad floatingip request: fixed_ip_address cannot be specified without a port_id.');
  (tx.doc.floating_ips ??= {})[key] = { network: net.key, ...(portId !== undefined ? portRef(tx, store, portId, token, fixedIp) : {}), ...(ip !== undefined ? { ip } : {}) };
  return tx.add('floatingip', key, { name: '', project: ownerOf(b, token), description: str(b, 'description') ?? '' });
}

export function updateFloatingIp(tx: Tx, store: Store, m: Meta, b: Body, token: Token): void {
  owned(m, token);
  const description = str(b, 'description');
  if (description !== undefined) m.description = description;
  tx.touch(m);
  const fixedIp = str(b, 'fixed_ip_address');
  if (!('port_id' in b)) {
    if (fixedIp !== undefined) throw badRequest('Bad floatingip request: fixed_ip_address cannot be specified without a port_id.');
    return;
  }
  const f = tx.doc.floating_ips![m.key]!;
  delete f.port;
  delete f.load_balancer;
  if (b.port_id !== null) Object.assign(f, portRef(tx, store, String(b.port_id), token, fixedIp));
  else if (fixedIp !== undefined) throw badRequest('Bad floatingip request: fixed_ip_address cannot be specified without a port_id.');
}

export function deleteFloatingIp(tx: Tx, m: Meta, token: Token): void {
  owned(m, token);
  delete tx.doc.floating_ips![m.key];
  tx.remove('floatingip', m.key);
}

// ---------------------------------------------------------------- RBAC policies

/** A network RBAC policy: the file's network `shared` (target `*`) or an rbac entry naming the target project. */
export function createRbac(tx: Tx, store: Store, b: Body, token: Token): Meta {
  const type = str(b, 'object_type');
  if (type !== 'network') throw badRequest(`Invalid input for object_type. Reason: vnet models network RBAC only, not ${JSON.stringify(b.object_type)}.`, 'InvalidInput');
  const netId = str(b, 'object_id');
  if (netId === undefined) throw badRequest('Invalid input for object_id: it is required', 'InvalidInput');
  const net = findIn(tx, store, 'network', netId, token);
  owned(net, token);
  const action = str(b, 'action');
  if (action !== 'access_as_shared' && action !== 'access_as_external') throw badRequest(`Invalid input for action. Reason: ${JSON.stringify(b.action)} is not in [access_as_shared, access_as_external].`, 'InvalidInput');
  const external = net.attrs.external === true;
  if (external !== (action === 'access_as_external')) throw badRequest(`vnet: ${action} applies to ${action === 'access_as_shared' ? 'tenant' : 'external'} networks; network ${netId} is ${external ? 'external' : 'a tenant network'}`, 'InvalidInput');
  const targetId = str(b, 'target_tenant') ?? str(b, 'target_project');
  if (targetId === undefined) throw badRequest('Invalid input for target_tenant: it is required', 'InvalidInput');
  let target = '*';
  if (targetId !== '*') {
    const name = store.projectName(targetId);
    if (name === undefined) throw badRequest(`Invalid input for target_tenant. Reason: ${targetId} is no project vnet knows.`, 'InvalidInput');
    target = name;
  } else if (external) throw badRequest('vnet: an external network is usable by every project until an access_as_external policy names one; * adds nothing', 'InvalidInput');
  const key = `${net.key}/${action}/${target}`;
  if (tx.meta('rbac_policy', key)) throw conflict('DuplicateRbacPolicy', 'An RBAC policy already exists with those values.');
  if (external) {
    const doc = tx.doc.external_networks?.[net.key];
    if (!doc) throw badRequest(`vnet: external network ${netId} has no subnet yet; give it one first`, 'InvalidInput');
    (doc.rbac ??= []).push({ project: target, action });
  } else {
    const doc = tx.doc.networks![net.key]!;
    if (target === '*') { doc.shared = true; net.attrs.shared = true; } else (doc.rbac ??= []).push({ project: target, action });
  }
  if (target !== '*' && target !== 'admin') (tx.doc.projects ??= {})[target] ??= {};
  return tx.add('rbac_policy', key, { name: '', project: ownerOf(b, token), attrs: { network: net.key, action, target } });
}

export function deleteRbac(tx: Tx, store: Store, m: Meta, token: Token): void {
  owned(m, token);
  const net = String(m.attrs.network);
  const target = String(m.attrs.target);
  const owner = store.meta('network', net)?.project;
  // Neutron refuses to take away a grant that ports (or gateways) of the target project still use.
  const users = [...store.cloud.ports.values()].filter((p) => p.network === net && store.projectIdOf(p.project) !== owner && (target === '*' || p.project === target));
  if (users.length) throw conflict('RbacPolicyInUse', `RBAC policy on object ${store.meta('network', net)?.id ?? net} cannot be removed because other objects depend on it.`);
  if (target === '*') {
    delete tx.doc.networks![net]!.shared;
    tx.meta('network', net)!.attrs.shared = false;
  } else {
    const doc = tx.doc.networks?.[net] ?? tx.doc.external_networks?.[net];
    if (doc?.rbac) doc.rbac = doc.rbac.filter((e) => !(e.project === target && e.action === m.attrs.action));
    if (doc?.rbac?.length === 0) delete doc.rbac;
  }
  tx.remove('rbac_policy', m.key);
}
