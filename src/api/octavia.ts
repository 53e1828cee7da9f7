/**
 * Octavia v2 over the store: load balancers, listeners, pools, members and health monitors, each
 * written into the topology document's load_balancers (a listener waits in the metadata until it
 * has a default pool, since the file's listener names its pool). A change leaves the load balancer
 * PENDING_* for the store's settle time, then ACTIVE, and a change meanwhile gets Octavia's 409.
 * A member is an instance's address (vnet's members are instances). Errors use Octavia's body.
 */
import { parseIp, formatIp } from '../address/ip.js';
import type { Token } from './identity.js';
import { findIn, intOf, boolOf, str, ownerOf, owned, visible } from './neutron/resources.js';
import { listBody, selectFields } from './neutron/query.js';
import type { Json } from './neutron/render.js';
import { listenerKey, memberKey, poolKey, type Doc, type Kind, type Meta, type Store, type Tx } from './store.js';
import { ApiError, badRequest, conflict, json, noContent, objectAt, type ApiRequest, type ApiResponse } from './types.js';

type Body = Record<string, unknown>;
type LbDoc = NonNullable<Doc['load_balancers']>[string];

const LISTENER_PROTOCOLS: Readonly<Record<string, 'tcp' | 'udp' | 'http'>> = { HTTP: 'http', HTTPS: 'tcp', TCP: 'tcp', TERMINATED_HTTPS: 'http', UDP: 'udp', PROXY: 'tcp', PROXYV2: 'tcp' };
const ALGORITHMS: Readonly<Record<string, 'round_robin' | 'least_connections' | 'source_ip' | 'source_ip_port'>> = {
  ROUND_ROBIN: 'round_robin', LEAST_CONNECTIONS: 'least_connections', SOURCE_IP: 'source_ip', SOURCE_IP_PORT: 'source_ip_port',
};
const MONITOR_TYPES: Readonly<Record<string, 'tcp' | 'http' | 'ping'>> = { HTTP: 'http', HTTPS: 'http', TCP: 'tcp', 'TLS-HELLO': 'tcp', PING: 'ping' };

const notFound = (what: string, id: string) => new ApiError(404, 'NotFound', `${what} ${id} not found.`);
const invalid = (message: string) => new ApiError(400, 'ValidationException', `Invalid input for field/attribute ${message}`);

function pick<T>(table: Readonly<Record<string, T>>, value: string | undefined, field: string): T {
  const v = value === undefined ? undefined : table[value.toUpperCase()];
  if (v === undefined) throw invalid(`${field}. Value: '${String(value)}'. Value should be one of: ${Object.keys(table).join(', ')}`);
  return v;
}

/** Octavia's provisioning: PENDING_* until the load balancer's settle time has passed, then ACTIVE. */
function provisioning(store: Store, m: Meta, lb: Meta | undefined): string {
  const until = Number(lb?.attrs.busyUntil ?? 0);
  return store.now() < until && typeof m.attrs.busy === 'string' ? m.attrs.busy : 'ACTIVE';
}

const up = (m: Meta) => m.attrs.admin_state_up !== false;
const timestamps = (m: Meta) => ({ created_at: m.created, updated_at: m.updated });

export class OctaviaApi {
  constructor(private readonly store: Store) {}

