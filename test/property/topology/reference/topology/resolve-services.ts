/**
 * What sits on top of ports: instances' services, floating IPs (Neutron: a FIP needs a router
 * with a gateway on its external network and an interface on the port's subnet), load
 * balancers (a VIP port on a subnet, listeners → pools → members) and external hosts.
 */
import { cidrContains } from '../../../../../src/address/cidr.js';
import { formatIp, type Ip } from '../../../../../src/address/ip.js';
import { suggestion } from '../../../../../src/topology/did-you-mean.js';
import type { Path } from '../../../../../src/topology/issue.js';
import type { Address, ExternalHost, FloatingIp, LbPool, LoadBalancer, PoolMember, PortForwarding, Service } from '../../../../../src/topology/model.js';
import { entries, type PortDraft, type ResolveContext, type RouterDraft } from './resolve-context.js';
import { claimExternal, claimFixedIp, subnetNamed } from './resolve-ports.js';
import type { MemberDoc } from '../../../../../src/topology/schema.js';
import { addressAt, serviceAt } from '../../../../../src/topology/values.js';
import { ADMIN_PROJECT } from '../../../../../src/topology/projects.js';
import { checkAttach, checkExternal, groupRefs } from './resolve-projects.js';

type RouterPorts = ReadonlyMap<string, RouterDraft>;

/** `path` is asked for only when a service has an issue. */
export function resolveServices(ctx: ResolveContext, docs: string[] | undefined, path: () => Path): Service[] {
  const out: Service[] = [];
  (docs ?? []).forEach((s, i) => {
    // A large cloud repeats a few services (tcp/22) on every instance: each text is read once.
    const known = ctx.services.get(s);
    if (known) { out.push(known); return; }
    const before = ctx.issues.items.length;
    const v = serviceAt(s, [...path(), i], ctx.issues);
    if (v) out.push(v);
    if (v && ctx.issues.items.length === before) ctx.services.set(s, v);
  });
  return out;
}

/** Load balancers: VIP ports now (claims), VIP addresses and members after allocation. */
export function resolveLoadBalancerPorts(ctx: ResolveContext): Map<string, PortDraft> {
  const vips = new Map<string, PortDraft>();
  for (const [name, lb] of entries(ctx.doc.load_balancers)) {
    const path: Path = ['load_balancers', name];
    const s = subnetNamed(ctx, lb.subnet, [...path, 'subnet']);
    if (!s) continue;
    const project = ctx.projectOf('load_balancers', name);
    checkAttach(ctx, project, s.network, [...path, 'subnet'], `load balancer ${name}`);
    // Without groups of its own the VIP port is open, and the listeners decide what is served.
    const groups = groupRefs(ctx, lb.security_groups ?? [], project, [...path, 'security_groups'], `load balancer ${name}`);
    const port: PortDraft = {
      id: `${name}/vip`, name: 'vip', owner: { kind: 'load_balancer', name }, project, deviceOwner: 'lb_vip', network: s.network, external: false,
      path, mac: undefined, fixedIps: [], securityGroups: groups, portSecurity: groups.length > 0, allowedAddressPairs: [],
    };
    ctx.addPort(port);
    if (lb.vip !== undefined) {
      if (claimFixedIp(ctx, port, s, lb.vip, [...path, 'vip']) === undefined) continue;
    } else {
      ctx.requestAddress(port, { kind: 'subnet', state: s }, [...path, 'subnet']);
    }
    vips.set(name, port);
  }
  return vips;
}

