/**
 * Ports and their addresses: instance ports (short and long form), router interfaces and
 * gateways, and the two-pass address assignment. Explicit addresses are claimed first, in file
 * order, so an automatic allocation can never take an address the file asks for later; then the
 * pending requests are served from the pools in file order (deterministic). MACs come from
 * Neutron's fa:16:3e base; SLAAC addresses are derived from the MAC (EUI-64) last.
 */
import { cidrsOverlap, formatCidr } from '../../../../../src/address/cidr.js';
import { formatIp, type Ip } from '../../../../../src/address/ip.js';
import { formatMac, isMulticastMac, parseMac } from '../../../../../src/address/mac.js';
import { slaacAddress } from '../../../../../src/ipam/slaac.js';
import { suggestion } from '../../../../../src/topology/did-you-mean.js';
import type { Path } from '../../../../../src/topology/issue.js';
import type { AddressPair, FixedIp } from '../../../../../src/topology/model.js';
import { entries, type PortDraft, type ResolveContext, type RouterDraft, type SubnetState } from './resolve-context.js';
import type { PortDoc } from '../../../../../src/topology/schema.js';
import { addressAt, hostOrPrefixAt } from '../../../../../src/topology/values.js';
import { checkAttach, checkExternal, groupRefs } from './resolve-projects.js';

export function resolveInstancePorts(ctx: ResolveContext): Map<string, string[]> {
  const byInstance = new Map<string, string[]>();
  for (const [instName, inst] of entries(ctx.doc.instances)) {
    const ids: string[] = [];
    byInstance.set(instName, ids);
    if (inst.ports.length === 0) ctx.issues.error(['instances', instName, 'ports'], 'no-ports', 'an instance needs at least one port');
    inst.ports.forEach((p, i) => {
      const port = instancePort(ctx, instName, p, i);
      if (port) ids.push(port.id);
    });
  }
  return byInstance;
}

function instancePort(ctx: ResolveContext, instName: string, doc: PortDoc, index: number): PortDraft | undefined {
  const path: Path = ['instances', instName, 'ports', index];
  const long = typeof doc === 'string' ? { subnet: doc } : doc;
  const subnetPath: Path = typeof doc === 'string' ? path : [...path, 'subnet'];
  const { issues } = ctx;
  if (long.subnet !== undefined && long.fixed_ips !== undefined) {
    issues.error(path, 'port-subnet', 'give either "subnet" (with an optional "ip") or "fixed_ips", not both');
    return undefined;
  }
  if (long.subnet === undefined && long.fixed_ips === undefined) {
    issues.error(path, 'port-subnet', 'a port needs a "subnet" (or "fixed_ips")');
    return undefined;
  }
  // The requested addresses: [subnet, explicit ip?, path of the request].
  const requests: { subnet: SubnetState; ip?: string; path: Path }[] = [];
  if (long.subnet !== undefined) {
    const s = subnetNamed(ctx, long.subnet, subnetPath);
    if (!s) return undefined;
    requests.push({ subnet: s, ...(long.ip !== undefined ? { ip: long.ip } : {}), path: long.ip !== undefined ? [...path, 'ip'] : subnetPath });
  } else {
    if (long.ip !== undefined) issues.error([...path, 'ip'], 'port-ip', '"ip" goes with "subnet"; inside "fixed_ips" write { subnet, ip }');
    let bad = false;
    (long.fixed_ips ?? []).forEach((f, j) => {
      const fPath: Path = [...path, 'fixed_ips', j];
      const fl = typeof f === 'string' ? { subnet: f } : f;
      const s = subnetNamed(ctx, fl.subnet, typeof f === 'string' ? fPath : [...fPath, 'subnet']);
      if (!s) { bad = true; return; }
      requests.push({ subnet: s, ...(fl.ip !== undefined ? { ip: fl.ip } : {}), path: fl.ip !== undefined ? [...fPath, 'ip'] : fPath });
    });
    if (bad || requests.length === 0) {
      if (!bad) issues.error([...path, 'fixed_ips'], 'port-subnet', 'fixed_ips needs at least one subnet');
      return undefined;
    }
  }
  const network = requests[0]!.subnet.network;
  for (const r of requests) {
    if (r.subnet.network !== network) {
      issues.error(r.path, 'port-network', `subnet ${r.subnet.name} is on network ${r.subnet.network} but this port is on network ${network}; a port's addresses are all on one network`);
      return undefined;
    }
  }
  const project = ctx.projectOf('instances', instName);
  checkAttach(ctx, project, network, long.subnet !== undefined ? subnetPath : [...path, 'fixed_ips', 0], `instance ${instName}`);
  const portSecurity = long.port_security ?? true;
  if (!portSecurity && long.security_groups !== undefined && long.security_groups.length > 0) {
    issues.error([...path, 'security_groups'], 'port-security', 'a port with port_security: false cannot have security groups (as in Neutron)');
  }
  const groups = portSecurity ? groupRefs(ctx, long.security_groups ?? ['default'], project, () => [...path, 'security_groups'], () => `instance ${instName}`) : [];
  const pairs: AddressPair[] = [];
  (long.allowed_address_pairs ?? []).forEach((p, j) => {
    const pPath: Path = [...path, 'allowed_address_pairs', j];
    const pl = typeof p === 'string' ? { ip_address: p } : p;
    const prefix = hostOrPrefixAt(pl.ip_address, typeof p === 'string' ? pPath : [...pPath, 'ip_address'], issues);
    let mac: string | null = null;
    if (pl.mac_address !== undefined) {
      const m = parseMac(pl.mac_address);
      if (m === undefined) issues.error([...pPath, 'mac_address'], 'mac', `expected a MAC address such as fa:16:3e:00:00:01, got ${JSON.stringify(pl.mac_address)}`);
      else mac = formatMac(m);
    }
    if (prefix) pairs.push({ prefix, mac });
  });
  const name = long.name ?? `eth${index}`;
  const id = `${instName}/${name}`;
  if (ctx.ports.has(id)) {
    issues.error(long.name !== undefined ? [...path, 'name'] : path, 'duplicate-port', `instance ${instName} already has a port named ${name}`);
    return undefined;
  }
  const port: PortDraft = {
    id, name, owner: { kind: 'instance', name: instName }, project, deviceOwner: 'compute', network, external: false, path,
    mac: undefined, fixedIps: [], securityGroups: groups, portSecurity, allowedAddressPairs: pairs,
  };
  if (long.switch !== undefined) port.switchName = long.switch;
  if (long.mac !== undefined) claimMac(ctx, port, long.mac, [...path, 'mac']);
  ctx.addPort(port);
  for (const r of requests) {
    if (r.ip !== undefined) claimFixedIp(ctx, port, r.subnet, r.ip, r.path);
    else if (r.subnet.ipv6AddressMode === 'slaac' || r.subnet.ipv6AddressMode === 'dhcpv6-stateless') continue;
    else ctx.requestAddress(port, { kind: 'subnet', state: r.subnet }, r.path);
  }
  return port;
}

