/**
 * Neutron v2.0 over the store: the URL forms (collections, members, router actions, tags,
 * extensions, the version root), Neutron's envelopes (singular for one, plural with underscores
 * for lists, flat bodies for router interface actions), bulk create, and the NeutronError body.
 */
import { stableId } from '../ids.js';
import type { Token } from '../identity.js';
import type { Kind, Meta, Store, Tx } from '../store.js';
import { ApiError, badRequest, json, noContent, notFound, objectAt, type ApiRequest, type ApiResponse } from '../types.js';
import { listBody, selectFields } from './query.js';
import { renderFloatingIp, renderGroup, renderNetwork, renderPort, renderRbac, renderRouter, renderRule, renderSubnet, type Json } from './render.js';
import * as r from './resources.js';

interface Collection {
  readonly kind: Kind;
  readonly singular: string;
  readonly plural: string;
  readonly render: (store: Store, m: Meta) => Json;
  readonly create: (tx: Tx, store: Store, body: Record<string, unknown>, token: Token, newRuleId: () => string) => Meta;
  readonly update: (tx: Tx, store: Store, m: Meta, body: Record<string, unknown>, token: Token) => void;
  readonly remove: (tx: Tx, store: Store, m: Meta, token: Token) => void;
}

const COLLECTIONS: Readonly<Record<string, Collection>> = {
  networks: { kind: 'network', singular: 'network', plural: 'networks', render: renderNetwork, create: (tx, _s, b, t) => r.createNetwork(tx, b, t), update: (tx, _s, m, b, t) => r.updateNetwork(tx, m, b, t), remove: r.deleteNetwork },
  subnets: { kind: 'subnet', singular: 'subnet', plural: 'subnets', render: renderSubnet, create: (tx, s, b, t) => r.createSubnet(tx, s, b, t), update: (tx, _s, m, b, t) => r.updateSubnet(tx, m, b, t), remove: r.deleteSubnet },
  ports: { kind: 'port', singular: 'port', plural: 'ports', render: renderPort, create: (tx, s, b, t) => r.createPort(tx, s, b, t), update: r.updatePort, remove: r.deletePort },
  routers: { kind: 'router', singular: 'router', plural: 'routers', render: renderRouter, create: (tx, s, b, t) => r.createRouter(tx, s, b, t), update: r.updateRouter, remove: r.deleteRouter },
  'security-groups': { kind: 'security_group', singular: 'security_group', plural: 'security_groups', render: renderGroup, create: (tx, _s, b, t, id) => r.createGroup(tx, b, t, id), update: (tx, _s, m, b, t) => r.updateGroup(tx, m, b, t), remove: r.deleteGroup },
  'security-group-rules': {
    kind: 'security_group_rule', singular: 'security_group_rule', plural: 'security_group_rules', render: renderRule,
    create: (tx, s, b, t, newId) => {
      const { group, rule } = r.ruleFromRequest(tx, s, b, t);
      const named = typeof rule.protocol === 'number' ? ({ 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' } as Record<number, string>)[rule.protocol] ?? String(rule.protocol) : rule.protocol;
      const sig = signature(rule.direction, rule.ethertype ?? 'IPv4', { ...rule, protocol: named });
      const dup = ((group.attrs.rules as string[] | undefined) ?? []).find((id) => { const m = s.byIdOf('security_group_rule', id); return m && ruleSignature(renderRule(s, m), s) === sig; });
      if (dup) throw new ApiError(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${dup}.`);
      const id = newId();
      r.addRule(tx, group, rule, id, group.project, rule.description ?? '');
      return tx.meta('security_group_rule', id)!;
    },
    update: (tx, _s, m, b) => { const d = b.description; if (typeof d === 'string') { m.description = d; tx.touch(m); } },
    remove: r.deleteRule,
  },
  'rbac-policies': {
    kind: 'rbac_policy', singular: 'rbac_policy', plural: 'rbac_policies', render: renderRbac, create: (tx, s, b, t) => r.createRbac(tx, s, b, t),
    update: () => { throw badRequest('vnet: change an RBAC policy by deleting it and creating another', 'InvalidInput'); }, remove: r.deleteRbac,
  },
  floatingips: { kind: 'floatingip', singular: 'floatingip', plural: 'floatingips', render: renderFloatingIp, create: (tx, s, b, t) => r.createFloatingIp(tx, s, b, t), update: r.updateFloatingIp, remove: (tx, _s, m, t) => r.deleteFloatingIp(tx, m, t) },
};

type DocRuleLike = { protocol?: unknown; ports?: unknown; type?: number; code?: number; remote_ip_prefix?: string; remote_group?: string };

/** Two rules are the same rule when these agree (a /0 prefix is the same as none, as Neutron normalises it). */
function signature(direction: string, ethertype: string, d: DocRuleLike): string {
  const ports = d.ports === undefined ? '' : String(d.ports).includes('-') ? String(d.ports) : `${String(d.ports)}-${String(d.ports)}`;
  const prefix = d.remote_ip_prefix === undefined || /\/0$/.test(d.remote_ip_prefix) ? '' : d.remote_ip_prefix;
  return [direction, ethertype, d.protocol ?? '', ports, d.type ?? '', d.code ?? '', prefix, d.remote_group ?? ''].join('|');
}

function ruleSignature(j: Json, store: Store): string {
  // As Neutron's _rule_to_key: a protocol's name and number are the same protocol (udp is 17).
  const proto = j.protocol === null ? undefined : ({ '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'icmpv6', 'ipv6-icmp': 'icmpv6' } as Record<string, string>)[String(j.protocol)] ?? String(j.protocol);
  const icmp = proto === 'icmp' || proto === 'icmpv6';
  const group = j.remote_group_id === null ? undefined : store.byIdOf('security_group', String(j.remote_group_id))?.key;
  const d: DocRuleLike = {
    protocol: proto,
    ...(icmp ? { ...(j.port_range_min !== null ? { type: Number(j.port_range_min) } : {}), ...(j.port_range_max !== null ? { code: Number(j.port_range_max) } : {}) }
      : j.port_range_min !== null ? { ports: j.port_range_min === j.port_range_max ? String(j.port_range_min) : `${String(j.port_range_min)}-${String(j.port_range_max)}` } : {}),
    ...(j.remote_ip_prefix !== null ? { remote_ip_prefix: String(j.remote_ip_prefix) } : {}),
    ...(group !== undefined ? { remote_group: group } : {}),
  };
  return signature(String(j.direction), String(j.ethertype), d);
}

/** Extensions this server implements; clients switch features on this list, so nothing more. */
const EXTENSIONS: readonly [alias: string, name: string][] = [
  ['external-net', 'Neutron external network'], ['router', 'Neutron L3 Router'], ['ext-gw-mode', 'Neutron L3 Configurable external gateway mode'],
  ['extraroute', 'Neutron Extra Route'], ['security-group', 'security-group'], ['port-security', 'Port Security'],
  ['allowed-address-pairs', 'Allowed Address Pairs'], ['binding', 'Port Binding'], ['net-mtu', 'Network MTU'], ['project-id', 'project_id field enabled'],
  ['standard-attr-description', 'standard-attr-description'], ['tag', 'Tag support'], ['standard-attr-tag', 'Tag support for resources with standard attribute'],
  ['standard-attr-timestamp', 'Resource timestamps'], ['standard-attr-revisions', 'Resource revision numbers'], ['pagination', 'Pagination support'],
  ['sorting', 'Sorting support'], ['provider', 'Provider Network'], ['stateful-security-group', 'Stateful security group'],
  ['fip-port-details', 'Floating IP Port Details Extension'], ['ip-substring-filtering', 'IP address substring filtering'],
  ['rbac-policies', 'RBAC Policies'], ['quotas', 'Quota management support'], ['quota_details', 'Quota details extension'],
];
const extensionBody = ([alias, name]: readonly [string, string]) => ({ alias, name, description: name, updated: '2026-01-01T00:00:00-00:00', links: [] });

export class NeutronApi {
  private ruleCounter = 0;

  constructor(private readonly store: Store) {}

  handle(req: ApiRequest, path: string, token: Token): ApiResponse {
    const base = `${req.base}/network`;
    if (path === '' || path === '/') return json(200, { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/v2.0/` }] }] });
    const parts = path.replace(/^\/v2\.0/, '').split('/').filter((p) => p !== '').map((p) => p.replace(/\.json$/, ''));
    if (!path.startsWith('/v2.0')) throw notFound('HTTPNotFound', `The resource could not be found: ${path}`);
    if (parts.length === 0) return json(200, { resources: Object.entries(COLLECTIONS).map(([c, x]) => ({ name: x.singular, collection: c, links: [{ rel: 'self', href: `${base}/v2.0/${c}` }] })) });
    const [coll, id, sub, subId] = parts as [string, string?, string?, string?];
    if (coll === 'extensions') {
      if (id === undefined) return json(200, { extensions: EXTENSIONS.map(extensionBody) });
      const e = EXTENSIONS.find(([a]) => a === id);
      if (!e) throw notFound('ExtensionNotFound', `Extension with alias ${id} does not exist`);
      return json(200, { extension: extensionBody(e) });
    }
    if (coll === 'quotas') return this.quotas(req, id, sub, token);
    // vnet runs no agents (L3, DHCP, OVS): the list is empty for everyone, as Neutron's is for a member.
    if (coll === 'agents') {
      if (req.method !== 'GET') throw new ApiError(405, 'HTTPMethodNotAllowed', `${req.method} is not allowed on /v2.0/agents`);
      if (id === undefined) return json(200, listBody('agents', [], req.query, `${base}/v2.0/agents`));
      throw notFound('AgentNotFound', `Agent ${id} could not be found.`);
    }
    const c = COLLECTIONS[coll];
    if (!c) throw notFound('HTTPNotFound', `The resource could not be found: /v2.0/${coll}`);
    const method = req.method;
    if (id === undefined) {
      if (method === 'GET') return json(200, listBody(c.plural, this.visible(c, token).map((m) => c.render(this.store, m)), req.query, `${base}/v2.0/${coll}`));
      if (method === 'POST') return this.create(c, req, token);
      throw new ApiError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on /v2.0/${coll}`);
    }
    const found = this.find(c, id, token);
    if (sub === undefined) {
      if (method === 'GET') return json(200, { [c.singular]: selectFields(c.render(this.store, found), req.query) });
      if (method === 'PUT') {
        const body = objectAt(objectAt(req.body, 'the body')[c.singular], `"${c.singular}"`);
        this.store.transact((tx) => c.update(tx, this.store, tx.meta(c.kind, found.key)!, structuredClone(body), token));
        return json(200, { [c.singular]: c.render(this.store, this.find(c, id, token)) });
      }
      if (method === 'DELETE') {
        this.store.transact((tx) => c.remove(tx, this.store, tx.meta(c.kind, found.key)!, token));
        return noContent();
      }
      throw new ApiError(405, 'HTTPMethodNotAllowed', `${method} is not allowed here`);
    }
    if (sub === 'tags') return this.tags(c, found, method, subId, req.body);
    if (coll === 'routers' && (sub === 'add_router_interface' || sub === 'remove_router_interface') && method === 'PUT') return this.routerInterface(found, sub, req.body, token);
    if (coll === 'routers' && (sub === 'add_extraroutes' || sub === 'remove_extraroutes') && method === 'PUT') return this.extraRoutes(found, sub, req.body, token);
    throw notFound('HTTPNotFound', `The resource could not be found: ${path}`);
  }

  /** Quotas: Neutron's defaults, not enforced; details count what the project uses. */
  private quotas(req: ApiRequest, id: string | undefined, sub: string | undefined, token: Token): ApiResponse {
    const limits: Record<string, number> = { network: 100, subnet: 100, port: 500, router: 10, floatingip: 50, security_group: 10, security_group_rule: 100, rbac_policy: 10 };
    if (req.method !== 'GET') throw new ApiError(405, 'HTTPMethodNotAllowed', 'vnet: quotas are fixed (not enforced), so they cannot be changed');
    if (id === undefined) return json(200, { quotas: [] });
    const project = id === 'tenant' || id === 'project' ? token.projectId : id;
    if (!token.isAdmin && project !== token.projectId) throw new ApiError(403, 'PolicyNotAuthorized', 'Only admin can see another project\'s quotas.');
    if (sub === 'details' || sub === 'details.json') {
      const used = (kind: Kind) => this.store.all(kind).filter((m) => m.project === project).length;
      const kinds: Record<string, Kind> = { network: 'network', subnet: 'subnet', port: 'port', router: 'router', floatingip: 'floatingip', security_group: 'security_group', security_group_rule: 'security_group_rule', rbac_policy: 'rbac_policy' };
      return json(200, { quota: Object.fromEntries(Object.entries(limits).map(([k, limit]) => [k, { limit, used: used(kinds[k]!), reserved: 0 }])) });
    }
    if (id === 'tenant' || id === 'project') return json(200, { tenant: { tenant_id: token.projectId }, project: { project_id: token.projectId } });
    return json(200, { quota: limits });
  }

  private visible(c: Collection, token: Token): Meta[] {
    return this.store.all(c.kind).filter((m) => r.visible(this.store, m, token));
  }

  private find(c: Collection, id: string, token: Token): Meta {
    const m = this.store.byIdOf(c.kind, id);
    if (!m || !r.visible(this.store, m, token)) throw notFound(`${r.TYPE_NAME[c.kind]}NotFound`, `${r.TYPE_NAME[c.kind]} ${id} could not be found.`);
    return m;
  }

  private newRuleId = (): string => stableId(this.store.seed, 'security_group_rule', `api#${++this.ruleCounter}#${this.store.all('security_group_rule').length}`);

  private create(c: Collection, req: ApiRequest, token: Token): ApiResponse {
    const body = objectAt(req.body, 'the body');
    const bulk = body[c.plural];
    const items = bulk !== undefined ? bulk : [body[c.singular]];
    if (!Array.isArray(items)) throw badRequest(`expected "${c.plural}" to be a list`);
    const objects = items.map((i) => structuredClone(objectAt(i, `"${c.singular}"`)));
    const keys = this.store.transact((tx) => objects.map((o) => c.create(tx, this.store, o, token, this.newRuleId).key));
    const rendered = keys.map((k) => c.render(this.store, this.store.meta(c.kind, k)!));
    return bulk !== undefined ? json(201, { [c.plural]: rendered }) : json(201, { [c.singular]: rendered[0] });
  }

  private tags(c: Collection, m: Meta, method: string, tag: string | undefined, body: unknown): ApiResponse {
    const change = (f: (meta: Meta) => void) => this.store.transact((tx) => { const t = tx.meta(c.kind, m.key)!; f(t); tx.touch(t); });
    if (tag === undefined) {
      if (method === 'GET') return json(200, { tags: m.tags });
      if (method === 'PUT') {
        const tags = objectAt(body, 'the body').tags;
        if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) throw badRequest('Invalid input for tags: expected a list of strings', 'InvalidInput');
        change((t) => { t.tags = [...new Set(tags as string[])]; });
        return json(200, { tags: this.store.meta(c.kind, m.key)!.tags });
      }
      if (method === 'DELETE') { change((t) => { t.tags = []; }); return noContent(); }
    } else {
      if (method === 'GET') { if (!m.tags.includes(tag)) throw notFound('TagNotFound', `Tag ${tag} could not be found for ${c.singular} ${m.id}.`); return noContent(); }
      if (method === 'PUT') { change((t) => { if (!t.tags.includes(tag)) t.tags.push(tag); }); return json(201, null); }
      if (method === 'DELETE') {
        if (!m.tags.includes(tag)) throw notFound('TagNotFound', `Tag ${tag} could not be found for ${c.singular} ${m.id}.`);
        change((t) => { t.tags = t.tags.filter((x) => x !== tag); });
        return noContent();
      }
    }
    throw new ApiError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on tags`);
  }

  private routerInterface(m: Meta, action: string, body: unknown, token: Token): ApiResponse {
    const b = structuredClone(objectAt(body, 'the body'));
    const flat = (subnet: string, portId: string) => {
      const sm = this.store.meta('subnet', subnet)!;
      const net = this.store.cloud.subnets.get(subnet)?.network;
      return { id: m.id, tenant_id: m.project, project_id: m.project, port_id: portId, network_id: net === undefined ? null : this.store.meta('network', net)!.id, subnet_id: sm.id, subnet_ids: [sm.id], tags: [] };
    };
    if (action === 'add_router_interface') {
      const result = this.store.transact((tx) => {
        const out = r.addInterface(tx, this.store, tx.meta('router', m.key)!, b, token);
        if (out.keepId !== undefined) tx.add('port', out.portKey, { name: '', project: m.project, attrs: {} }, out.keepId);
        return out;
      });
      return json(200, flat(result.subnet, this.store.meta('port', result.portKey)!.id));
    }
    const result = this.store.transact((tx) => r.removeInterface(tx, this.store, tx.meta('router', m.key)!, b, token));
    return json(200, flat(result.subnet, result.portId));
  }

  private extraRoutes(m: Meta, action: string, body: unknown, token: Token): ApiResponse {
    const routes = objectAt(objectAt(body, 'the body').router, '"router"').routes;
    if (!Array.isArray(routes)) throw badRequest('Invalid input for routes: expected a list', 'InvalidInput');
    const current = (renderRouter(this.store, m).routes as { destination: string; nexthop: string }[]);
    const same = (a: { destination: string; nexthop: string }, x: unknown) => { const o = objectAt(x, 'a route'); return a.destination === o.destination && a.nexthop === o.nexthop; };
    const next = action === 'add_extraroutes'
      ? [...current, ...routes.filter((x) => !current.some((a) => same(a, x))).map((x) => { const o = objectAt(x, 'a route'); return { destination: String(o.destination), nexthop: String(o.nexthop) }; })]
      : current.filter((a) => !routes.some((x) => same(a, x)));
    this.store.transact((tx) => r.updateRouter(tx, this.store, tx.meta('router', m.key)!, { routes: next }, token));
    return json(200, { router: renderRouter(this.store, this.store.meta('router', m.key)!) });
  }
}

/** Neutron's error body. */
export function neutronError(e: ApiError): ApiResponse {
  return json(e.status, { NeutronError: { type: e.type, message: e.message, detail: '' } });
}
