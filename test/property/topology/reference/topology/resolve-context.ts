/**
 * The mutable state of one resolution pass: the document, the issues found so far, IPAM state
 * per subnet and external network, and the ports being built. Only resolve*.ts files use it;
 * what leaves resolution is the frozen Cloud of model.ts.
 */
import { formatIp, type Ip } from '../../../../../src/address/ip.js';
import type { Mac } from '../../../../../src/address/mac.js';
import { MacAllocator } from '../ipam/mac-allocator.js';
import type { SubnetAllocator } from '../ipam/subnet-allocator.js';
import type { SubnetPlan } from '../../../../../src/ipam/subnet-plan.js';
import { createRng, type Rng } from '../../../../../src/util/rng.js';
import { IssueList, type Path } from '../../../../../src/topology/issue.js';
import type { AddressPair, AllocationStrategy, DeviceOwner, FixedIp, IpamProfile, PortOwnerKind, Project, RbacEntry, RouteEntry, Service } from '../../../../../src/topology/model.js';
import type { TopologyDoc } from '../../../../../src/topology/schema.js';

export interface SubnetState {
  readonly name: string;
  readonly network: string;
  readonly path: Path;
  readonly plan: SubnetPlan;
  readonly allocator: SubnetAllocator;
  readonly profile: IpamProfile;
  readonly allocation: AllocationStrategy;
  readonly ipv6AddressMode: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless' | null;
  readonly dns: readonly { text: string; ip: Ip }[];
  readonly hostRoutes: readonly RouteEntry[];
  /** Who holds the gateway address (a router), if anyone. */
  gatewayOwner: string | undefined;
  networkAcl: string | null;
}

export interface ExternalState {
  readonly name: string;
  readonly project: string;
  readonly rbac: readonly RbacEntry[];
  readonly path: Path;
  readonly plan: SubnetPlan;
  readonly allocator: SubnetAllocator;
}

export interface NetworkState {
  readonly name: string;
  /** Null when the file names a project that does not exist (reported; ownership checks skip it). */
  readonly project: string | null;
  readonly shared: boolean;
  readonly rbac: readonly RbacEntry[];
  readonly subnets: string[];
  readonly arpResponder: boolean;
  readonly mtu: number;
  readonly ports: string[];
  readonly switches: string[];
  readonly links: [string, string][];
}

/** A port while it is being built: addresses may still be pending. */
export interface PortDraft {
  readonly id: string;
  readonly name: string;
  readonly owner: { readonly kind: PortOwnerKind; readonly name: string };
  /** Null when its owner names an unknown project. */
  readonly project: string | null;
  readonly deviceOwner: DeviceOwner;
  readonly network: string;
  readonly external: boolean;
  readonly path: Path;
  /** The fabric switch, when the file names one (resolved against the network at the end). */
  switchName?: string;
  mac: Mac | undefined;
  readonly fixedIps: FixedIp[];
  readonly securityGroups: string[];
  readonly portSecurity: boolean;
  readonly allowedAddressPairs: AddressPair[];
}

/** A router's ports while resolving: its interfaces, its gateway port and SNAT setting. */
export interface RouterDraft {
  readonly interfaces: string[];
  readonly gateway: PortDraft | undefined;
  readonly snat: boolean;
  /** The external network of its gateway, if it has one. */
  readonly network: string | undefined;
}

/** An address still to be allocated from a pool, in the order requests were made. */
export interface PendingAllocation {
  readonly owner: string;
  /** The port that will hold the address (floating IPs have none). */
  readonly port?: PortDraft;
  readonly pool: { kind: 'subnet'; state: SubnetState } | { kind: 'external'; state: ExternalState };
  readonly path: Path;
  readonly assign: (ip: Ip) => void;
}

export class ResolveContext {
  readonly issues = new IssueList();
  readonly subnets = new Map<string, SubnetState>();
  readonly externals = new Map<string, ExternalState>();
  readonly networks = new Map<string, NetworkState>();
  readonly ports = new Map<string, PortDraft>();
  readonly pending: PendingAllocation[] = [];
  /** Generated MACs are unique in the whole cloud; explicit ones must be unique per network. */
  readonly macs = new MacAllocator();
  readonly macsByNetwork = new Map<string, Map<Mac, string>>();
  readonly seed: number;
  /** The projects (resolve-projects.ts), admin first. */
  readonly projects = new Map<string, Project>();
  /** `collection/name` → the resource's project, or null when the file names an unknown one. */
  readonly owners = new Map<string, string | null>();
  /** `networks/name` or `external_networks/name` → its valid rbac entries. */
  readonly rbac = new Map<string, RbacEntry[]>();

