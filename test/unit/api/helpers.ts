/**
 * An in-process API for tests: a store over a topology document, fixed users, a counter for
 * tokens and a clock that moves only when told (advance), and `call(method, path, body?, user?)` returning status and JSON.
 */
import { ApiApp } from '../../../src/api/app.js';
import { Identity, projectId } from '../../../src/api/identity.js';
import { Store, type Doc } from '../../../src/api/store.js';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Record<string, string>;
  text?: string;
}

export function testApi(doc: Doc = { version: 1, name: 't' }) {
  let n = 0;
  const saved: string[] = [];
  // The clock moves only when a test advances it (Octavia's PENDING_* window is 1 s).
  let now = Date.UTC(2026, 11, 5, 17);
  const advance = (ms: number) => { now += ms; };
  const store = new Store(doc, { adminProject: projectId('admin'), now: () => now, onChange: (t) => saved.push(t) });
  const identity = new Identity({ newToken: () => `tok${++n}`, now: () => now });
  const app = new ApiApp(store, identity);
  const tokens = new Map<string, string>();
  const raw = (method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Reply => {
    const url = new URL(target, 'http://x');
    const out = app.handle({ method, path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams, headers, body, base: 'http://127.0.0.1:9' });
    return { status: out.status, body: out.body, headers: { ...(out.headers ?? {}) }, ...(out.text !== undefined ? { text: out.text } : {}) };
  };
  const login = (user: string) => {
    if (!tokens.has(user)) {
      const r = raw('POST', '/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name: user, password: user, domain: { name: 'Default' } } } }, scope: { project: { name: user, domain: { name: 'Default' } } } } });
      tokens.set(user, r.headers['X-Subject-Token']!);
    }
    return tokens.get(user)!;
  };
  const call = (method: string, target: string, body?: unknown, user = 'admin'): Reply => raw(method, target, body, { 'x-auth-token': login(user) });
  return { store, app, raw, call, login, saved, advance };
}

const N = '/network/v2.0';

/**
 * The start most API tests share, as admin: an external network `public` (203.0.113.0/24) and a
 * private network with one subnet; with `router`, a router `r1` joining them with its gateway.
 */
export function publicAndPrivate(api: ReturnType<typeof testApi>, opts: { net?: string; sub?: string; cidr?: string; router?: boolean } = {}) {
  const { call } = api;
  const pub = call('POST', `${N}/networks`, { network: { name: 'public', 'router:external': true } }).body.network;
  call('POST', `${N}/subnets`, { subnet: { name: 'pub', network_id: pub.id, cidr: '203.0.113.0/24', ip_version: 4 } });
  const net = call('POST', `${N}/networks`, { network: { name: opts.net ?? 'net1' } }).body.network;
  const sub = call('POST', `${N}/subnets`, { subnet: { name: opts.sub ?? 'sub1', network_id: net.id, cidr: opts.cidr ?? '10.0.0.0/24', ip_version: 4 } }).body.subnet;
  if (opts.router !== true) return { pub, net, sub };
  const router = call('POST', `${N}/routers`, { router: { name: 'r1', external_gateway_info: { network_id: pub.id } } }).body.router;
  call('PUT', `${N}/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
  return { pub, net, sub, router };
}
