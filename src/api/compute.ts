/**
 * A little Nova and Glance: fixed flavors (m1.tiny, m1.small, m1.medium) and images (cirros,
 * ubuntu-24.04), and servers, each a vnet instance. `server create --network` makes the instance
 * with a Nova port per network (device_owner compute:nova); `--nic port-id=` moves an unbound
 * Neutron port into it (and delete moves it back). Metadata `vnet:services` sets what the
 * instance listens on. Errors use Nova's bodies; Glance's 404 is plain text, as Glance's is.
 */
import { stableId } from './ids.js';
import type { Token } from './identity.js';
import { dropMembers, findIn, str, ownerOf, owned, visible } from './neutron/resources.js';
import { fixedIpsFor } from './neutron/resources.js';
import type { Json } from './neutron/render.js';
import type { Doc, Meta, Store, Tx } from './store.js';
import { isoTime } from './store.js';
import { ApiError, badRequest, json, noContent, objectAt, type ApiRequest, type ApiResponse } from './types.js';

type Body = Record<string, unknown>;
type PortDocLong = Exclude<NonNullable<Doc['instances']>[string]['ports'][number], string>;

/** The highest microversion served; clients may ask for any up to it ("latest" is it). */
const MAX_MICROVERSION = '2.95';

export const FLAVORS = [
  { id: '1', name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 },
  { id: '2', name: 'm1.small', ram: 2048, vcpus: 1, disk: 20 },
  { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 },
] as const;

export const IMAGES = [
  { name: 'cirros', size: 21430272, disk: 1 },
  { name: 'ubuntu-24.04', size: 614465536, disk: 5 },
].map((i) => ({ ...i, id: stableId(0, 'image', i.name) }));

const SERVICES_KEY = 'vnet:services';

function microversion(req: ApiRequest): [number, number] {
  const fromHeader = /compute\s+([\d.]+|latest)/i.exec(req.headers['openstack-api-version'] ?? '')?.[1] ?? req.headers['x-openstack-nova-api-version'] ?? '2.1';
  const text = fromHeader.toLowerCase() === 'latest' ? MAX_MICROVERSION : fromHeader;
  const m = /^2\.(\d+)$/.exec(text.trim());
  if (!m) throw new ApiError(400, 'badRequest', `Version ${text} is not supported by the API; the range is 2.1 to ${MAX_MICROVERSION}.`);
  const minor = Number(m[1]);
  if (minor > 95) throw new ApiError(406, 'notAcceptable', `Version ${text} is not supported by the API. Minimum is 2.1 and maximum is ${MAX_MICROVERSION}.`);
  return [2, Math.max(1, minor)];
}

export class ComputeApi {
  constructor(private readonly store: Store) {}

  handle(req: ApiRequest, path: string, token: Token): ApiResponse {
    const base = `${req.base}/compute`;
    if (path === '' || path === '/') return json(200, { versions: [this.version(base)] });
    const m = /^\/v2(?:\.1)?(\/.*)?$/.exec(path);
    if (!m) throw new ApiError(404, 'itemNotFound', `The resource could not be found: /compute${path}`);
    const [, minor] = microversion(req);
    const out = this.route(req, (m[1] ?? '').split('/').filter((p) => p !== ''), token, base, minor);
    return { ...out, headers: { ...(out.headers ?? {}), 'OpenStack-API-Version': `compute 2.${minor}`, 'X-OpenStack-Nova-API-Version': `2.${minor}`, Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version' } };
  }

  private version(base: string): Json {
    return { id: 'v2.1', status: 'CURRENT', version: MAX_MICROVERSION, min_version: '2.1', updated: '2013-07-23T11:33:21Z', links: [{ rel: 'self', href: `${base}/v2.1/` }], 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }] };
  }

