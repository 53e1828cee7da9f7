/**
 * Keystone v3, the minimum the OpenStack clients use: version discovery, password tokens
 * (X-Subject-Token), token validation, the service catalog and projects (the users' and the
 * topology's). Users come from --users, else admin/admin in project admin with role admin, demo
 * and demo2 with role member; domain Default. Tokens live in memory; their text comes from the caller (randomness is the shell's).
 */
import { keystoneId } from './ids.js';
import { ApiError, badRequest, json, objectAt, type ApiRequest, type ApiResponse } from './types.js';

export interface User {
  readonly name: string;
  readonly password: string;
  readonly project: string;
  readonly role: 'admin' | 'member';
}

export const DEFAULT_USERS: readonly User[] = [
  { name: 'admin', password: 'admin', project: 'admin', role: 'admin' },
  { name: 'demo', password: 'demo', project: 'demo', role: 'member' },
  { name: 'demo2', password: 'demo2', project: 'demo2', role: 'member' },
];

export const DOMAIN = { id: 'default', name: 'Default' } as const;
const REGION = 'RegionOne';
/** Tokens last a day, as Keystone's default expiration. */
const TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

export interface Token {
  readonly text: string;
  readonly user: User;
  readonly projectId: string;
  readonly isAdmin: boolean;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface IdentityOptions {
  readonly users?: readonly User[];
  /** More projects to list (the topology's), beside the users' own. */
  readonly projects?: () => readonly string[];
  readonly newToken: () => string;
  readonly now: () => number;
}

export const projectId = (name: string) => keystoneId('project', name);

/** Keystone's time format, which tempest parses with %Y-%m-%dT%H:%M:%S.%fZ. */
export const keystoneTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class Identity {
  private readonly users: readonly User[];
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly opts: IdentityOptions) {
    this.users = opts.users ?? DEFAULT_USERS;
  }

  projects(): { id: string; name: string }[] {
    return [...new Set([...this.users.map((u) => u.project), ...(this.opts.projects?.() ?? [])])].map((name) => ({ id: projectId(name), name }));
  }

  /** The token of a request, or a 401. */
  check(text: string | undefined): Token {
    const token = text === undefined ? undefined : this.tokens.get(text);
    if (!token || token.expiresAt <= this.opts.now()) throw new ApiError(401, 'Unauthorized', 'The request you have made requires authentication.');
    return token;
  }

  handle(req: ApiRequest, path: string): ApiResponse | undefined {
    if (path === '' || path === '/') return req.method === 'GET' ? json(200, { version: versionDoc(req.base) }) : undefined;
    if (path === '/auth/tokens') {
      if (req.method === 'POST') return this.issue(req);
      if (req.method === 'GET' || req.method === 'HEAD') {
        this.check(req.headers['x-auth-token']);
        const subject = this.check(req.headers['x-subject-token']);
        return json(200, { token: this.tokenBody(subject, req.base) }, { 'X-Subject-Token': subject.text });
      }
      if (req.method === 'DELETE') {
        this.check(req.headers['x-auth-token']);
        const subject = this.check(req.headers['x-subject-token']);
        this.tokens.delete(subject.text);
        return { status: 204 };
      }
      return undefined;
    }
    if (req.method !== 'GET') return undefined;
    const caller = this.check(req.headers['x-auth-token']);
    const visible = this.projects().filter((p) => caller.isAdmin || p.id === caller.projectId).map((p) => projectBody(p, req.base));
    if (path === '/projects' || path === '/auth/projects') {
      const name = req.query.get('name');
      return json(200, { projects: visible.filter((p) => name === null || p.name === name), links: { self: `${req.base}/v3${path}`, next: null, previous: null } });
    }
    const one = /^\/projects\/([^/]+)$/.exec(path);
    if (one) {
      const p = visible.find((x) => x.id === one[1]);
      if (!p) throw new ApiError(404, 'NotFound', `Could not find project: ${one[1]}.`);
      return json(200, { project: p });
    }
    const userProjects = /^\/users\/([^/]+)\/projects$/.exec(path);
    if (userProjects) return json(200, { projects: visible, links: { self: `${req.base}/v3${path}`, next: null, previous: null } });
    if (path === '/domains') return json(200, { domains: [{ ...DOMAIN, enabled: true, description: 'The default domain', links: { self: `${req.base}/v3/domains/default` } }] });
    return undefined;
  }