export function resolveLoadBalancers(ctx: ResolveContext, vips: Map<string, PortDraft>, instancePorts: Map<string, string[]>): Map<string, LoadBalancer> {
  const out = new Map<string, LoadBalancer>();
  for (const [name, lb] of entries(ctx.doc.load_balancers)) {
    const path: Path = ['load_balancers', name];
    const vipPort = vips.get(name);
    const vip = vipPort?.fixedIps[0]?.address;
    if (!vipPort || !vip) continue;
    const pools: LbPool[] = [];
    for (const [poolName, pool] of entries(lb.pools)) {
      const pPath: Path = [...path, 'pools', poolName];
      const members: PoolMember[] = [];
      pool.members.forEach((m, i) => {
        const member = resolveMember(ctx, m, [...pPath, 'members', i], lb.subnet, instancePorts, listenerPortFor(lb.listeners, poolName));
        if (member) members.push(member);
      });
      const hm = pool.health_monitor;
      pools.push({
        name: poolName, algorithm: pool.algorithm ?? 'round_robin', members,
        healthMonitor: hm ? { type: hm.type, interval: hm.interval ?? 5, timeout: hm.timeout ?? 2, retries: hm.retries ?? 3, retriesDown: hm.retries_down ?? hm.retries ?? 3, urlPath: hm.url_path ?? '/' } : null,
      });
    }
    const seen = new Set<string>();
    lb.listeners.forEach((l, i) => {
      const lPath: Path = [...path, 'listeners', i];
      if (!lb.pools[l.pool]) ctx.issues.error([...lPath, 'pool'], 'unknown-pool', `no pool named "${l.pool}" in load balancer ${name}${suggestion(l.pool, Object.keys(lb.pools))}`);
      const key = `${l.protocol === 'udp' ? 'udp' : 'tcp'}/${l.port}`;
      if (seen.has(key)) ctx.issues.error([...lPath, 'port'], 'listener-duplicate', `load balancer ${name} already has a listener on ${key}`);
      seen.add(key);
    });
    out.set(name, { name, project: ctx.projectOf('load_balancers', name) ?? ADMIN_PROJECT, subnet: lb.subnet, vip, vipPort: vipPort.id, mode: lb.mode ?? 'dnat', listeners: lb.listeners.map((l) => ({ ...l })), pools });
  }
  return out;
}

function listenerPortFor(listeners: { port: number; pool: string }[], pool: string): number | undefined {
  return listeners.find((l) => l.pool === pool)?.port;
}

function resolveMember(ctx: ResolveContext, doc: MemberDoc, path: Path, lbSubnet: string, instancePorts: Map<string, string[]>, listenerPort: number | undefined): PoolMember | undefined {
  const m = typeof doc === 'string' ? { instance: doc } : doc;
  const instPath: Path = typeof doc === 'string' ? path : [...path, 'instance'];
  const portIds = instancePorts.get(m.instance);
  if (!portIds) {
    if (!ctx.doc.instances?.[m.instance]) ctx.issues.error(instPath, 'unknown-instance', `no instance named "${m.instance}"${suggestion(m.instance, Object.keys(ctx.doc.instances ?? {}))}`);
    return undefined;
  }
  // Octavia members have an address on a subnet: prefer the instance's address on the LB's subnet.
  const ports = portIds.map((id) => ctx.ports.get(id)!);
  const onSubnet = ports.flatMap((p) => p.fixedIps.filter((f) => f.subnet === lbSubnet).map((f) => ({ p, f })));
  const any = ports.flatMap((p) => p.fixedIps.map((f) => ({ p, f })));
  const pick = onSubnet[0] ?? any[0];
  if (!pick) return undefined;
  const protocolPort = m.port ?? listenerPort;
  if (protocolPort === undefined) {
    ctx.issues.error(path, 'member-port', 'no listener uses this pool, so the member needs an explicit port');
    return undefined;
  }
  return { instance: m.instance, port: pick.p.id, address: pick.f.address, protocolPort, weight: m.weight ?? 1, adminStateUp: m.admin_state_up ?? true };
}