  handle(req: ApiRequest, path: string, token: Token): ApiResponse {
    const base = `${req.base}/load-balancer`;
    if (path === '' || path === '/') {
      return json(200, { versions: [{ id: 'v2.0', status: 'SUPPORTED', updated: '2016-12-11T00:00:00Z', links: [{ rel: 'self', href: `${base}/v2.0/` }] }, { id: 'v2.27', status: 'CURRENT', updated: '2023-05-05T00:00:00Z', links: [{ rel: 'self', href: `${base}/v2/` }] }] });
    }
    const m = /^\/v2(?:\.0)?(\/.*)?$/.exec(path);
    if (!m) throw notFound('Resource', path);
    const parts = (m[1] ?? '').split('/').filter((p) => p !== '');
    if (parts[0] === 'lbaas') parts.shift();
    const [coll, id, sub, subId, extra] = parts as [string?, string?, string?, string?, string?];
    const method = req.method;
    const self = `${base}/v2/lbaas/${coll ?? ''}`;
    if (coll === 'providers' && id === undefined) return json(200, { providers: [{ name: 'amphora', description: 'vnet: the load balancer of the topology model' }, { name: 'ovn', description: 'vnet: the same model (members see the client address)' }] });
    if (coll === 'quotas') return json(200, id === undefined ? { quotas: [] } : { quota: { load_balancer: -1, listener: -1, pool: -1, member: -1, health_monitor: -1, l7policy: -1, l7rule: -1 } });
    if (coll === 'flavors' || coll === 'flavorprofiles' || coll === 'availabilityzones' || coll === 'l7policies' || coll === 'amphorae') {
      if (id === undefined && method === 'GET') return json(200, { [coll]: [], [`${coll}_links`]: [] });
      throw notFound(coll, id ?? '');
    }
    const kind = COLLECTIONS[coll ?? ''];
    if (!kind || extra !== undefined) throw notFound('Resource', path);
    if (kind === 'pool' && sub === 'members') return this.members(req, id!, subId, token, `${base}/v2/lbaas/pools/${id!}/members`);
    if (id === undefined) {
      if (method === 'GET') return this.list(kind, req, token, self, () => true);
      if (method === 'POST') return this.create(kind, req.body, token);
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${coll!}`);
    }
    const found = this.find(kind, id, token);
    if (kind === 'loadbalancer' && sub !== undefined) return this.lbAction(found, sub, method, req.base);
    if (sub !== undefined) throw notFound('Resource', path);
    if (method === 'GET') return json(200, { [one(kind)]: selectFields(this.render(found), req.query) });
    if (method === 'PUT') {
      const body = objectAt(objectAt(req.body, 'the body')[one(kind)], `"${one(kind)}"`);
      this.store.transact((tx) => this.update(tx, tx.meta(kind, found.key)!, structuredClone(body), token));
      return json(200, { [one(kind)]: this.render(this.store.meta(kind, found.key)!) });
    }
    if (method === 'DELETE') {
      const cascade = (req.query.get('cascade') ?? '').toLowerCase() === 'true';
      this.store.transact((tx) => this.remove(tx, tx.meta(kind, found.key)!, token, cascade));
      return noContent();
    }
    throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed here`);
  }

  private list(kind: Kind, req: ApiRequest, token: Token, self: string, keep: (m: Meta) => boolean): ApiResponse {
    const items = this.store.all(kind).filter((m) => visible(this.store, m, token) && keep(m)).map((m) => this.render(m));
    const plural = PLURAL[kind]!;
    const body = listBody(plural, items, req.query, self);
    return json(200, { [`${plural}_links`]: [], ...body });
  }

  private find(kind: Kind, id: string, token: Token): Meta {
    const m = this.store.byIdOf(kind, id);
    if (!m || !visible(this.store, m, token)) throw notFound(TITLE[kind]!, id);
    return m;
  }

  private lbOf(m: Meta): Meta {
    return m.kind === 'loadbalancer' ? m : this.store.meta('loadbalancer', String(m.attrs.lb))!;
  }

  // ------------------------------------------------------------------ rendering