export function subnetNamed(ctx: ResolveContext, name: string, path: Path): SubnetState | undefined {
  const s = ctx.subnets.get(name);
  if (s) return s;
  // A subnet that failed its own checks was reported already; do not pile on.
  const declared = Object.values(ctx.doc.networks ?? {}).some((n) => n.subnets[name] !== undefined);
  if (!declared) {
    const all = Object.values(ctx.doc.networks ?? {}).flatMap((n) => Object.keys(n.subnets));
    ctx.issues.error(path, 'unknown-subnet', `no subnet named "${name}"${suggestion(name, all)}`);
  }
  return undefined;
}

function claimMac(ctx: ResolveContext, port: PortDraft, text: string, path: Path): void {
  const mac = parseMac(text);
  if (mac === undefined) {
    ctx.issues.error(path, 'mac', `expected a MAC address such as fa:16:3e:00:00:01, got ${JSON.stringify(text)}`);
    return;
  }
  if (isMulticastMac(mac)) {
    ctx.issues.error(path, 'mac', `${formatMac(mac)} is a multicast address (lowest bit of the first octet set); a port needs a unicast MAC`);
    return;
  }
  let seen = ctx.macsByNetwork.get(port.network);
  if (!seen) ctx.macsByNetwork.set(port.network, (seen = new Map()));
  const owner = seen.get(mac);
  if (owner !== undefined) {
    ctx.issues.error(path, 'duplicate-mac', `MAC ${formatMac(mac)} is already used by ${owner} on network ${port.network}`);
    return;
  }
  seen.set(mac, port.id);
  // The cloud-wide allocator only needs to know the MAC is taken (generation skips it).
  ctx.macs.claim(mac, port.id);
  port.mac = mac;
}

