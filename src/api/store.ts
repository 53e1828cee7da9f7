/**
 * The API's state: a topology document (the file format's plain object) plus what Neutron
 * keeps beside it (IDs, display names, descriptions, tags, projects, timestamps). Every change
 * is a transaction on a copy of both; the copy is loaded with the same loader as a file
 * (parseTopology) and either becomes the state or is thrown away with the loader's issues as
 * a Neutron error. After each change the allocated addresses and MACs are written into the
 * document, so deleting one port never moves another's address (Neutron's addresses are stable).
 */
import { stringify } from 'yaml';
import { parseTopology } from '../topology/load.js';
import type { Cloud } from '../topology/model.js';
import type { Issue } from '../topology/issue.js';
import { formatPath } from '../topology/issue.js';
import { PROJECT_DEFAULT_GROUP, type TopologyDoc } from '../topology/schema.js';
import { ADMIN_PROJECT } from '../topology/projects.js';
import { DEFAULT_USERS, projectId } from './identity.js';
import { stableId } from './ids.js';
import { ApiError } from './types.js';

export type Kind = 'network' | 'subnet' | 'port' | 'router' | 'security_group' | 'security_group_rule' | 'floatingip'
  | 'loadbalancer' | 'listener' | 'pool' | 'member' | 'healthmonitor' | 'server' | 'rbac_policy';

