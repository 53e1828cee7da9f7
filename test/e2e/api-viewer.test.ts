/**
 * `vnet api` serves the live viewer and its WebSocket stream on its own port (issue 16): runApi
 * in-process on an ephemeral port, a `ws` client on /ws, writes through Neutron with a Keystone
 * token. Each write that changes the cloud reaches the viewer as a `hello` `reload` holding the
 * new topology, and `inject` probes the current state; the page is at /viewer/ (/ stays
 * Keystone's), and the viewer's access rules are `vnet serve`'s (Host, Origin).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runApi } from '../../src/cli/api.js';
import { Client, type Msg } from './ws-client.js';

const N = '/network/v2.0';

const nodeIds = (hello: Msg): string[] => (hello.topology.nodes as [string, ...unknown[]][]).map((n) => n[0]);

let url: string;
let stop: AbortController;
let done: Promise<number>;
let token: string;
const io = memoryIo();

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Msg }> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Msg) };
}

/** A request with the headers given as they are (fetch will not send another Host). */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForLine(pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const l of io.stdout) {
      const m = l.match(pattern);
      if (m) return m;
    }
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${io.stdout.join('\n')}\n${io.stderr.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  stop = new AbortController();
  done = runApi(undefined, { port: '0' }, io, stop.signal);
  [, url] = (await waitForLine(/on (http:\/\/127\.0\.0\.1:\d+)$/)) as [string, string];
  const auth = await fetch(`${url}/v3/auth/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'admin', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }),
  });
  expect(auth.status).toBe(201);
  token = auth.headers.get('x-subject-token')!;
});

afterAll(async () => {
  stop.abort();
  expect(await done).toBe(0);
});

describe('vnet api serves the live viewer', () => {
  it('prints where the viewer and the WebSocket are', async () => {
    await waitForLine(/viewer: http:\/\/127\.0\.0\.1:\d+\/viewer\/ +WebSocket: ws:\/\/127\.0\.0\.1:\d+\/ws$/);
  });

  it('a router created through Neutron reaches a connected viewer; inject probes the current state', async () => {
    const ws = await Client.open(`${url.replace(/^http/, 'ws')}/ws`);
    const first = await ws.waitForAt((m) => m.type === 'hello');
    expect(first.msg.reason).toBe('connect');
    expect(nodeIds(first.msg)).not.toContain('router:edge');

    const pub = (await call('POST', `${N}/networks`, { network: { name: 'public', 'router:external': true } })).body.network;
    await call('POST', `${N}/subnets`, { subnet: { name: 'pub', network_id: pub.id, cidr: '203.0.113.0/24', ip_version: 4 } });
    const net = (await call('POST', `${N}/networks`, { network: { name: 'app' } })).body.network;
    const sub = (await call('POST', `${N}/subnets`, { subnet: { name: 'web', network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4 } })).body.subnet;
    const created = await call('POST', `${N}/routers`, { router: { name: 'edge', external_gateway_info: { network_id: pub.id } } });
    expect(created.status).toBe(201);
    const withRouter = await ws.waitForAt((m) => m.type === 'hello' && nodeIds(m).includes('router:edge'));
    expect(withRouter.msg.reason).toBe('reload');
    expect(withRouter.msg.v).toBe(1);
    expect(nodeIds(withRouter.msg)).toEqual(expect.arrayContaining(['network:app', 'external:public', 'internet']));
    expect((await call('PUT', `${N}/routers/${created.body.router.id}/add_router_interface`, { subnet_id: sub.id })).status).toBe(200);

    // A port is a one-port instance; a probe to an address nobody holds yet finds no neighbour.
    const a = (await call('POST', `${N}/ports`, { port: { name: 'a', network_id: net.id, fixed_ips: [{ subnet_id: sub.id, ip_address: '10.0.0.10' }] } }));
    expect(a.status).toBe(201);
    const before = await ws.waitForAt((m) => m.type === 'hello' && m.topology.nodes.length > withRouter.msg.topology.nodes.length, withRouter.at + 1);
    ws.send({ type: 'inject', v: 1, id: 'p1', from: '10.0.0.10', to: '10.0.0.20', proto: 'icmp' });
    const missing = await ws.waitForAt((m) => m.type === 'verdict' && m.probe.ref === 'p1', before.at);
    expect(missing.msg.verdict.verdict).toBe('unreachable');

    expect((await call('POST', `${N}/ports`, { port: { name: 'b', network_id: net.id, fixed_ips: [{ subnet_id: sub.id, ip_address: '10.0.0.20' }] } })).status).toBe(201);
    ws.send({ type: 'inject', v: 1, id: 'p2', from: '10.0.0.10', to: '10.0.0.20', proto: 'icmp' });
    const reached = await ws.waitForAt((m) => m.type === 'verdict' && m.probe.ref === 'p2', missing.at);
    expect(reached.msg.verdict.verdict).toBe('delivered');
    expect(reached.msg.verdict.observed).toEqual({ src: '10.0.0.10', dst: '10.0.0.20' });
    // The reload that brought port b came before the verdict that needed it, and probe ids restarted.
    const reload = await ws.waitForAt((m) => m.type === 'hello', missing.at);
    expect(reload.at).toBeLessThan(reached.at);
    expect(reached.msg.probe.id).toBe(1);

    // A bad message still gets its error, and the connection stays.
    ws.send({ type: 'inject', v: 1, id: 'bad', from: '10.0.0.10', to: '10.0.0.20', proto: 'tcp', port: 70000 });
    const error = await ws.waitForAt((m) => m.type === 'error' && m.ref === 'bad', reached.at);
    expect([error.msg.code, error.msg.path]).toEqual(['invalid-message', 'port']);
    ws.send({ type: 'inject', v: 1, id: 'nobody', from: 'web-9', to: '10.0.0.20' });
    expect((await ws.waitForAt((m) => m.type === 'error' && m.ref === 'nobody', error.at)).msg).toMatchObject({ code: 'bad-endpoint', path: 'from' });
    ws.ws.close();
  });

  it('a write that changes nothing in the cloud sends no reload', async () => {
    const ws = await Client.open(`${url.replace(/^http/, 'ws')}/ws`);
    await ws.waitForAt((m) => m.type === 'hello');
    // Refused writes change nothing (409: the address is taken) ...
    const net = (await call('GET', `${N}/networks?name=app`)).body.networks[0];
    expect((await call('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.20' }] } })).status).toBe(409);
    // ... and so do writes of what only the API keeps (a description, a tag) ...
    expect((await call('PUT', `${N}/networks/${net.id}`, { network: { description: 'the web tier' } })).status).toBe(200);
    expect((await call('PUT', `${N}/networks/${net.id}/tags/blue`)).status).toBe(201);
    // ... and a successful one that does, arrives alone after them.
    expect((await call('POST', `${N}/networks`, { network: { name: 'quiet' } })).status).toBe(201);
    await ws.waitForAt((m) => m.type === 'hello' && nodeIds(m).includes('network:quiet'), 1);
    expect(ws.messages.filter((m) => m.type === 'hello').map((m) => m.reason)).toEqual(['connect', 'reload']);
    ws.ws.close();
  });

  it('serves the page at /viewer/ and leaves / to Keystone; /api/topology is the current cloud', async () => {
    const page = await fetch(`${url}/viewer/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>vnet viewer</title>');
    expect((await fetch(`${url}/viewer/viewer.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    const bare = await fetch(`${url}/viewer?x=1`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/viewer/?x=1']);
    const root = await fetch(`${url}/`);
    expect(((await root.json()) as Msg).versions.values[0].id).toBe('v3.14');
    const topo = (await (await fetch(`${url}/api/topology`)).json()) as Msg;
    expect(topo.cloud.routers.map((r: Msg) => r.name)).toEqual(['edge']);
    expect((await fetch(`${url}/api/topology`, { method: 'POST' })).status).toBe(405);
    // The API's own routes are untouched: the YAML of the current state needs a Keystone token.
    expect((await fetch(`${url}/api/topology.yaml`)).status).toBe(401);
    expect(await (await fetch(`${url}/api/topology.yaml`, { headers: { 'X-Auth-Token': token } })).text()).toMatch(/^ {2}edge:/m);
  });

  it('keeps vnet serve\'s access rules: a foreign Host or Origin is 403', async () => {
    const port = new URL(url).port;
    await expect(Client.open(`${url.replace(/^http/, 'ws')}/ws`, { headers: { Host: `evil.example:${port}` } })).rejects.toMatchObject({ status: 403 });
    await expect(Client.open(`${url.replace(/^http/, 'ws')}/ws`, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    expect((await fetch(`${url}/viewer/`, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    const ok = await Client.open(`${url.replace(/^http/, 'ws')}/ws`, { origin: url });
    ok.ws.close();
  });

  it('applies them to the OpenStack paths too: a DNS-rebinding page cannot log in or write', async () => {
    const port = new URL(url).port;
    const login = JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'admin', domain: { name: 'Default' } } } } } });
    const json = { 'Content-Type': 'application/json' };
    const rebound = await raw('POST', '/v3/auth/tokens', { ...json, Host: `evil.example:${port}` }, login);
    expect(rebound.status).toBe(403);
    expect((JSON.parse(rebound.body) as Msg).NeutronError.type).toBe('Forbidden');
    expect((await raw('POST', `${N}/networks`, { ...json, Host: `evil.example:${port}`, 'X-Auth-Token': token }, JSON.stringify({ network: { name: 'x' } }))).status).toBe(403);
    expect((await raw('GET', `${N}/networks`, { Origin: 'http://evil.example', 'X-Auth-Token': token })).status).toBe(403);
    // The real clients' requests (Host 127.0.0.1:port or localhost, no Origin) and the page's own pass.
    expect((await raw('POST', '/v3/auth/tokens', { ...json, Host: `127.0.0.1:${port}` }, login)).status).toBe(201);
    expect((await raw('GET', `${N}/networks`, { Host: `localhost:${port}`, 'X-Auth-Token': token })).status).toBe(200);
    expect((await raw('GET', `${N}/networks`, { Origin: url, 'X-Auth-Token': token })).status).toBe(200);
  });
});