  render(m: Meta): Json {
    const store = this.store;
    const lbMeta = this.lbOf(m);
    const lb = store.cloud.loadBalancers.get(lbMeta.key);
    const common = { id: m.id, name: m.name, description: m.description, project_id: m.project, tenant_id: m.project, admin_state_up: up(m), provisioning_status: provisioning(store, m, lbMeta), tags: [...m.tags], ...timestamps(m) };
    const online = up(m) ? 'ONLINE' : 'OFFLINE';
    const ids = (kind: Kind, f: (x: Meta) => boolean) => store.all(kind).filter(f).map((x) => ({ id: x.id }));
    const inLb = (x: Meta) => x.attrs.lb === lbMeta.key;
    const poolMeta = (name: unknown) => store.meta('pool', poolKey(lbMeta.key, String(name)));
    switch (m.kind) {
      case 'loadbalancer': {
        const vip = store.meta('port', lb!.vipPort);
        const subnet = store.meta('subnet', lb!.subnet);
        return {
          ...common, operating_status: online, vip_address: lb!.vip.text, vip_port_id: vip?.id ?? null, vip_subnet_id: subnet?.id ?? null,
          vip_network_id: store.meta('network', store.cloud.subnets.get(lb!.subnet)!.network)?.id ?? null, vip_qos_policy_id: null,
          listeners: ids('listener', inLb), pools: ids('pool', inLb), provider: typeof m.attrs.provider === 'string' ? m.attrs.provider : 'amphora',
          flavor_id: null, availability_zone: null, additional_vips: [],
        };
      }
      case 'listener': {
        const pool = typeof m.attrs.pool === 'string' && m.attrs.pending !== true ? poolMeta(m.attrs.pool) : undefined;
        return {
          ...common, operating_status: online, protocol: String(m.attrs.protocol), protocol_port: Number(m.attrs.port), connection_limit: Number(m.attrs.connection_limit ?? -1),
          default_pool_id: pool?.id ?? null, loadbalancers: [{ id: lbMeta.id }], l7policies: [], insert_headers: {}, default_tls_container_ref: null, sni_container_refs: [],
          timeout_client_data: 50000, timeout_member_connect: 5000, timeout_member_data: 50000, timeout_tcp_inspect: 0, allowed_cidrs: null,
          client_ca_tls_container_ref: null, client_authentication: 'NONE', client_crl_container_ref: null, tls_ciphers: null, tls_versions: null, alpn_protocols: [], hsts_include_subdomains: false, hsts_max_age: null, hsts_preload: false,
        };
      }
      case 'pool': {
        const p = lb!.pools.find((x) => x.name === m.attrs.pool)!;
        const listeners = ids('listener', (x) => inLb(x) && x.attrs.pending !== true && x.attrs.pool === m.attrs.pool);
        const hm = store.meta('healthmonitor', `${m.key}/hm`);
        return {
          ...common, operating_status: online, protocol: String(m.attrs.protocol), lb_algorithm: p.algorithm.toUpperCase(), session_persistence: null,
          loadbalancers: [{ id: lbMeta.id }], listeners, members: ids('member', (x) => inLb(x) && x.attrs.pool === m.attrs.pool), healthmonitor_id: hm?.id ?? null,
          tls_enabled: false, tls_container_ref: null, ca_tls_container_ref: null, crl_container_ref: null, tls_ciphers: null, tls_versions: null, alpn_protocols: [],
        };
      }
      case 'member': {
        const p = lb!.pools.find((x) => x.name === m.attrs.pool)!;
        const mb = p.members.find((x) => x.instance === m.attrs.instance && x.protocolPort === m.attrs.port)!;
        const subnet = store.cloud.ports.get(mb.port)?.fixedIps.find((f) => f.address.text === mb.address.text)?.subnet;
        return {
          ...common, admin_state_up: mb.adminStateUp, operating_status: !mb.adminStateUp ? 'OFFLINE' : p.healthMonitor ? 'ONLINE' : 'NO_MONITOR',
          address: mb.address.text, protocol_port: mb.protocolPort, weight: mb.weight, backup: false, subnet_id: subnet === undefined ? null : store.meta('subnet', subnet)?.id ?? null,
          monitor_address: null, monitor_port: null, vnic_type: 'normal',
        };
      }
      case 'healthmonitor': {
        const p = lb!.pools.find((x) => x.name === m.attrs.pool)!;
        const hm = p.healthMonitor!;
        const http = hm.type === 'http';
        return {
          ...common, operating_status: online, type: String(m.attrs.type ?? hm.type.toUpperCase()), delay: hm.interval, timeout: hm.timeout, max_retries: hm.retries, max_retries_down: hm.retriesDown,
          http_method: http ? String(m.attrs.http_method ?? 'GET') : null, url_path: http ? hm.urlPath : null, expected_codes: http ? String(m.attrs.expected_codes ?? '200') : null,
          http_version: http ? 1.0 : null, domain_name: null, pools: [{ id: poolMeta(m.attrs.pool)!.id }],
        };
      }
      default: return common;
    }
  }

  // ------------------------------------------------------------------ writes