export function claimFixedIp(ctx: ResolveContext, port: PortDraft, subnet: SubnetState, text: string, path: Path): Ip | undefined {
  const a = addressAt(text, path, ctx.issues);
  if (!a) return undefined;
  const mode = subnet.ipv6AddressMode;
  if ((mode === 'slaac' || mode === 'dhcpv6-stateless') && port.deviceOwner !== 'router_interface') {
    // Neutron's AllocationOnAutoAddressSubnet: only router interfaces choose an address there.
    ctx.issues.error(path, 'fixed-ip-on-auto-address-subnet',
      `subnet ${subnet.name} is ${mode}: a port's address there comes from its MAC (EUI-64), so it cannot be given as ${a.text} (Neutron refuses it too); ` +
      `leave the ip out, or set the port's mac to choose the address`);
    return undefined;
  }
  // The gateway address is a fixed IP like any other while no router interface holds it (Neutron).
  const r = subnet.allocator.claim(a.ip, port.id);
  if (!r.ok) {
    ctx.issues.error(path, `ip-${r.error.code}`, `${r.error.message} (subnet ${subnet.name})`);
    return undefined;
  }
  port.fixedIps.push({ subnet: subnet.name, address: { text: formatIp(a.ip), ip: a.ip } });
  return a.ip;
}

/** Router interfaces (qr- ports) and the external gateway (qg- port). */
export function resolveRouterPorts(ctx: ResolveContext): Map<string, RouterDraft> {
  const out = new Map<string, RouterDraft>();
  for (const [name, r] of entries(ctx.doc.routers)) {
    const path: Path = ['routers', name];
    const project = ctx.projectOf('routers', name);
    const interfaces: string[] = [];
    const attached: SubnetState[] = [];
    (r.interfaces ?? []).forEach((iface, i) => {
      const iPath: Path = [...path, 'interfaces', i];
      const subnetName = typeof iface === 'string' ? iface : iface.subnet;
      const s = subnetNamed(ctx, subnetName, typeof iface === 'string' ? iPath : [...iPath, 'subnet']);
      if (!s) return;
      checkAttach(ctx, project, s.network, typeof iface === 'string' ? iPath : [...iPath, 'subnet'], `router ${name}`);
      const clash = attached.find((o) => cidrsOverlap(o.plan.cidr, s.plan.cidr));
      if (clash) {
        const what = clash === s ? `router ${name} is already on subnet ${s.name}` : `subnet ${s.name} (${formatCidr(s.plan.cidr)}) overlaps subnet ${clash.name} (${formatCidr(clash.plan.cidr)}), which router ${name} is already on`;
        ctx.issues.error(iPath, 'router-overlap', what);
        return;
      }
      attached.push(s);
      const port: PortDraft = {
        id: `${name}/qr-${s.name}`, name: `qr-${s.name}`, owner: { kind: 'router', name }, project, deviceOwner: 'router_interface',
        network: s.network, external: false, path: iPath, mac: undefined, fixedIps: [], securityGroups: [], portSecurity: false, allowedAddressPairs: [],
        ...(typeof iface !== 'string' && iface.switch !== undefined ? { switchName: iface.switch } : {}),
      };
      if (typeof iface !== 'string' && iface.ip !== undefined) {
        if (claimFixedIp(ctx, port, s, iface.ip, [...iPath, 'ip']) === undefined) return;
      } else {
        const gw = s.plan.gateway;
        if (!gw) {
          ctx.issues.error(iPath, 'no-gateway', `subnet ${s.name} has no gateway address (gateway: null); give this interface an address: { subnet: ${s.name}, ip: ... }`);
          return;
        }
        if (!s.allocator.claimGateway(port.id).ok) {
          // Taken: by another router's interface, or by a port given it as a fixed IP (Neutron
          // allows that while no router holds it, and then refuses the router: IpAddressInUse).
          const holder = ctx.ports.get(s.allocator.ownerOf(gw) ?? '');
          const who = holder?.owner.kind === 'router' ? `router ${holder.owner.name}` : `port ${holder?.id ?? 'unknown'}, which has it as a fixed IP`;
          ctx.issues.error(iPath, 'gateway-taken', `the gateway ${formatIp(gw)} of subnet ${s.name} already belongs to ${who}; give this interface another address: { subnet: ${s.name}, ip: ... }`);
          return;
        }
        s.gatewayOwner = name;
        port.fixedIps.push({ subnet: s.name, address: { text: formatIp(gw), ip: gw } });
      }
      ctx.addPort(port);
      interfaces.push(port.id);
    });
    let gateway: PortDraft | undefined;
    const eg = r.external_gateway;
    if (eg) {
      const ext = ctx.externals.get(eg.network);
      if (!ext) {
        if (!ctx.doc.external_networks?.[eg.network]) {
          ctx.issues.error([...path, 'external_gateway', 'network'], 'unknown-external-network', `no external network named "${eg.network}"${suggestion(eg.network, Object.keys(ctx.doc.external_networks ?? {}))}`);
        }
      } else {
        checkExternal(ctx, project, ext.name, [...path, 'external_gateway', 'network'], `router ${name}`);
        gateway = {
          id: `${name}/qg-${eg.network}`, name: `qg-${eg.network}`, owner: { kind: 'router', name }, project, deviceOwner: 'router_gateway',
          network: eg.network, external: true, path: [...path, 'external_gateway'], mac: undefined, fixedIps: [], securityGroups: [], portSecurity: false, allowedAddressPairs: [],
        };
        ctx.addPort(gateway);
        if (eg.ip !== undefined) claimExternal(ctx, gateway, ext.name, eg.ip, [...path, 'external_gateway', 'ip']);
        else ctx.requestAddress(gateway, { kind: 'external', state: ext }, [...path, 'external_gateway']);
      }
    }
    out.set(name, { interfaces, gateway, snat: eg?.snat ?? true, network: eg?.network });
  }
  return out;
}