  private route(req: ApiRequest, parts: string[], token: Token, base: string, minor: number): ApiResponse {
    const [coll, id, sub] = parts as [string?, string?, string?];
    const method = req.method;
    if (coll === undefined) return json(200, { version: this.version(base) });
    if (coll === 'flavors' && method === 'GET') {
      if (id === undefined || id === 'detail') return json(200, { flavors: FLAVORS.map((f) => (id === 'detail' ? this.flavor(f, base, minor) : { id: f.id, name: f.name, links: flavorLinks(f.id, base), ...(minor >= 55 ? { description: null } : {}) })) });
      const f = FLAVORS.find((x) => x.id === id);
      if (!f) throw new ApiError(404, 'itemNotFound', `Flavor ${id} could not be found.`);
      if (sub === 'os-extra_specs') return json(200, { extra_specs: {} });
      return json(200, { flavor: this.flavor(f, base, minor) });
    }
    if ((coll === 'os-quota-sets' || coll === 'limits') && method === 'GET') {
      const quota = { instances: 100, cores: 200, ram: 512000, key_pairs: 100, metadata_items: 128, server_groups: 10, server_group_members: 10, injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255 };
      if (coll === 'limits') return json(200, { limits: { absolute: { maxTotalInstances: 100, maxTotalCores: 200, maxTotalRAMSize: 512000, totalInstancesUsed: this.store.all('server').length, totalCoresUsed: 0, totalRAMUsed: 0 }, rate: [] } });
      return json(200, { quota_set: { id: id ?? token.projectId, ...quota } });
    }
    if (coll === 'os-availability-zone' && method === 'GET') return json(200, { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] });
    if (coll === 'os-keypairs' && method === 'GET' && id === undefined) return json(200, { keypairs: [] });
    if (coll !== 'servers') throw new ApiError(404, 'itemNotFound', `The resource could not be found: ${coll}`);
    if (id === undefined || id === 'detail') {
      if (method === 'GET') return this.list(req, token, base, minor, id === 'detail');
      if (method === 'POST' && id === undefined) return this.create(req, token, base);
      throw new ApiError(405, 'badRequest', `${method} is not allowed on servers`);
    }
    const server = this.find(id, token);
    if (sub === undefined) {
      if (method === 'GET') return json(200, { server: this.render(server, base, minor) });
      if (method === 'DELETE') { this.store.transact((tx) => this.remove(tx, tx.meta('server', server.key)!, token)); return noContent(); }
      if (method === 'PUT') {
        const b = objectAt(objectAt(req.body, 'the body').server, '"server"');
        this.store.transact((tx) => { const s = tx.meta('server', server.key)!; owned(s, token); const name = str(b, 'name'); if (name !== undefined) s.name = name; tx.touch(s); });
        return json(200, { server: this.render(this.store.meta('server', server.key)!, base, minor) });
      }
    }
    if (sub === 'os-interface' && method === 'GET') {
      const ports = this.portsOf(server);
      return json(200, { interfaceAttachments: ports.map((pm) => { const p = this.store.cloud.ports.get(pm.key)!; return { port_id: pm.id, net_id: this.store.meta('network', p.network)!.id, mac_addr: p.mac, port_state: 'ACTIVE', fixed_ips: p.fixedIps.map((f) => ({ subnet_id: this.store.meta('subnet', f.subnet)!.id, ip_address: f.address.text })) }; }) });
    }
    if (sub === 'os-security-groups' && method === 'GET') return json(200, { security_groups: this.groupsOf(server).map((g) => ({ id: g.id, name: g.name, description: g.description, tenant_id: g.project, rules: [] })) });
    if (sub === 'metadata' && method === 'GET') return json(200, { metadata: this.metadata(server) });
    if (sub === 'tags' && method === 'GET') return json(200, { tags: [] });
    if (sub === 'action' && method === 'POST') throw badRequest('vnet: server actions are not modelled (floating IPs go through Neutron: openstack server add floating ip)');
    throw new ApiError(404, 'itemNotFound', `The resource could not be found: servers/${id}/${sub ?? ''}`);
  }

  private flavor(f: (typeof FLAVORS)[number], base: string, minor: number): Json {
    return {
      id: f.id, name: f.name, ram: f.ram, vcpus: f.vcpus, disk: f.disk, 'OS-FLV-EXT-DATA:ephemeral': 0, 'OS-FLV-DISABLED:disabled': false, swap: '',
      rxtx_factor: 1.0, 'os-flavor-access:is_public': true, links: flavorLinks(f.id, base), ...(minor >= 55 ? { description: null } : {}), ...(minor >= 61 ? { extra_specs: {} } : {}),
    };
  }

  private find(id: string, token: Token): Meta {
    const m = this.store.byIdOf('server', id);
    if (!m || !visible(this.store, m, token)) throw new ApiError(404, 'itemNotFound', `Instance ${id} could not be found.`);
    return m;
  }

  private portsOf(server: Meta): Meta[] {
    const inst = this.store.cloud.instances.get(server.key);
    return (inst?.ports ?? []).map((p) => this.store.meta('port', p)).filter((x) => x !== undefined);
  }

  private groupsOf(server: Meta): Meta[] {
    const keys = new Set(this.portsOf(server).flatMap((pm) => this.store.cloud.ports.get(pm.key)!.securityGroups));
    return [...keys].map((k) => this.store.meta('security_group', k)).filter((x) => x !== undefined);
  }

  private metadata(server: Meta): Record<string, string> {
    const services = this.store.cloud.instances.get(server.key)?.services ?? [];
    const extra = (server.attrs.metadata as Record<string, string> | undefined) ?? {};
    return { ...extra, ...(services.length ? { [SERVICES_KEY]: services.map((s) => s.text).join(',') } : {}) };
  }

  render(m: Meta, base: string, minor: number): Json {
    const store = this.store;
    const addresses: Record<string, Json[]> = {};
    for (const pm of this.portsOf(m)) {
      const p = store.cloud.ports.get(pm.key)!;
      const net = store.meta('network', p.network)?.name || p.network;
      const list = (addresses[net] ??= []);
      for (const f of p.fixedIps) list.push({ addr: f.address.text, version: f.address.text.includes(':') ? 6 : 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': p.mac });
      for (const fip of store.cloud.floatingIps.values()) if (fip.port === p.id) list.push({ addr: fip.address.text, version: 4, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': p.mac });
    }
    const flavor = FLAVORS.find((f) => f.id === m.attrs.flavor) ?? FLAVORS[1];
    const image = IMAGES.find((i) => i.id === m.attrs.image) ?? IMAGES[0]!;
    const self = `${base}/v2.1/servers/${m.id}`;
    return {
      id: m.id, name: m.name, status: 'ACTIVE', tenant_id: m.project, user_id: typeof m.attrs.user === 'string' ? m.attrs.user : '', metadata: this.metadata(m),
      hostId: stableId(0, 'host', m.project).replace(/-/g, ''), image: { id: image.id, links: [{ rel: 'bookmark', href: `${base}/images/${image.id}` }] },
      flavor: minor >= 47 ? { vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, ephemeral: 0, swap: 0, original_name: flavor.name, extra_specs: {} } : { id: flavor.id, links: flavorLinks(flavor.id, base) },
      created: m.created, updated: m.updated, addresses, accessIPv4: '', accessIPv6: '', links: [{ rel: 'self', href: self }, { rel: 'bookmark', href: self }],
      'OS-DCF:diskConfig': 'MANUAL', progress: 0, 'OS-EXT-AZ:availability_zone': 'nova', config_drive: '', key_name: null,
      'OS-SRV-USG:launched_at': m.created.replace(/Z$/, '.000000'), 'OS-SRV-USG:terminated_at': null,
      security_groups: this.groupsOf(m).map((g) => ({ name: g.name })), 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1,
      'os-extended-volumes:volumes_attached': [], locked: false, ...(minor >= 19 ? { description: null } : {}), ...(minor >= 26 ? { tags: [] } : {}),
      ...(minor >= 63 ? { trusted_image_certificates: null } : {}), ...(minor >= 73 ? { locked_reason: null } : {}), ...(minor >= 90 ? { 'OS-EXT-SRV-ATTR:hostname': m.name } : {}),
    };
  }

  private list(req: ApiRequest, token: Token, base: string, minor: number, detail: boolean): ApiResponse {
    const q = req.query;
    const allTenants = token.isAdmin && /^(1|true|yes)$/i.test(q.get('all_tenants') ?? '');
    const nameText = q.get('name');
    let name: RegExp | undefined;
    // Nova's name filter is a regular expression; one that does not compile matches literally.
    if (nameText !== null) { try { name = new RegExp(nameText); } catch { name = new RegExp(nameText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')); } }
    const servers = this.store.all('server').filter((m) => (allTenants || m.project === token.projectId) && (name === undefined || name.test(m.name)))
      .filter(() => q.get('status') === null || q.get('status')!.toUpperCase() === 'ACTIVE');
    return json(200, { servers: servers.map((m) => (detail ? this.render(m, base, minor) : { id: m.id, name: m.name, links: this.render(m, base, minor).links })) });
  }

  private create(req: ApiRequest, token: Token, base: string): ApiResponse {
    const b = structuredClone(objectAt(objectAt(req.body, 'the body').server, '"server"'));
    const key = this.store.transact((tx) => this.build(tx, b, token));
    const m = this.store.meta('server', key)!;
    const self = `${base}/v2.1/servers/${m.id}`;
    return json(202, {
      server: { id: m.id, links: [{ rel: 'self', href: self }, { rel: 'bookmark', href: self }], 'OS-DCF:diskConfig': 'MANUAL', security_groups: this.groupsOf(m).map((g) => ({ name: g.name })), adminPass: 'vnet' },
    }, { Location: self });
  }

  private build(tx: Tx, b: Body, token: Token): string {
    const name = str(b, 'name');
    if (name === undefined || name === '') throw badRequest("Invalid input for field/attribute name. Value: None. None is not of type 'string'");
    const flavorRef = String(b.flavorRef ?? '').replace(/^.*\/flavors\//, '');
    const flavor = FLAVORS.find((f) => f.id === flavorRef || f.name === flavorRef);
    if (!flavor) throw badRequest(`Flavor ${flavorRef} could not be found.`);
    const imageRef = String(b.imageRef ?? '').replace(/^.*\/images\//, '');
    const image = IMAGES.find((i) => i.id === imageRef || i.name === imageRef);
    if (!image) throw badRequest(`Can not find requested image ${imageRef}`);
    for (const k of ['min_count', 'max_count']) if (b[k] !== undefined && Number(b[k]) !== 1) throw badRequest(`vnet: ${k} must be 1 (one server per request)`);
    const networks = b.networks;
    if (!Array.isArray(networks) || networks.length === 0) throw badRequest('vnet: a server needs networks: [{"uuid": NETWORK}] or [{"port": PORT}] (auto and none are not modelled)');
    const metadata = b.metadata === undefined ? {} : objectAt(b.metadata, '"metadata"');
    const services = metadata[SERVICES_KEY];
    if (services !== undefined && typeof services !== 'string') throw badRequest(`metadata ${SERVICES_KEY}: expected a comma-separated string such as "tcp/22,tcp/80"`);
    const project = ownerOf(b, token);
    const key = tx.uniqueKey(name, 'server');
    const server = tx.add('server', key, { name, project, attrs: { flavor: flavor.id, image: image.id, user: token.user.name, metadata: Object.fromEntries(Object.entries(metadata).filter(([k]) => k !== SERVICES_KEY).map(([k, v]) => [k, String(v)])) } });
    const groups = b.security_groups === undefined ? undefined : (Array.isArray(b.security_groups) ? b.security_groups : [b.security_groups]).map((g, i) => this.group(tx, String(objectAt(g, `security_groups[${i}]`).name), token));
    const ports: PortDocLong[] = [];
    (tx.doc.instances ??= {})[key] = { ports, ...(services ? { services: services.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}) };
    networks.forEach((n, i) => {
      const o = objectAt(n, `networks[${i}]`);
      const portName = `eth${i}`;
      if (typeof o.port === 'string') {
        ports.push(this.bindPort(tx, o.port, key, portName, server, token));
        return;
      }
      const netId = str(o, 'uuid');
      if (netId === undefined) throw badRequest(`networks[${i}]: expected "uuid" (a network) or "port"`);
      const net = findIn(tx, this.store, 'network', netId, token);
      if (net.attrs.external === true) throw badRequest(`vnet: network ${netId} is external; a server's port is on a tenant network (use a floating IP)`);
      const fixedIp = str(o, 'fixed_ip');
      const fixed = fixedIpsFor(tx, this.store, net.key, fixedIp === undefined ? {} : { fixed_ips: [{ ip_address: fixedIp }] }, token);
      ports.push({ name: portName, fixed_ips: fixed, ...(groups !== undefined ? { security_groups: groups } : {}) });
      tx.add('port', `${key}/${portName}`, { name: '', project, attrs: { admin_state_up: true, device_owner: 'compute:nova', device_id: server.id, host: 'vnet' } });
    });
    return key;
  }

  /** A security group by name or ID (OSC sends the ID in `name`), among those the caller sees. */
  private group(tx: Tx, ref: string, token: Token): string {
    const byId = this.store.byIdOf('security_group', ref);
    if (byId && visible(this.store, byId, token)) return byId.key;
    const named = tx.all('security_group').filter((g) => g.name === ref && visible(this.store, g, token) && (g.project === token.projectId || g.name !== 'default'));
    if (named.length !== 1) throw badRequest(named.length ? `Multiple security groups named ${ref}; give its ID` : `Unable to find security_group with name or id '${ref}'`);
    return named[0]!.key;
  }

  /** `--nic port-id=`: the unbound port leaves its own one-port instance and becomes this server's. */
  private bindPort(tx: Tx, portId: string, key: string, portName: string, server: Meta, token: Token): PortDocLong {
    const pm = findIn(tx, this.store, 'port', portId, token);
    const p = this.store.cloud.ports.get(pm.key);
    const from = pm.key.slice(0, pm.key.indexOf('/'));
    if (!p || p.owner.kind !== 'instance' || pm.attrs.device_owner === undefined || (pm.attrs.device_owner !== '' && pm.attrs.device_id !== '') || tx.meta('server', from)) {
      throw new ApiError(409, 'conflictingRequest', `Port ${portId} is still in use.`);
    }
    const entry = tx.doc.instances![from]!.ports[0] as PortDocLong;
    delete tx.doc.instances![from];
    const moved = tx.rekey('port', pm.key, `${key}/${portName}`);
    Object.assign(moved.attrs, { device_owner: 'compute:nova', device_id: server.id, origin: from });
    repoint(tx, [from, pm.key], `${key}/${portName}`);
    dropMembers(tx, from);
    return { ...entry, name: portName };
  }

  private remove(tx: Tx, server: Meta, token: Token): void {
    owned(server, token);
    const inst = tx.doc.instances?.[server.key];
    for (const [i, entry] of (inst?.ports ?? []).entries()) {
      const long = typeof entry === 'string' ? { subnet: entry } : entry;
      const portKey = `${server.key}/${long.name ?? `eth${i}`}`;
      const pm = tx.meta('port', portKey);
      const origin = pm?.attrs.origin;
      if (pm && typeof origin === 'string') {
        // A port given to the server goes back to being a port of its own, with its address and MAC.
        const home = tx.doc.instances?.[origin] || origin === server.key ? tx.uniqueKey(origin, 'port') : origin;
        tx.doc.instances![home] = { ports: [{ ...long, name: 'eth0' }] };
        const back = tx.rekey('port', portKey, `${home}/eth0`);
        Object.assign(back.attrs, { device_owner: '', device_id: '' });
        delete back.attrs.origin;
        repoint(tx, [portKey, ...(i === 0 ? [server.key] : [])], `${home}/eth0`);
      } else {
        for (const f of Object.values(tx.doc.floating_ips ?? {})) if (f.port === portKey || (i === 0 && f.port === server.key)) delete f.port;
        tx.remove('port', portKey);
      }
    }
    delete tx.doc.instances?.[server.key];
    dropMembers(tx, server.key);
    tx.remove('server', server.key);
  }
}

/** Floating IPs that named a port by an old reference now name it by the new one. */
function repoint(tx: Tx, old: readonly string[], to: string): void {
  for (const f of Object.values(tx.doc.floating_ips ?? {})) if (f.port !== undefined && old.includes(f.port)) f.port = to;
}

function flavorLinks(id: string, base: string) {
  return [{ rel: 'self', href: `${base}/v2.1/flavors/${id}` }, { rel: 'bookmark', href: `${base}/flavors/${id}` }];
}

/** Nova's error body: the status's name wrapping code and message. */
export function novaError(e: ApiError): ApiResponse {
  const names: Record<number, string> = { 400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 406: 'notAcceptable', 409: 'conflictingRequest', 413: 'overLimit' };
  return json(e.status, { [names[e.status] ?? 'computeFault']: { code: e.status, message: e.message } });
}

// ---------------------------------------------------------------- Glance

export function imageApi(req: ApiRequest, path: string): ApiResponse {
  const base = `${req.base}/image`;
  if (path === '' || path === '/') return json(300, { versions: ['2.16', '2.15', '2.9', '2.0'].map((v, i) => ({ id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href: `${base}/v2/` }] })) });
  const m = /^\/v2(?:\.\d+)?\/images(?:\/([^/]+))?$/.exec(path);
  if (!m || req.method !== 'GET') throw new ApiError(404, 'NotFound', 'The resource could not be found.');
  const render = (i: (typeof IMAGES)[number]) => ({
    id: i.id, name: i.name, status: 'active', visibility: 'public', protected: false, os_hidden: false, owner: null, disk_format: 'qcow2', container_format: 'bare',
    size: i.size, virtual_size: null, min_disk: i.disk, min_ram: 0, checksum: null, os_hash_algo: null, os_hash_value: null, tags: [],
    created_at: isoTime(Date.UTC(2026, 0, 1)), updated_at: isoTime(Date.UTC(2026, 0, 1)), self: `/v2/images/${i.id}`, file: `/v2/images/${i.id}/file`, schema: '/v2/schemas/image',
  });
  if (m[1] !== undefined) {
    const i = IMAGES.find((x) => x.id === m[1]);
    if (!i) throw new ApiError(404, 'NotFound', `No image found with ID ${m[1]}`);
    return json(200, render(i));
  }
  const name = req.query.get('name');
  return json(200, { images: IMAGES.filter((i) => name === null || i.name === name).map(render), first: '/v2/images', schema: '/v2/schemas/images' });
}

/** Glance answers errors in plain text. */
export function glanceError(e: ApiError): ApiResponse {
  const title = e.status === 404 ? 'Not Found' : e.status === 401 ? 'Unauthorized' : e.status === 400 ? 'Bad Request' : 'Error';
  return { status: e.status, headers: { 'Content-Type': 'text/plain; charset=UTF-8' }, text: `${e.status} ${title}\n\n${e.message}\n\n   ` };
}
