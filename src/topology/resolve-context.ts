/**
 * The mutable state of one resolution pass: the document, the issues found so far, IPAM state
 * per subnet and external network, and the ports being built. Only resolve*.ts files use it;
 * what leaves resolution is the frozen Cloud of model.ts.
 */
import type { Ip } from '../address/ip.js';
import type { Mac } from '../address/mac.js';
import { MacAllocator } from '../ipam/mac-allocator.js';
import type { SubnetAllocator } from '../ipam/subnet-allocator.js';
import type { SubnetPlan } from '../ipam/subnet-plan.js';
import { createRng, type Rng } from '../util/rng.js';
import { IssueList, type Path } from './issue.js';
import type { AddressPair, AllocationStrategy, DeviceOwner, FixedIp, IpamProfile, PortOwnerKind, Project, RbacEntry, RouteEntry, Service } from './model.js';
import type { TopologyDoc } from './schema.js';

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
  /** This subnet as a pool to request addresses from: one object for all its ports' requests. */
  pool?: PendingAllocation['pool'];
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
  readonly allowedAddressPairs: readonly AddressPair[];
  /**
   * The subnets it waits for an address from, in request order (requestAddress). Kept on the
   * draft: a Map from 100,000 drafts to their lists was a tenth of resolving them.
   */
  pendingSubnets?: string[];
}

/** A router's ports while resolving: its interfaces, its gateway port and SNAT setting. */
export interface RouterDraft {
  readonly interfaces: string[];
  readonly gateway: PortDraft | undefined;
  readonly snat: boolean;
  /** The external network of its gateway, if it has one. */
  readonly network: string | undefined;
}

/**
 * An address still to be allocated from a pool, in the order requests were made: for a port
 * (pushed on its fixedIps) or, without one, for `assign` (floating IPs). No closure per port:
 * 100,000 of them were a tenth of the pass.
 */
export interface PendingAllocation {
  readonly owner: string;
  /** The port that will hold the address (floating IPs have none). */
  readonly port?: PortDraft;
  readonly pool: { kind: 'subnet'; state: SubnetState } | { kind: 'external'; state: ExternalState };
  readonly path: Path;
  readonly assign?: (ip: Ip) => void;
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
    this.pending.push({ owner: port.id, port, pool, path });
    if (pool.kind === 'subnet') {
      if (port.pendingSubnets) port.pendingSubnets.push(pool.state.name);
      else port.pendingSubnets = [pool.state.name];
    }
  }

  /** `fresh`: the caller knows no port has its id yet. */
  addPort(port: PortDraft, fresh = false): void {
    const replaced = fresh ? undefined : this.ports.get(port.id);
    this.ports.set(port.id, port);
    // A router's or load balancer's port may take an instance port's id: the instance keeps it.
    if (replaced?.owner.kind === 'instance' && port.owner.kind !== 'instance') this.shadowed.set(port.id, replaced);
    if (!port.external) this.networks.get(port.network)?.ports.push(port.id);
  }

  /**
   * The subnets a port waits for an address from, in request order. These indexes keep the
   * lookups per port and per instance constant-time: scanning `pending` or `ports` for each of
   * 100,000 instances' floating IPs and overlap checks took minutes.
   */
  pendingSubnetsOf(port: PortDraft): readonly string[] {
    return port.pendingSubnets ?? NONE;
  }

  /** An instance's ports, in the order they were added. */
  portsOfInstance(instance: string): readonly PortDraft[] {
    const ids = this.instances.get(instance)?.ports;
    if (ids === undefined) return NONE;
    return ids.map((id) => {
      const port = this.ports.get(id)!;
      return port.owner.kind === 'instance' ? port : this.shadowed.get(id)!;
    });
  }

  /** Whether a reference to group `g` from `project` was found good already (groupRefs). */
  groupRefChecked(g: string, project: string | null): boolean {
    return this.goodGroupRefs.get(project)?.has(g) === true;
  }

  groupRefGood(g: string, project: string | null): void {
    let good = this.goodGroupRefs.get(project);
    if (!good) this.goodGroupRefs.set(project, (good = new Set()));
    good.add(g);
  }

  private readonly goodGroupRefs = new Map<string | null, Set<string>>();

  /**
   * The Cloud's instances in file order, built as their ports are (resolveInstancePorts); their
   * services are read, and each frozen, at the end. One Map of 100,000 instances, where there
   * were three (ports by instance twice, and the Cloud's).
   */
  readonly instances = new Map<string, InstanceDraft>();
  private readonly shadowed = new Map<string, PortDraft>();
}

/** An Instance of the Cloud until resolution ends (then frozen as it is). */
export interface InstanceDraft {
  readonly name: string;
  readonly project: string;
  readonly ports: string[];
  services: readonly Service[];
}

const NONE: readonly never[] = Object.freeze([]);

export type OwnedCollection = 'networks' | 'routers' | 'security_groups' | 'network_acls' | 'instances' | 'floating_ips' | 'load_balancers';

const entryLists = new WeakMap<object, readonly [string, unknown][]>();
const keyLists = new WeakMap<object, readonly string[]>();

/**
 * The names of an optional name-keyed map, in file order, listed once per map. For the
 * instances: entries() of 100,000 (a pair per name) cost twice Object.keys and a lookup of each.
 */
export function keysOf(m: Record<string, unknown> | undefined): readonly string[] {
  if (!m) return [];
  let list = keyLists.get(m);
  if (!list) keyLists.set(m, (list = Object.keys(m)));
  return list;
}

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