/** What Neutron keeps about a resource that the topology format does not hold. */
export interface Meta {
  readonly id: string;
  readonly kind: Kind;
  /** The document key (network, subnet, router, group or floating IP name; `instance/port` for ports). */
  readonly key: string;
  name: string;
  description: string;
  tags: string[];
  project: string;
  created: string;
  updated: string;
  revision: number;
  attrs: Record<string, unknown>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
export type Doc = Mutable<TopologyDoc>;

export interface StoreOptions {
  /** The project that owns what the starting document holds (the admin project). */
  readonly adminProject: string;
  readonly now: () => number;
  /** Called with the topology text after every successful change (--save). */
  readonly onChange?: (text: string) => void;
  /** The projects Keystone knows besides the file's (the users' projects; default admin, demo, demo2). */
  readonly knownProjects?: readonly string[];
  /** How long a load balancer stays PENDING_* after a change (Octavia's provisioning), in ms (default 1000). */
  readonly lbSettleMs?: number;
}

interface State {
  doc: Doc;
  meta: Map<string, Meta>;
  counter: number;
}

const metaKey = (kind: Kind, key: string) => `${kind}:${key}`;
/** Keys of Octavia's objects: a listener by its load balancer and L4 port, pools and members inside it. */
export const listenerKey = (lb: string, protocol: string, port: number) => `${lb}/listener/${protocol === 'udp' ? 'udp' : 'tcp'}/${port}`;
export const poolKey = (lb: string, pool: string) => `${lb}/pool/${pool}`;
export const memberKey = (pool: string, instance: string, port: number) => `${pool}/member/${instance}:${port}`;
export const isoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class Store {
  private state: State;
  private loaded: Cloud;
  private readonly byId = new Map<string, string>();

  constructor(doc: Doc, private readonly opts: StoreOptions) {
    const cloud = load(doc);
    this.state = { doc: pinAllocations(structuredClone(doc), cloud), meta: new Map(), counter: 0 };
    this.loaded = load(this.state.doc);
    this.reindex(true);
  }

  get cloud(): Cloud { return this.loaded; }
  /** The wall clock (the shell's), for timestamps and Octavia's PENDING_* window. */
  now(): number { return this.opts.now(); }
  get lbSettleMs(): number { return this.opts.lbSettleMs ?? 1000; }
  knownProjects(): readonly string[] { return this.opts.knownProjects ?? DEFAULT_USERS.map((u) => u.project); }
  /** A Keystone project ID's name (the file's projects and the users'), or undefined. */
  projectName(id: string): string | undefined { return projectNames(this.state.doc, this.opts.adminProject, this.knownProjects()).get(id); }
  /** A project name's Keystone ID (admin's is the admin project's). */
  projectIdOf(name: string): string { return name === ADMIN_PROJECT ? this.opts.adminProject : projectId(name); }
  get doc(): Doc { return this.state.doc; }
  get seed(): number { return this.loaded.seed; }

  /** The topology file text of the current state (what --save writes and /api/topology.yaml serves). */
  text(): string {
    return stringify(this.state.doc, { lineWidth: 0 });
  }

  meta(kind: Kind, key: string): Meta | undefined { return this.state.meta.get(metaKey(kind, key)); }
  byIdOf(kind: Kind, id: string): Meta | undefined {
    const k = this.byId.get(id);
    const m = k === undefined ? undefined : this.state.meta.get(k);
    return m && m.kind === kind ? m : undefined;
  }
  all(kind: Kind): Meta[] { return [...this.state.meta.values()].filter((m) => m.kind === kind); }

  /**
   * Runs `change` on a copy of the state, loads the resulting document and keeps it, or throws
   * the loader's first error as a Neutron error and keeps the state as it was.
   */
  transact<T>(change: (tx: Tx) => T): T {
    const before = this.state;
    const draft: State = { doc: structuredClone(before.doc), meta: structuredClone(before.meta), counter: before.counter };
    const tx = new Tx(draft, this.opts, this.loaded.seed);
    const result = change(tx);
    writeProjects(draft, this.opts.adminProject, this.knownProjects());
    const loadedDraft = parseTopology(JSON.stringify(draft.doc));
    if (!loadedDraft.ok) throw issueError(loadedDraft.issues);
    draft.doc = pinAllocations(draft.doc, loadedDraft.cloud);
    this.state = draft;
    this.loaded = loadedDraft.cloud;
    this.reindex();
    this.opts.onChange?.(this.text());
    return result;
  }

  /**
   * Gives every resource of the loaded cloud its metadata (IDs from the seed and its key), and
   * drops what is gone. At start-up every instance of the file is a Nova server; later only
   * those created through Nova are (a Neutron port alone is a one-port instance, not a server).
   */
  private reindex(initial = false): void {
    const { meta } = this.state;
    const cloud = this.loaded;
    const seed = cloud.seed;
    const now = isoTime(this.opts.now());
    const present = new Set<string>();
    // A resource the file brings (not created through the API) belongs to the project the file names.
    const idOf = (project: string) => (project === ADMIN_PROJECT ? this.opts.adminProject : projectId(project));
    const ensure = (kind: Kind, key: string, name: string, attrs: Record<string, unknown> = {}, id?: string, project = ADMIN_PROJECT): Meta => {
      const k = metaKey(kind, key);
      present.add(k);
      let m = meta.get(k);
      if (!m) {
        m = { id: id ?? stableId(seed, kind, key), kind, key, name, description: '', tags: [], project: idOf(project), created: now, updated: now, revision: 0, attrs };
        meta.set(k, m);
      }
      return m;
    };
    const rbac = (net: string, project: string, entries: readonly { project: string; action: string }[], shared: boolean) => {
      for (const e of entries) Object.assign(ensure('rbac_policy', `${net}/${e.action}/${e.project}`, '', {}, undefined, project).attrs, { network: net, action: e.action, target: e.project });
      if (shared) Object.assign(ensure('rbac_policy', `${net}/access_as_shared/*`, '', {}, undefined, project).attrs, { network: net, action: 'access_as_shared', target: '*' });
    };
    for (const n of cloud.networks.values()) {
      ensure('network', n.name, n.name, {}, undefined, n.project).attrs.shared = n.shared;
      rbac(n.name, n.project, n.rbac, n.shared);
    }
    for (const e of cloud.externalNetworks.values()) rbac(e.name, ADMIN_PROJECT, e.rbac, false);
    for (const e of cloud.externalNetworks.values()) {
      const net = ensure('network', e.name, e.name, { external: true });
      net.attrs.external = true;
      const sub = typeof net.attrs.subnet === 'string' ? net.attrs.subnet : `${e.name}-subnet`;
      net.attrs.subnet = sub;
      ensure('subnet', sub, sub, { external: e.name });
    }
    // External networks created through the API that have no subnet yet exist only here.
    for (const m of meta.values()) if (m.kind === 'network' && m.attrs.pending === true) present.add(metaKey('network', m.key));
    for (const s of cloud.subnets.values()) ensure('subnet', s.name, s.name, {}, undefined, s.project);
    // Router and VIP ports have no name in Neutron; an instance port is named after its instance.
    for (const p of cloud.ports.values()) ensure('port', p.id, p.owner.kind !== 'instance' ? '' : cloud.instances.get(p.owner.name)!.ports.length === 1 ? p.owner.name : p.id, {}, undefined, p.project);
    for (const r of cloud.routers.values()) ensure('router', r.name, r.name, {}, undefined, r.project);
    for (const g of cloud.securityGroups.values()) {
      // A project's own default group (default@PROJECT in the file) is named default, as in Neutron.
      const gm = ensure('security_group', g.name, PROJECT_DEFAULT_GROUP.test(g.name) ? 'default' : g.name, {}, undefined, g.project);
      const ids = Array.isArray(gm.attrs.rules) ? (gm.attrs.rules as string[]) : [];
      while (ids.length < g.rules.length) ids.push(stableId(seed, 'security_group_rule', `${g.name}#${ids.length}`));
      ids.length = g.rules.length;
      gm.attrs.rules = ids;
      ids.forEach((id, i) => {
        const rm = ensure('security_group_rule', id, '', {}, id);
        rm.attrs.group = g.name;
        rm.attrs.index = i;
        rm.project = gm.project;
      });
    }
    for (const f of cloud.floatingIps.values()) ensure('floatingip', f.name, '', {}, undefined, f.project);
    for (const i of cloud.instances.values()) {
      const k = metaKey('server', i.name);
      if (initial) ensure('server', i.name, i.name, {}, undefined, i.project);
      else if (meta.has(k)) present.add(k);
    }
    for (const lb of cloud.loadBalancers.values()) {
      ensure('loadbalancer', lb.name, lb.name, {}, undefined, lb.project);
      for (const l of lb.listeners) {
        const l4 = l.protocol === 'udp' ? 'udp' : 'tcp';
        const lm = ensure('listener', listenerKey(lb.name, l.protocol, l.port), '', { protocol: l.protocol.toUpperCase() }, undefined, lb.project);
        Object.assign(lm.attrs, { lb: lb.name, l4, port: l.port, pool: l.pool });
        delete lm.attrs.pending;
      }
      for (const p of lb.pools) {
        const pk = poolKey(lb.name, p.name);
        const protocol = lb.listeners.find((l) => l.pool === p.name)?.protocol.toUpperCase() ?? 'TCP';
        Object.assign(ensure('pool', pk, p.name, { protocol }, undefined, lb.project).attrs, { lb: lb.name, pool: p.name });
        for (const mb of p.members) {
          const mm = ensure('member', memberKey(pk, mb.instance, mb.protocolPort), '', {}, undefined, lb.project);
          Object.assign(mm.attrs, { lb: lb.name, pool: p.name, instance: mb.instance, port: mb.protocolPort });
        }
        if (p.healthMonitor) Object.assign(ensure('healthmonitor', `${pk}/hm`, '', { type: p.healthMonitor.type.toUpperCase() }, undefined, lb.project).attrs, { lb: lb.name, pool: p.name });
      }
    }
    // A listener without a default pool cannot be written in the file yet; it lives here until it has one.
    for (const m of meta.values()) if (m.kind === 'listener' && m.attrs.pending === true && cloud.loadBalancers.has(String(m.attrs.lb))) present.add(metaKey('listener', m.key));
    for (const m of meta.values()) if (m.kind === 'port' && m.attrs.pending === true && meta.has(metaKey('network', String(m.attrs.network)))) present.add(metaKey('port', m.key));
    for (const k of [...meta.keys()]) if (!present.has(k)) meta.delete(k);
    this.byId.clear();
    for (const [k, m] of meta) this.byId.set(m.id, k);
  }
}

/** The changes a handler may make inside a transaction. */
export class Tx {
  constructor(private readonly state: State, private readonly opts: StoreOptions, private readonly seed: number) {}