  /** Octavia refuses any change while the load balancer is PENDING_*. */
  private guard(lb: Meta): void {
    if (this.store.now() < Number(lb.attrs.busyUntil ?? 0)) throw conflict('Conflict', `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  }

  /** Marks the load balancer (and the changed object) PENDING_* for the settle time. */
  private busy(tx: Tx, lb: Meta, m: Meta, state: 'PENDING_CREATE' | 'PENDING_UPDATE'): void {
    lb.attrs.busyUntil = tx.now + this.store.lbSettleMs;
    if (lb !== m) lb.attrs.busy = 'PENDING_UPDATE';
    else lb.attrs.busy = state;
    m.attrs.busy = state;
    tx.touch(m);
  }

  private lbDoc(tx: Tx, lb: Meta): LbDoc {
    return tx.doc.load_balancers![lb.key]!;
  }

  private create(kind: Kind, body: unknown, token: Token): ApiResponse {
    const b = structuredClone(objectAt(objectAt(body, 'the body')[one(kind)], `"${one(kind)}"`));
    const key = this.store.transact((tx) => {
      switch (kind) {
        case 'loadbalancer': return this.createLb(tx, b, token);
        case 'listener': return this.createListener(tx, b, token);
        case 'pool': return this.createPool(tx, b, token);
        default: return this.createMonitor(tx, b, token);
      }
    });
    return json(201, { [one(kind)]: this.render(this.store.meta(kind, key)!) });
  }

  private createLb(tx: Tx, b: Body, token: Token): string {
    if (b.listeners !== undefined || b.pools !== undefined) throw badRequest('vnet: create the listeners and pools one call at a time (single-call create is not served)');
    if (b.vip_port_id !== undefined && b.vip_port_id !== null) throw invalid('vip_port_id: vnet allocates the VIP port itself; give vip_subnet_id or vip_network_id');
    const subnetId = str(b, 'vip_subnet_id');
    const networkId = str(b, 'vip_network_id');
    let subnet: string;
    if (subnetId !== undefined) subnet = findIn(tx, this.store, 'subnet', subnetId, token).key;
    else if (networkId !== undefined) {
      const net = findIn(tx, this.store, 'network', networkId, token);
      const subs = this.store.cloud.networks.get(net.key)?.subnets ?? [];
      const v4 = subs.find((s) => this.store.cloud.subnets.get(s)?.version === 4) ?? subs[0];
      if (v4 === undefined) throw invalid(`vip_network_id: network ${networkId} has no subnet`);
      subnet = v4;
    } else throw invalid('vip_subnet_id: one of vip_subnet_id, vip_network_id or vip_port_id is required');
    if (!this.store.cloud.subnets.has(subnet)) throw invalid(`vip_subnet_id: subnet ${subnetId ?? ''} is on an external network`);
    const vip = str(b, 'vip_address');
    const name = str(b, 'name') ?? '';
    const key = tx.uniqueKey(name, 'lb');
    (tx.doc.load_balancers ??= {})[key] = { subnet, ...(vip !== undefined ? { vip } : {}), listeners: [], pools: {} };
    const provider = str(b, 'provider') ?? 'amphora';
    if (provider !== 'amphora' && provider !== 'ovn' && provider !== 'octavia') throw invalid(`provider. Value: '${provider}'. Value should be one of: amphora, ovn`);
    if (provider === 'ovn') tx.doc.load_balancers![key]!.mode = 'dnat';
    const m = tx.add('loadbalancer', key, { name, project: ownerOf(b, token), description: str(b, 'description') ?? '', attrs: { admin_state_up: boolOf(b, 'admin_state_up') ?? true, provider } });
    this.busy(tx, m, m, 'PENDING_CREATE');
    return key;
  }

  private createListener(tx: Tx, b: Body, token: Token): string {
    const lbId = str(b, 'loadbalancer_id');
    if (lbId === undefined) throw invalid('loadbalancer_id: it is required');
    const lb = findIn(tx, this.store, 'loadbalancer', lbId, token);
    owned(lb, token);
    this.guard(lb);
    const protocol = str(b, 'protocol')?.toUpperCase();
    const l4 = pick(LISTENER_PROTOCOLS, protocol, 'protocol');
    const port = intOf(b, 'protocol_port');
    if (typeof port !== 'number' || port < 1 || port > 65535) throw invalid(`protocol_port. Value: '${String(b.protocol_port)}'. Value should be between 1 and 65535`);
    const key = listenerKey(lb.key, l4, port);
    if (tx.meta('listener', key)) throw conflict('DuplicateListenerEntry', `Another Listener on this Load Balancer is already using protocol_port ${port}`);
    const m = tx.add('listener', key, {
      name: str(b, 'name') ?? '', project: lb.project, description: str(b, 'description') ?? '',
      attrs: { lb: lb.key, l4, docProtocol: l4, port, protocol, pending: true, admin_state_up: boolOf(b, 'admin_state_up') ?? true, connection_limit: intOf(b, 'connection_limit') ?? -1 },
    });
    const poolId = str(b, 'default_pool_id');
    if (poolId !== undefined) this.setDefaultPool(tx, m, findIn(tx, this.store, 'pool', poolId, token));
    this.busy(tx, lb, m, 'PENDING_CREATE');
    return key;
  }

  /** Writes the listener into the file with its pool (or takes it out, back to the metadata). */
  private setDefaultPool(tx: Tx, listener: Meta, pool: Meta | null): void {
    const lb = tx.meta('loadbalancer', String(listener.attrs.lb))!;
    const doc = this.lbDoc(tx, lb);
    const at = doc.listeners.findIndex((l) => listenerKey(lb.key, l.protocol, l.port) === listener.key);
    if (pool === null) {
      if (at >= 0) doc.listeners.splice(at, 1);
      listener.attrs.pending = true;
      delete listener.attrs.pool;
      return;
    }
    if (pool.attrs.lb !== lb.key) throw invalid(`default_pool_id: pool ${pool.id} is on another load balancer`);
    const entry = { protocol: protocolForDoc(listener), port: Number(listener.attrs.port), pool: String(pool.attrs.pool) };
    if (at >= 0) doc.listeners[at] = entry; else doc.listeners.push(entry);
    listener.attrs.pool = pool.attrs.pool;
    delete listener.attrs.pending;
  }

  private createPool(tx: Tx, b: Body, token: Token): string {
    const listenerId = str(b, 'listener_id');
    const lbId = str(b, 'loadbalancer_id');
    const listener = listenerId === undefined ? undefined : findIn(tx, this.store, 'listener', listenerId, token);
    if (listener === undefined && lbId === undefined) throw invalid('listener_id: one of listener_id and loadbalancer_id is required');
    const lb = listener ? tx.meta('loadbalancer', String(listener.attrs.lb))! : findIn(tx, this.store, 'loadbalancer', lbId!, token);
    owned(lb, token);
    this.guard(lb);
    if (listener && listener.attrs.pending !== true) throw conflict('DuplicatePoolEntry', `Listener ${listener.id} already has a default pool`);
    const algorithm = pick(ALGORITHMS, str(b, 'lb_algorithm'), 'lb_algorithm');
    const protocol = str(b, 'protocol')?.toUpperCase();
    if (protocol === undefined || !['HTTP', 'HTTPS', 'TCP', 'UDP', 'PROXY', 'PROXYV2', 'SCTP'].includes(protocol)) throw invalid(`protocol. Value: '${String(b.protocol)}'. Value should be one of: HTTP, HTTPS, PROXY, PROXYV2, TCP, UDP`);
    if (b.session_persistence !== undefined && b.session_persistence !== null) throw badRequest('vnet: session_persistence is not modelled (use lb_algorithm SOURCE_IP)');
    const name = str(b, 'name') ?? '';
    const doc = this.lbDoc(tx, lb);
    const poolName = uniqueIn(Object.keys(doc.pools), name, 'pool');
    doc.pools[poolName] = { algorithm, members: [] };
    const m = tx.add('pool', poolKey(lb.key, poolName), { name, project: lb.project, description: str(b, 'description') ?? '', attrs: { lb: lb.key, pool: poolName, protocol, admin_state_up: boolOf(b, 'admin_state_up') ?? true } });
    if (listener) this.setDefaultPool(tx, listener, m);
    this.busy(tx, lb, m, 'PENDING_CREATE');
    return m.key;
  }

  private createMonitor(tx: Tx, b: Body, token: Token): string {
    const poolId = str(b, 'pool_id');
    if (poolId === undefined) throw invalid('pool_id: it is required');
    const pool = findIn(tx, this.store, 'pool', poolId, token);
    const lb = tx.meta('loadbalancer', String(pool.attrs.lb))!;
    owned(lb, token);
    this.guard(lb);
    const type = str(b, 'type')?.toUpperCase();
    const kind = pick(MONITOR_TYPES, type, 'type');
    const poolDoc = this.lbDoc(tx, lb).pools[String(pool.attrs.pool)]!;
    if (poolDoc.health_monitor) throw conflict('DuplicatePoolEntry', `Pool ${pool.id} already has a health monitor`);
    const delay = intOf(b, 'delay');
    const timeout = intOf(b, 'timeout');
    const retries = intOf(b, 'max_retries');
    if (typeof delay !== 'number' || delay < 0) throw invalid('delay: it is required (seconds, 0 or more)');
    if (typeof timeout !== 'number' || timeout < 0) throw invalid('timeout: it is required (seconds, 0 or more)');
    if (typeof retries !== 'number' || retries < 1 || retries > 10) throw invalid(`max_retries. Value: '${String(b.max_retries)}'. Value should be between 1 and 10`);
    const down = intOf(b, 'max_retries_down');
    if (down !== undefined && down !== null && (down < 1 || down > 10)) throw invalid(`max_retries_down. Value: '${String(down)}'. Value should be between 1 and 10`);
    const urlPath = str(b, 'url_path');
    poolDoc.health_monitor = {
      type: kind, interval: Math.max(delay, 1), timeout: Math.max(timeout, 1), retries,
      ...(typeof down === 'number' ? { retries_down: down } : {}), ...(urlPath !== undefined && kind === 'http' ? { url_path: urlPath } : {}),
    };
    const m = tx.add('healthmonitor', `${pool.key}/hm`, {
      name: str(b, 'name') ?? '', project: lb.project,
      attrs: { lb: lb.key, pool: pool.attrs.pool, type, admin_state_up: boolOf(b, 'admin_state_up') ?? true, http_method: str(b, 'http_method') ?? 'GET', expected_codes: str(b, 'expected_codes') ?? '200' },
    });
    this.busy(tx, lb, m, 'PENDING_CREATE');
    return m.key;
  }

  private update(tx: Tx, m: Meta, b: Body, token: Token): void {
    const lb = tx.meta('loadbalancer', m.kind === 'loadbalancer' ? m.key : String(m.attrs.lb))!;
    owned(lb, token);
    this.guard(lb);
    const name = str(b, 'name');
    if (name !== undefined) m.name = name;
    const description = str(b, 'description');
    if (description !== undefined) m.description = description;
    const adminUp = boolOf(b, 'admin_state_up');
    if (adminUp !== undefined && m.kind !== 'member') m.attrs.admin_state_up = adminUp;
    const doc = this.lbDoc(tx, lb);
    if (m.kind === 'listener') {
      if ('default_pool_id' in b) this.setDefaultPool(tx, m, b.default_pool_id === null ? null : findIn(tx, this.store, 'pool', String(b.default_pool_id), token));
      const limit = intOf(b, 'connection_limit');
      if (typeof limit === 'number') m.attrs.connection_limit = limit;
    } else if (m.kind === 'pool') {
      if (b.lb_algorithm !== undefined) doc.pools[String(m.attrs.pool)]!.algorithm = pick(ALGORITHMS, str(b, 'lb_algorithm'), 'lb_algorithm');
    } else if (m.kind === 'healthmonitor') {
      const hm = doc.pools[String(m.attrs.pool)]!.health_monitor!;
      const delay = intOf(b, 'delay'); if (typeof delay === 'number') hm.interval = Math.max(delay, 1);
      const timeout = intOf(b, 'timeout'); if (typeof timeout === 'number') hm.timeout = Math.max(timeout, 1);
      const retries = intOf(b, 'max_retries'); if (typeof retries === 'number') hm.retries = retries;
      const down = intOf(b, 'max_retries_down'); if (typeof down === 'number') hm.retries_down = down;
      const urlPath = str(b, 'url_path'); if (urlPath !== undefined) hm.url_path = urlPath;
      for (const k of ['http_method', 'expected_codes']) { const v = str(b, k); if (v !== undefined) m.attrs[k] = v; }
    } else if (m.kind === 'member') {
      const entry = memberEntry(doc, m);
      const weight = intOf(b, 'weight');
      if (typeof weight === 'number') { if (weight < 0 || weight > 256) throw invalid(`weight. Value: '${weight}'. Value should be between 0 and 256`); entry.weight = weight; }
      if (adminUp !== undefined) entry.admin_state_up = adminUp;
    }
    this.busy(tx, lb, m, 'PENDING_UPDATE');
  }

  private remove(tx: Tx, m: Meta, token: Token, cascade: boolean): void {
    const lb = tx.meta('loadbalancer', m.kind === 'loadbalancer' ? m.key : String(m.attrs.lb))!;
    owned(lb, token);
    this.guard(lb);
    const doc = this.lbDoc(tx, lb);
    switch (m.kind) {
      case 'loadbalancer': {
        const children = tx.all('listener').some((x) => x.attrs.lb === lb.key) || Object.keys(doc.pools).length > 0;
        if (children && !cascade) throw badRequest(`Cannot delete Load Balancer ${lb.id} - it has children`, 'ValidationException');
        // The VIP port goes with it; a floating IP on it stays, unassociated (as Neutron does).
        for (const f of Object.values(tx.doc.floating_ips ?? {})) if (f.load_balancer === lb.key) delete f.load_balancer;
        delete tx.doc.load_balancers![lb.key];
        for (const k of ['listener', 'pool', 'member', 'healthmonitor'] as const) for (const x of tx.all(k)) if (x.attrs.lb === lb.key) tx.remove(k, x.key);
        tx.remove('loadbalancer', lb.key);
        return;
      }
      case 'listener':
        this.setDefaultPool(tx, m, null);
        tx.remove('listener', m.key);
        break;
      case 'pool': {
        const pool = String(m.attrs.pool);
        for (const l of tx.all('listener')) if (l.attrs.lb === lb.key && l.attrs.pending !== true && l.attrs.pool === pool) this.setDefaultPool(tx, l, null);
        delete doc.pools[pool];
        tx.remove('pool', m.key);
        break;
      }
      case 'member': {
        const members = doc.pools[String(m.attrs.pool)]!.members;
        members.splice(members.indexOf(memberEntry(doc, m)), 1);
        tx.remove('member', m.key);
        break;
      }
      case 'healthmonitor':
        delete doc.pools[String(m.attrs.pool)]!.health_monitor;
        tx.remove('healthmonitor', m.key);
        break;
      default: break;
    }
    this.busy(tx, lb, lb, 'PENDING_UPDATE');
  }

  // ------------------------------------------------------------------ members and actions

  private members(req: ApiRequest, poolId: string, memberId: string | undefined, token: Token, self: string): ApiResponse {
    const pool = this.find('pool', poolId, token);
    const ofPool = (x: Meta) => x.attrs.lb === pool.attrs.lb && x.attrs.pool === pool.attrs.pool;
    if (memberId === undefined) {
      if (req.method === 'GET') return this.list('member', req, token, self, ofPool);
      if (req.method === 'POST') {
        const b = structuredClone(objectAt(objectAt(req.body, 'the body').member, '"member"'));
        const key = this.store.transact((tx) => this.createMember(tx, tx.meta('pool', pool.key)!, b, token));
        return json(201, { member: this.render(this.store.meta('member', key)!) });
      }
      throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not allowed on members (batch update is not served)`);
    }
    const m = this.store.byIdOf('member', memberId);
    if (!m || !ofPool(m)) throw notFound('Member', memberId);
    if (req.method === 'GET') return json(200, { member: selectFields(this.render(m), req.query) });
    if (req.method === 'PUT') {
      const b = structuredClone(objectAt(objectAt(req.body, 'the body').member, '"member"'));
      this.store.transact((tx) => this.update(tx, tx.meta('member', m.key)!, b, token));
      return json(200, { member: this.render(this.store.meta('member', m.key)!) });
    }
    if (req.method === 'DELETE') { this.store.transact((tx) => this.remove(tx, tx.meta('member', m.key)!, token, false)); return noContent(); }
    throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not allowed here`);
  }

  private createMember(tx: Tx, pool: Meta, b: Body, token: Token): string {
    const lb = tx.meta('loadbalancer', String(pool.attrs.lb))!;
    owned(lb, token);
    this.guard(lb);
    const addressText = str(b, 'address');
    const ip = addressText === undefined ? undefined : parseIp(addressText);
    if (!ip) throw invalid(`address. Value: '${String(b.address)}'. Value should be IPv4 or IPv6 format`);
    const address = formatIp(ip);
    const port = intOf(b, 'protocol_port');
    if (typeof port !== 'number' || port < 1 || port > 65535) throw invalid(`protocol_port. Value: '${String(b.protocol_port)}'. Value should be between 1 and 65535`);
    const subnetId = str(b, 'subnet_id');
    const subnet = subnetId === undefined ? undefined : findIn(tx, this.store, 'subnet', subnetId, token).key;
    const holder = [...this.store.cloud.ports.values()].find((p) => p.owner.kind === 'instance' && p.fixedIps.some((f) => f.address.text === address && (subnet === undefined || f.subnet === subnet)));
    if (!holder) throw badRequest(`vnet: member address ${address} is no instance's address${subnet ? ` on subnet ${subnetId!}` : ''}; in vnet a member is an instance (create the server or port first)`, 'ValidationException');
    const instance = holder.owner.name;
    const key = memberKey(pool.key, instance, port);
    if (tx.meta('member', key)) throw conflict('DuplicateMemberEntry', `Another member on this pool is already using ip address ${address} on protocol_port ${port}`);
    const weight = intOf(b, 'weight');
    if (weight !== undefined && weight !== null && (weight < 0 || weight > 256)) throw invalid(`weight. Value: '${weight}'. Value should be between 0 and 256`);
    const adminUp = boolOf(b, 'admin_state_up');
    this.lbDoc(tx, lb).pools[String(pool.attrs.pool)]!.members.push({ instance, port, ...(typeof weight === 'number' ? { weight } : {}), ...(adminUp === false ? { admin_state_up: false } : {}) });
    const m = tx.add('member', key, { name: str(b, 'name') ?? '', project: lb.project, attrs: { lb: lb.key, pool: pool.attrs.pool, instance, port, address } });
    this.busy(tx, lb, m, 'PENDING_CREATE');
    return key;
  }

  private lbAction(lb: Meta, sub: string, method: string, base: string): ApiResponse {
    void base;
    if (sub === 'status' && method === 'GET') return json(200, { statuses: { loadbalancer: this.statusTree(lb) } });
    if (sub === 'stats' && method === 'GET') return json(200, { stats: { active_connections: 0, bytes_in: 0, bytes_out: 0, request_errors: 0, total_connections: 0 } });
    if (sub === 'failover' && method === 'PUT') return { status: 202 };
    throw notFound('Resource', `loadbalancers/${lb.id}/${sub}`);
  }

  private statusTree(lb: Meta): Json {
    const r = (m: Meta) => this.render(m);
    const brief = (j: Json, more: Json = {}) => ({ id: j.id, name: j.name, provisioning_status: j.provisioning_status, operating_status: j.operating_status, ...more });
    const lbJson = r(lb);
    const listeners = this.store.all('listener').filter((l) => l.attrs.lb === lb.key).map((l) => {
      const lj = r(l);
      const pools = this.store.all('pool').filter((p) => p.attrs.lb === lb.key && l.attrs.pending !== true && p.attrs.pool === l.attrs.pool).map((p) => {
        const pj = r(p);
        const members = this.store.all('member').filter((x) => x.attrs.lb === lb.key && x.attrs.pool === p.attrs.pool).map((x) => { const mj = r(x); return brief(mj, { address: mj.address, protocol_port: mj.protocol_port }); });
        const hmMeta = this.store.meta('healthmonitor', `${p.key}/hm`);
        return brief(pj, { members, ...(hmMeta ? { health_monitor: (() => { const h = r(hmMeta); return { id: h.id, name: h.name, type: h.type, provisioning_status: h.provisioning_status, operating_status: h.operating_status }; })() } : {}) });
      });
      return brief(lj, { pools });
    });
    return brief(lbJson, { listeners });
  }
}