  constructor(readonly doc: TopologyDoc) {
    this.seed = doc.seed ?? 1;
  }

  private readonly rngs = new Map<string, Rng>();

  /** The project of a resource of the file (admin unless it names one); null when that one is unknown. */
  projectOf(collection: OwnedCollection, name: string): string | null {
    // A file without projects (most, and every large one) asks 100,000s of times: no key to build.
    if (this.owners.size === 0) return 'admin';
    const key = `${collection}/${name}`;
    const owner = this.owners.get(key);
    return owner !== undefined ? owner : this.owners.has(key) ? null : 'admin';
  }

  /** Services already read, by their text (valid ones that raised no issue). */
  readonly services = new Map<string, Service>();

  /** A per-subnet random stream, so one subnet's Neutron-style picks do not depend on another's. */
  rngFor(subnet: string): Rng {
    let rng = this.rngs.get(subnet);
    if (!rng) {
      let h = 2166136261;
      for (let i = 0; i < subnet.length; i++) h = Math.imul(h ^ subnet.charCodeAt(i), 16777619);
      this.rngs.set(subnet, (rng = createRng((this.seed ^ h) >>> 0)));
    }
    return rng;
  }

  /** Queue an address for a port from a pool (served in pass two, in request order). */
  requestAddress(port: PortDraft, pool: PendingAllocation['pool'], path: Path): void {
    this.pending.push({ owner: port.id, port, pool, path, assign: (ip) => port.fixedIps.push({ subnet: pool.state.name, address: { text: formatIp(ip), ip } }) });
    if (pool.kind === 'subnet') {
      const list = this.pendingByPort.get(port);
      if (list) list.push(pool.state.name);
      else this.pendingByPort.set(port, [pool.state.name]);
    }
  }

  addPort(port: PortDraft): void {
    const replaced = this.ports.get(port.id);
    this.ports.set(port.id, port);
    if (!port.external) this.networks.get(port.network)?.ports.push(port.id);
    if (port.owner.kind === 'instance') {
      const list = this.portsByInstance.get(port.owner.name) ?? [];
      // A port id set again keeps its place, as in `ports`.
      const at = replaced ? list.indexOf(replaced) : -1;
      if (at >= 0) list[at] = port;
      else list.push(port);
      this.portsByInstance.set(port.owner.name, list);
    }
  }

  /**
   * The subnets a port waits for an address from, in request order. These indexes keep the
   * lookups per port and per instance constant-time: scanning `pending` or `ports` for each of
   * 100,000 instances' floating IPs and overlap checks took minutes.
   */
  pendingSubnetsOf(port: PortDraft): readonly string[] {
    return this.pendingByPort.get(port) ?? [];
  }

  /** An instance's ports, in the order they were added (as `ports` holds them). */
  portsOfInstance(instance: string): readonly PortDraft[] {
    return this.portsByInstance.get(instance) ?? [];
  }

  private readonly pendingByPort = new Map<PortDraft, string[]>();
  private readonly portsByInstance = new Map<string, PortDraft[]>();
}

export type OwnedCollection = 'networks' | 'routers' | 'security_groups' | 'network_acls' | 'instances' | 'floating_ips' | 'load_balancers';

const entryLists = new WeakMap<object, readonly [string, unknown][]>();

/**
 * Entries of an optional name-keyed map, in file order. Listed once per map: the passes walk
 * the instances several times, and Object.entries of a 100,000-key object (the parser's, in
 * dictionary mode) costs a quarter of a second each time.
 */
export function entries<T>(m: Record<string, T> | undefined): readonly [string, T][] {
  if (!m) return [];
  let list = entryLists.get(m);
  if (!list) entryLists.set(m, (list = Object.entries(m)));
  return list as readonly [string, T][];
}