export function claimExternal(ctx: ResolveContext, port: PortDraft | undefined, network: string, text: string, path: Path, owner?: string): Ip | undefined {
  const ext = ctx.externals.get(network)!;
  const a = addressAt(text, path, ctx.issues);
  if (!a) return undefined;
  const gw = ext.plan.gateway;
  if (gw && gw.version === a.ip.version && gw.value === a.ip.value) {
    ctx.issues.error(path, 'ip-gateway', `${a.text} is the gateway of external network ${network}`);
    return undefined;
  }
  const r = ext.allocator.claim(a.ip, owner ?? port?.id ?? network);
  if (!r.ok) {
    ctx.issues.error(path, `ip-${r.error.code}`, `${r.error.message} (external network ${network})`);
    return undefined;
  }
  port?.fixedIps.push({ subnet: network, address: { text: formatIp(a.ip), ip: a.ip } });
  return a.ip;
}

/** Pass two: serve the pending requests from the pools, then MACs, then SLAAC addresses. */
export function allocatePending(ctx: ResolveContext): void {
  const exhausted = new Map<string, { message: string; path: import('../../../../../src/topology/issue.js').Path; more: number }>();
  for (const req of ctx.pending) {
    const { state } = req.pool;
    const full = exhausted.get(`${req.pool.kind}|${state.name}`);
    if (full) {
      // One error per exhausted pool, not one per port that found it empty.
      full.more++;
      continue;
    }
    const owner = req.owner;
    const result = req.pool.kind === 'subnet' && req.pool.state.allocation === 'neutron'
      ? state.allocator.allocate(owner, 'neutron', ctx.rngFor(state.name))
      : state.allocator.allocate(owner, 'lowest');
    if (!result.ok) {
      const where = req.pool.kind === 'subnet' ? `subnet ${state.name}` : `external network ${state.name}`;
      if (result.error.code === 'exhausted') exhausted.set(`${req.pool.kind}|${state.name}`, { message: `${where}: ${result.error.message}`, path: req.path, more: 0 });
      else ctx.issues.error(req.path, `ip-${result.error.code}`, `${where}: ${result.error.message}`);
      continue;
    }
    req.assign(result.ip);
  }
  for (const e of exhausted.values()) {
    ctx.issues.error(e.path, 'ip-exhausted', e.more > 0 ? `${e.message}; ${e.more} more request${e.more === 1 ? '' : 's'} after this one found it empty too` : e.message);
  }
  for (const port of ctx.ports.values()) {
    if (port.mac !== undefined) continue;
    const r = ctx.macs.allocate(port.id);
    if (r.ok) port.mac = r.mac;
    else ctx.issues.error(port.path, `mac-${r.error.code}`, r.error.message);
  }
  // Neutron gives every port on a network an address on its auto-address (SLAAC) subnets.
  for (const port of ctx.ports.values()) {
    if (port.external || port.deviceOwner !== 'compute') continue;
    for (const name of ctx.networks.get(port.network)?.subnets ?? []) {
      const s = ctx.subnets.get(name)!;
      if (s.ipv6AddressMode !== 'slaac' && s.ipv6AddressMode !== 'dhcpv6-stateless') continue;
      if (port.fixedIps.some((f: FixedIp) => f.subnet === name)) continue;
      const ip = slaacAddress(s.plan.cidr, port.mac!);
      const r = s.allocator.claim(ip, port.id);
      if (!r.ok) {
        ctx.issues.error(port.path, 'ip-slaac', `the SLAAC address ${formatIp(ip)} of this port on subnet ${name} is not free: ${r.error.message}`);
        continue;
      }
      port.fixedIps.push({ subnet: name, address: { text: formatIp(ip), ip } });
    }
  }
}