function protocolForDoc(listener: Meta): 'tcp' | 'udp' | 'http' {
  return LISTENER_PROTOCOLS[String(listener.attrs.protocol)] ?? (listener.attrs.l4 === 'udp' ? 'udp' : 'tcp');
}

type MemberLong = { instance: string; port?: number; weight?: number; admin_state_up?: boolean };

function memberEntry(doc: LbDoc, m: Meta): MemberLong {
  const members = doc.pools[String(m.attrs.pool)]!.members;
  const found = members.find((x) => typeof x !== 'string' && x.instance === m.attrs.instance && (x.port ?? -1) === m.attrs.port)
    ?? members.find((x) => (typeof x === 'string' ? x : x.instance) === m.attrs.instance);
  if (found === undefined) throw new ApiError(404, 'NotFound', `Member ${m.id} not found.`);
  if (typeof found === 'string') {
    const long: MemberLong = { instance: found, port: Number(m.attrs.port) };
    members[members.indexOf(found)] = long;
    return long;
  }
  return found;
}

/** A file key for a new pool: its name made a valid key, unique in the load balancer. */
function uniqueIn(used: readonly string[], name: string, fallback: string): string {
  let base = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (base === '') base = fallback;
  if (!used.includes(base)) return base;
  for (let i = 2; ; i++) if (!used.includes(`${base}-${i}`)) return `${base}-${i}`;
}

const COLLECTIONS: Readonly<Record<string, Kind>> = { loadbalancers: 'loadbalancer', listeners: 'listener', pools: 'pool', healthmonitors: 'healthmonitor' };
const one = (kind: Kind): string => SINGULAR[kind]!;
const SINGULAR: Readonly<Record<string, string>> = { loadbalancer: 'loadbalancer', listener: 'listener', pool: 'pool', healthmonitor: 'healthmonitor', member: 'member' };
const PLURAL: Readonly<Record<string, string>> = { loadbalancer: 'loadbalancers', listener: 'listeners', pool: 'pools', healthmonitor: 'healthmonitors', member: 'members' };
const TITLE: Readonly<Record<string, string>> = { loadbalancer: 'Load Balancer', listener: 'Listener', pool: 'Pool', healthmonitor: 'Health Monitor', member: 'Member' };

/** Octavia's (WSME) error body. */
export function octaviaError(e: ApiError): ApiResponse {
  return json(e.status, { faultcode: e.status >= 500 ? 'Server' : 'Client', faultstring: e.message, debuginfo: null });
}