/** Floating IPs: explicit addresses are claimed now, the rest queued for pass two. */
export function resolveFloatingIpClaims(ctx: ResolveContext, routers: RouterPorts, vips: Map<string, PortDraft>): Map<string, FipDraft> {
  const out = new Map<string, FipDraft>();
  const byFixed = new Map<string, string>();
  for (const [name, f] of entries(ctx.doc.floating_ips)) {
    const path: Path = ['floating_ips', name];
    const ext = ctx.externals.get(f.network);
    if (!ext) {
      if (!ctx.doc.external_networks?.[f.network]) {
        const hint = ctx.doc.networks?.[f.network] ? ` (${f.network} is a tenant network; floating IPs come from external networks)` : suggestion(f.network, Object.keys(ctx.doc.external_networks ?? {}));
        ctx.issues.error([...path, 'network'], 'unknown-external-network', `no external network named "${f.network}"${hint}`);
      }
      continue;
    }
    if (ext.plan.cidr.version !== 4) {
      ctx.issues.error([...path, 'network'], 'fip-version', `external network ${f.network} is IPv6; floating IPs are IPv4 addresses (as in Neutron)`);
      continue;
    }
    if (f.port !== undefined && f.load_balancer !== undefined) {
      ctx.issues.error(path, 'fip-target', 'give one of port and load_balancer, not both');
      continue;
    }
    const project = ctx.projectOf('floating_ips', name);
    checkExternal(ctx, project, f.network, [...path, 'network'], `floating IP ${name}`);
    let port: PortDraft | undefined;
    if (f.port !== undefined) port = portByReference(ctx, f.port, [...path, 'port']);
    else if (f.load_balancer !== undefined) {
      port = vips.get(f.load_balancer);
      if (!port && !ctx.doc.load_balancers?.[f.load_balancer]) {
        ctx.issues.error([...path, 'load_balancer'], 'unknown-load-balancer', `no load balancer named "${f.load_balancer}"${suggestion(f.load_balancer, Object.keys(ctx.doc.load_balancers ?? {}))}`);
      }
    }
    if (port && project !== null && port.project !== null && port.project !== project) {
      const what = port.owner.kind === 'load_balancer' ? `load balancer ${port.owner.name}` : `port ${port.id}`;
      ctx.issues.error([...path, f.port !== undefined ? 'port' : 'load_balancer'], 'project-fip', `${what} belongs to project ${port.project} and floating IP ${name} to project ${project}: a floating IP maps only a port of its own project`);
    }
    // Neither port, load balancer nor forwardings: an address held in reserve, as a Neutron
    // floating IP that is not associated (status DOWN); it maps nothing until it is.
    if ((f.port !== undefined || f.load_balancer !== undefined) && !port) continue;
    const draft: FipDraft = { name, project: project ?? ADMIN_PROJECT, network: f.network, path, port, address: undefined, router: undefined };
    if (port) {
      const key = port.id;
      const other = byFixed.get(key);
      if (other) {
        ctx.issues.error(path, 'fip-duplicate', `port ${port.id} already has floating IP ${other}; Neutron maps one floating IP to one fixed address`);
        continue;
      }
      byFixed.set(key, name);
      draft.router = routerFor(ctx, port, f.network, routers, path);
    }
    if (f.ip !== undefined) {
      const ip = claimExternal(ctx, undefined, f.network, f.ip, [...path, 'ip'], `floating IP ${name}`);
      if (ip) draft.address = { text: formatIp(ip), ip };
    } else {
      ctx.pending.push({ owner: `floating IP ${name}`, pool: { kind: 'external', state: ext }, path, assign: (ip: Ip) => { draft.address = { text: formatIp(ip), ip }; } });
    }
    out.set(name, draft);
  }
  return out;
}

export interface FipDraft {
  readonly name: string;
  readonly project: string;
  readonly network: string;
  readonly path: Path;
  readonly port: PortDraft | undefined;
  address: Address | undefined;
  router: string | undefined;
}

/** `web-1` (its first port) or `web-1/eth1`. */
function portByReference(ctx: ResolveContext, ref: string, path: Path): PortDraft | undefined {
  const slash = ref.indexOf('/');
  const inst = slash < 0 ? ref : ref.slice(0, slash);
  const portName = slash < 0 ? undefined : ref.slice(slash + 1);
  if (portName !== undefined && (portName === '' || portName.includes('/'))) {
    ctx.issues.error(path, 'port-reference', `expected an instance (web-1) or an instance's port (web-1/eth1), got ${JSON.stringify(ref)}`);
    return undefined;
  }
  if (!ctx.doc.instances?.[inst]) {
    ctx.issues.error(path, 'unknown-instance', `no instance named "${inst}"${suggestion(inst, Object.keys(ctx.doc.instances ?? {}))}`);
    return undefined;
  }
  const ports = ctx.portsOfInstance(inst);
  if (portName === undefined) return ports[0];
  const port = ports.find((p) => p.name === portName);
  if (!port) ctx.issues.error(path, 'unknown-port', `instance ${inst} has no port named "${portName}"${suggestion(portName, ports.map((p) => p.name))}`);
  return port;
}

const routerIndexes = new WeakMap<RouterPorts, Map<string, Map<string, [number, string]>>>();

/**
 * Subnet → the first router (its place in file order, its name) with a gateway on `network` and
 * an interface on that subnet. Built once per network: scanning every router's interfaces for
 * each of 5,000 floating IPs cost a second. Router interfaces have their addresses by now
 * (claimed when the routers were resolved; none waits for a pool).
 */
function firstRouterBySubnet(ctx: ResolveContext, routers: RouterPorts, network: string): Map<string, [number, string]> {
  let byNetwork = routerIndexes.get(routers);
  if (!byNetwork) routerIndexes.set(routers, (byNetwork = new Map()));
  let index = byNetwork.get(network);
  if (!index) {
    index = new Map();
    let i = 0;
    for (const [name, r] of routers) {
      const at = i++;
      if (r.network !== network || !r.gateway) continue;
      for (const id of r.interfaces) for (const f of ctx.ports.get(id)!.fixedIps) if (!index.has(f.subnet)) index.set(f.subnet, [at, name]);
    }
    byNetwork.set(network, index);
  }
  return index;
}