  get doc(): Doc { return this.state.doc; }

  meta(kind: Kind, key: string): Meta | undefined { return this.state.meta.get(metaKey(kind, key)); }

  /** Records a new resource's metadata; its ID is fresh even when a name is reused. */
  add(kind: Kind, key: string, fields: { name: string; project: string; description?: string; attrs?: Record<string, unknown> }, id?: string): Meta {
    this.state.counter += 1;
    const now = isoTime(this.opts.now());
    const m: Meta = {
      id: id ?? stableId(this.seed, kind, `${key}#${this.state.counter}`), kind, key, name: fields.name, description: fields.description ?? '',
      tags: [], project: fields.project, created: now, updated: now, revision: 0, attrs: fields.attrs ?? {},
    };
    this.state.meta.set(metaKey(kind, key), m);
    return m;
  }

  touch(m: Meta): void {
    m.revision += 1;
    m.updated = isoTime(this.opts.now());
  }

  remove(kind: Kind, key: string): void { this.state.meta.delete(metaKey(kind, key)); }

  /** Every metadata entry of a kind inside the transaction. */
  all(kind: Kind): Meta[] { return [...this.state.meta.values()].filter((m) => m.kind === kind); }

  /** Moves a resource's metadata to another key, keeping its ID (a port bound to a server, an unbound one). */
  rekey(kind: Kind, from: string, to: string): Meta {
    const m = this.state.meta.get(metaKey(kind, from));
    if (!m) throw new ApiError(500, 'InternalServerError', `no ${kind} ${from}`);
    this.state.meta.delete(metaKey(kind, from));
    const moved = { ...m, key: to };
    this.state.meta.set(metaKey(kind, to), moved);
    return moved;
  }