  private issue(req: ApiRequest): ApiResponse {
    const auth = objectAt(objectAt(req.body, 'the body').auth, '"auth"');
    const identity = objectAt(auth.identity, '"auth.identity"');
    const methods = identity.methods;
    if (!Array.isArray(methods) || !methods.includes('password')) throw badRequest('only the password method is supported', 'ValidationError');
    const user = objectAt(objectAt(identity.password, '"auth.identity.password"').user, '"auth.identity.password.user"');
    const found = this.users.find((u) => (u.name === user.name || keystoneId('user', u.name) === user.id) && u.password === user.password);
    if (!found) throw new ApiError(401, 'Unauthorized', 'The request you have made requires authentication.');
    let project = found.project;
    if (auth.scope !== undefined) {
      const scope = objectAt(objectAt(auth.scope, '"auth.scope"').project, '"auth.scope.project"');
      const wanted = this.projects().find((p) => p.name === scope.name || p.id === scope.id);
      if (!wanted || (wanted.name !== found.project && found.role !== 'admin')) throw new ApiError(401, 'Unauthorized', `User ${found.name} has no access to project ${String(scope.name ?? scope.id)}.`);
      project = wanted.name;
    }
    const issuedAt = this.opts.now();
    const token: Token = { text: this.opts.newToken(), user: found, projectId: projectId(project), isAdmin: found.role === 'admin', issuedAt, expiresAt: issuedAt + TOKEN_LIFETIME_MS };
    this.tokens.set(token.text, token);
    return json(201, { token: this.tokenBody(token, req.base) }, { 'X-Subject-Token': token.text });
  }

  private tokenBody(t: Token, base: string) {
    const project = this.projects().find((p) => p.id === t.projectId)!;
    const roles = t.user.role === 'admin' ? ['admin', 'member', 'reader'] : ['member', 'reader'];
    return {
      methods: ['password'],
      user: { id: keystoneId('user', t.user.name), name: t.user.name, domain: DOMAIN, password_expires_at: null },
      project: { id: project.id, name: project.name, domain: DOMAIN },
      roles: roles.map((r) => ({ id: keystoneId('role', r), name: r })),
      issued_at: keystoneTime(t.issuedAt),
      expires_at: keystoneTime(t.expiresAt),
      audit_ids: [keystoneId('audit', t.text).slice(0, 22)],
      is_domain: false,
      catalog: catalog(base),
    };
  }
}

function versionDoc(base: string) {
  return {
    id: 'v3.14', status: 'stable', updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** `GET /`: Keystone's version list, with its `values` wrapper. */
export function identityVersions(base: string): ApiResponse {
  return json(300, { versions: { values: [versionDoc(base)] } });
}

function projectBody(p: { id: string; name: string }, base: string) {
  return { id: p.id, name: p.name, domain_id: DOMAIN.id, description: '', enabled: true, is_domain: false, parent_id: DOMAIN.id, tags: [], options: {}, links: { self: `${base}/v3/projects/${p.id}` } };
}

/** Services under path prefixes of this one server, as devstack lays them out; network is unversioned (clients append v2.0). */
export function catalog(base: string) {
  const service = (type: string, name: string, url: string) => ({
    id: keystoneId('service', type), type, name,
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: keystoneId('endpoint', `${type}:${iface}`), interface: iface, region: REGION, region_id: REGION, url })),
  });
  return [
    service('identity', 'keystone', `${base}/v3`), service('network', 'neutron', `${base}/network`),
    service('load-balancer', 'octavia', `${base}/load-balancer`), service('compute', 'nova', `${base}/compute/v2.1`), service('image', 'glance', `${base}/image`),
  ];
}

/**
 * A --users file: `users: [{ name, password, project, role: admin|member }]`. Every problem is
 * returned, named by its place (users[2].role), so a bad file never starts a server.
 */
export function parseUsers(value: unknown): { users: User[]; problems: string[] } {
  const problems: string[] = [];
  const users: User[] = [];
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).users : undefined;
  if (!Array.isArray(list) || list.length === 0) return { users, problems: ['expected a mapping with users: a non-empty list of { name, password, project, role }'] };
  const known = new Set(['name', 'password', 'project', 'role']);
  list.forEach((u, i) => {
    const at = `users[${i}]`;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) { problems.push(`${at}: expected a mapping { name, password, project, role }`); return; }
    const o = u as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!known.has(k)) problems.push(`${at}.${k}: unknown key (expected name, password, project, role)`);
    for (const k of ['name', 'password', 'project'] as const) if (typeof o[k] !== 'string' || o[k] === '') problems.push(`${at}.${k}: expected a non-empty string`);
    if (typeof o.project === 'string' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.project)) problems.push(`${at}.project: expected a project name of letters, digits, "_", "." or "-" (as in a topology file)`);
    const role = o.role ?? 'member';
    if (role !== 'admin' && role !== 'member') problems.push(`${at}.role: expected admin or member, got ${JSON.stringify(role)}`);
    if (typeof o.name === 'string' && users.some((x) => x.name === o.name)) problems.push(`${at}.name: user ${o.name} is listed twice`);
    if (problems.length === 0) users.push({ name: String(o.name), password: String(o.password), project: String(o.project), role: role as 'admin' | 'member' });
  });
  if (problems.length === 0 && !users.some((u) => u.role === 'admin' && u.project === 'admin')) problems.push('users: expected at least one admin user in project admin (vnet\'s admin project owns the external networks)');
  return { users: problems.length ? [] : users, problems };
}