/** Neutron: the port's subnet must be on a router whose gateway is on the FIP's network. */
function routerFor(ctx: ResolveContext, port: PortDraft, network: string, routers: RouterPorts, path: Path): string | undefined {
  const subnets = new Set(port.fixedIps.map((f) => f.subnet));
  for (const s of ctx.pendingSubnetsOf(port)) subnets.add(s);
  if (![...subnets].some((s) => ctx.subnets.get(s)?.plan.cidr.version === 4)) {
    ctx.issues.error(path, 'fip-no-ipv4', `port ${port.id} has no IPv4 address; a floating IP maps to a port's IPv4 address`);
    return undefined;
  }
  // The first router (in file order) with a gateway on the network and an interface on one of the subnets.
  const first = firstRouterBySubnet(ctx, routers, network);
  let best: [number, string] | undefined;
  for (const sub of subnets) {
    const r = first.get(sub);
    if (r && (!best || r[0] < best[0])) best = r;
  }
  if (best) return best[1];
  ctx.issues.error(path, 'fip-unreachable', `external network ${network} is not reachable from port ${port.id} (subnets ${[...subnets].join(', ') || 'none'}): no router has a gateway on ${network} and an interface on that subnet`);
  return undefined;
}

export function finishFloatingIps(ctx: ResolveContext, drafts: Map<string, FipDraft>, routers: RouterPorts): Map<string, FloatingIp> {
  const out = new Map<string, FloatingIp>();
  for (const [name, d] of drafts) {
    if (!d.address) continue;
    const fixed = d.port?.fixedIps.find((f) => f.address.ip.version === 4)?.address ?? null;
    const pf: PortForwarding[] = [];
    (ctx.doc.floating_ips?.[name]?.port_forwardings ?? []).forEach((p, i) => {
      const pPath: Path = [...d.path, 'port_forwardings', i];
      let internal: Address | undefined = fixed ?? undefined;
      if (p.internal_ip !== undefined) internal = addressAt(p.internal_ip, [...pPath, 'internal_ip'], ctx.issues);
      if (!internal) {
        if (p.internal_ip === undefined) ctx.issues.error(pPath, 'pf-internal', 'a port forwarding on a floating IP without a port needs internal_ip');
        return;
      }
      // Addresses repeat across projects' address spaces: the target is a port of the floating IP's own project.
      const holders = [...ctx.ports.values()].filter((port) => port.deviceOwner === 'compute' && port.fixedIps.some((f) => f.address.text === internal!.text));
      const owner = holders.find((port) => port.project === d.project);
      if (!owner) {
        const elsewhere = holders[0];
        if (elsewhere) ctx.issues.error([...pPath, 'internal_ip'], 'project-fip', `${internal.text} is port ${elsewhere.id}'s, of project ${elsewhere.project}; floating IP ${name} belongs to project ${d.project}: a port forwarding reaches only its own project's ports`);
        else ctx.issues.error([...pPath, 'internal_ip'], 'pf-internal', `no instance port has the address ${internal.text}`);
        return;
      }
      // A forwarding-only floating IP still needs a router between its network and the target.
      if (!d.router) d.router = routerFor(ctx, owner, d.network, routers, pPath);
      if (!d.router) return;
      pf.push({ protocol: p.protocol, externalPort: p.external_port, internalPort: p.internal_port, internalAddress: internal });
    });
    out.set(name, { name, project: d.project, network: d.network, address: d.address, port: d.port?.id ?? null, fixedAddress: fixed, router: d.router ?? null, portForwardings: pf });
  }
  return out;
}

export function resolveExternalHosts(ctx: ResolveContext): Map<string, ExternalHost> {
  const out = new Map<string, ExternalHost>();
  for (const [name, h] of entries(ctx.doc.external_hosts)) {
    const path: Path = ['external_hosts', name];
    const address = addressAt(h.ip, [...path, 'ip'], ctx.issues);
    if (!address) continue;
    const inside = [...ctx.subnets.values()].find((s) => cidrContains(s.plan.cidr, address.ip))?.name
      ?? [...ctx.externals.values()].find((e) => cidrContains(e.plan.cidr, address.ip))?.name;
    if (inside) {
      ctx.issues.error([...path, 'ip'], 'external-host-inside', `${address.text} lies inside ${inside}; external hosts live on the internet, outside every subnet and external network`);
      continue;
    }
    out.set(name, { name, project: ADMIN_PROJECT, address, services: resolveServices(ctx, h.services, () => [...path, 'services']) });
  }
  return out;
}