  get now(): number { return this.opts.now(); }

  /**
   * A document key for a new resource, from its name: unique among every key of the file, except
   * that security groups have their own names (a group may share a subnet's name, as in three-tier).
   */
  uniqueKey(name: string, fallback: string, scope: 'groups' | 'shared' = 'shared'): string {
    const used = scope === 'groups' ? new Set(['default', ...Object.keys(this.state.doc.security_groups ?? {})]) : usedKeys(this.state);
    let base = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
    if (base === '') base = fallback;
    if (!used.has(base)) return base;
    for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}

/**
 * Writes each resource's project into the document (the file format's `project:`, and the
 * `projects:` it names), from the metadata: what a non-admin created is saved as that project's,
 * so the saved file loads back with the same owners. Admin's resources carry no key, as before.
 */
function projectNames(doc: Doc, adminProject: string, known: readonly string[]): Map<string, string> {
  const names = new Map<string, string>([[adminProject, ADMIN_PROJECT]]);
  for (const p of known) if (p !== ADMIN_PROJECT) names.set(projectId(p), p);
  for (const p of Object.keys(doc.projects ?? {})) names.set(projectId(p), p);
  return names;
}

function writeProjects(state: State, adminProject: string, known: readonly string[]): void {
  const { doc } = state;
  const names = projectNames(doc, adminProject, known);
  const used = new Set<string>();
  const set = (entry: { project?: string | undefined } | undefined, m: Meta) => {
    if (!entry) return;
    const name = names.get(m.project);
    if (name === undefined) return; // a project vnet cannot name: left as the file had it
    if (name === ADMIN_PROJECT) delete entry.project;
    else { entry.project = name; used.add(name); }
  };
  for (const m of state.meta.values()) {
    if (m.kind === 'network') set(doc.networks?.[m.key], m);
    else if (m.kind === 'router') set(doc.routers?.[m.key], m);
    else if (m.kind === 'security_group' && !PROJECT_DEFAULT_GROUP.test(m.key) && m.key !== 'default') set(doc.security_groups?.[m.key], m);
    else if (m.kind === 'floatingip') set(doc.floating_ips?.[m.key], m);
    else if (m.kind === 'loadbalancer') set(doc.load_balancers?.[m.key], m);
    else if (m.kind === 'port') {
      // Router and VIP ports follow their router or load balancer; an instance's, the instance.
      const owner = m.key.split('/')[0]!;
      if (!doc.routers?.[owner] && !doc.load_balancers?.[owner] && !state.meta.has(metaKey('server', owner))) set(doc.instances?.[owner], m);
    } else if (m.kind === 'server') set(doc.instances?.[m.key], m);
  }
  for (const name of [...used].sort()) (doc.projects ??= {})[name] ??= {};
}

function usedKeys(state: State): Set<string> {
  const d = state.doc;
  const keys = new Set<string>(['default']);
  const add = (o: Record<string, unknown> | undefined) => { for (const k of Object.keys(o ?? {})) keys.add(k); };
  add(d.external_networks); add(d.networks); add(d.routers); add(d.instances); add(d.floating_ips); add(d.load_balancers); add(d.external_hosts); add(d.network_acls);
  for (const n of Object.values(d.networks ?? {})) add(n.subnets);
  for (const m of state.meta.values()) {
    if (m.kind === 'network' || m.kind === 'subnet') keys.add(m.key);
    // An addressless port (metadata only, key pending/NAME) holds its name too: two in one bulk request must differ.
    else if (m.kind === 'port' && m.attrs.pending === true) keys.add(m.key.slice('pending/'.length));
  }
  return keys;
}

function load(doc: Doc): Cloud {
  const r = parseTopology(JSON.stringify(doc));
  if (!r.ok) throw issueError(r.issues);
  return r.cloud;
}

/** Neutron's status and exception name for the loader's issue codes; anything else is a 400. */
const CODE_STATUS: Readonly<Record<string, readonly [number, string]>> = {
  'ip-taken': [409, 'IpAddressAlreadyAllocated'],
  'ip-exhausted': [409, 'IpAddressGenerationFailure'],
  'duplicate-mac': [409, 'MacAddressInUse'],
  'mac-taken': [409, 'MacAddressInUse'],
  'gateway-taken': [409, 'IpAddressAlreadyAllocated'],
  'fip-duplicate': [409, 'FloatingIPPortAlreadyAssociated'],
  'fip-unreachable': [404, 'ExternalGatewayForFloatingIPNotFound'],
  'subnet-overlap': [400, 'InvalidInput'],
  'router-overlap': [400, 'BadRequest'],
};

export function issueError(issues: readonly Issue[]): ApiError {
  const first = issues.find((i) => i.severity === 'error') ?? issues[0];
  if (!first) return new ApiError(400, 'BadRequest', 'the change was refused');
  const [status, type] = CODE_STATUS[first.code] ?? [400, 'BadRequest'];
  const where = first.path.length ? `${formatPath(first.path)}: ` : '';
  // Neutron's own words first where clients match on them (tempest retries the next CIDR on "overlaps with another subnet").
  const neutron = first.code === 'subnet-overlap' ? 'Invalid input for operation: the requested subnet overlaps with another subnet. ' : '';
  return new ApiError(status, type, `${neutron}${where}${first.message} [${first.code}]`);
}

/**
 * Writes every allocated address and MAC into the document: instance ports get their name,
 * fixed addresses (not on SLAAC/stateless subnets, whose address follows the MAC) and MAC;
 * router gateways, floating IPs and load balancer VIPs their address. The result loads to the
 * same cloud (every value was already the port's) and no later change can move them.
 */
export function pinAllocations(doc: Doc, cloud: Cloud): Doc {
  for (const [instName, inst] of Object.entries(doc.instances ?? {})) {
    inst.ports = inst.ports.map((p, i) => {
      const long = typeof p === 'string' ? { subnet: p } : { ...p };
      const name = long.name ?? `eth${i}`;
      const port = cloud.ports.get(`${instName}/${name}`);
      if (!port) return p;
      const fixed = port.fixedIps.map((f) => {
        const s = cloud.subnets.get(f.subnet);
        const auto = s?.ipv6AddressMode === 'slaac' || s?.ipv6AddressMode === 'dhcpv6-stateless';
        return auto ? { subnet: f.subnet } : { subnet: f.subnet, ip: f.address.text };
      });
      const out: typeof long = { name };
      if (fixed.length === 1 && fixed[0]!.ip !== undefined) { out.subnet = fixed[0]!.subnet; out.ip = fixed[0]!.ip; }
      else out.fixed_ips = fixed.length ? fixed : (long.fixed_ips ?? []);
      if (long.switch !== undefined) out.switch = long.switch;
      out.mac = port.mac;
      if (long.security_groups !== undefined) out.security_groups = long.security_groups;
      if (long.port_security !== undefined) out.port_security = long.port_security;
      if (long.allowed_address_pairs !== undefined) out.allowed_address_pairs = long.allowed_address_pairs;
      return out;
    });
  }
  for (const [name, r] of Object.entries(doc.routers ?? {})) {
    const gw = cloud.routers.get(name)?.externalGateway;
    if (r.external_gateway && gw) r.external_gateway.ip = gw.address.text;
  }
  for (const [name, f] of Object.entries(doc.floating_ips ?? {})) {
    const fip = cloud.floatingIps.get(name);
    if (fip) f.ip = fip.address.text;
  }
  for (const [name, lb] of Object.entries(doc.load_balancers ?? {})) {
    const l = cloud.loadBalancers.get(name);
    if (l) lb.vip = l.vip.text;
  }
  return doc;
}
